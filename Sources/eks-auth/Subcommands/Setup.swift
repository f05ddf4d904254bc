import ArgumentParser
import EKSAuthCommandLine
import EKSAuthCore

extension ClusterRole: ExpressibleByArgument {}

struct Setup: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Write (and with --apply, create) the IAM role, policies, mapping and RBAC for IAM-group or permission-set "
            + "access.",
        discussion: """
            With --group: writes the role's trust policy, its EKS policy (describe the one cluster; eks:* only \
            with --full-eks-access), the group's assume-role policy, the aws-auth mapRoles entry and eksctl \
            command, the access-entry alternative, the RBAC binding, the kubeconfig command and a README with the \
            order to apply them. --apply creates the IAM part through the IAM API; existing identical resources \
            are fine, different ones are reported and left alone (exit 78).

            With --permission-set: finds the role IAM Identity Center made for the set in the account (IAM \
            ListRoles under /aws-reserved/sso.amazonaws.com/, also without --apply) and writes its aws-auth entry \
            (the ARN without its path), the access entry (the ARN with it), the RBAC binding for the group \
            eks-auth:sso:SET and a kubeconfig command that takes each person's SSO profile (no --role-arn). \
            Nothing is created in IAM. --apply --access-entry creates the access entry; mappings to roles of \
            an earlier provisioning of the set (another hash) are reported as stale with the command that \
            removes them, in the cluster's access entries and in a saved aws-auth (--aws-auth FILE, only read).

            EXAMPLES:
              eks-auth setup --account 111122223333 --cluster-name my-cluster \\
                --group developers --region eu-west-1
              eks-auth setup --account 111122223333 --cluster-name my-cluster \\
                --group developers --apply
              eks-auth setup --account 111122223333 --cluster-name my-cluster \\
                --group admins --cluster-role cluster-admin --apply --access-entry
              eks-auth setup --account 111122223333 --cluster-name my-cluster \\
                --permission-set DeveloperAccess --cluster-role edit --apply --access-entry
              eks-auth setup --account 111122223333 --cluster-name my-cluster \\
                --permission-set DeveloperAccess --aws-auth aws-auth.yaml
            """)

    @Option(help: "The 12-digit AWS account id.")
    var account: String

    @Option(name: TokenFlag.clusterName.names, help: "The cluster name.", completion: ShellCompletion.clusterNames)
    var clusterName: String

    @Option(help: "The IAM group whose members get access (e.g. dev.rnd.group).")
    var group: String?

    @Option(help: "Instead of --group: the IAM Identity Center permission set whose assignees get access.")
    var permissionSet: String?

    @Option(
        help: ArgumentHelp(
            "With --permission-set: the Identity Center region, when the set has roles under several regions' paths.",
            valueName: "region"))
    var ssoRegion: String?

    @Option(
        name: .customLong("aws-auth"),
        help: "With --permission-set: a saved aws-auth ConfigMap to check for stale and missing entries (only read).",
        completion: .file())
    var awsAuth: String?

    @Option(help: "The role to create (default: <group prefix>.eks-access.role, e.g. dev.eks-access.role).")
    var roleName: String?

    @Option(help: "The ClusterRole bound to the group: view, edit, admin or cluster-admin.")
    var clusterRole: ClusterRole = .view

    @Option(help: "Bind in this namespace only (RoleBinding) instead of cluster-wide.")
    var namespace: String?

    @Flag(help: "Grant the role eks:* on every cluster instead of describing this one.")
    var fullEKSAccess = false

    @Option(help: "Directory for the files (default: ./eks-auth-setup-<cluster>).", completion: .directory)
    var out: String?

    @Option(name: TokenFlag.region.names, help: "The cluster's region.")
    var region: String?

    @Option(
        name: TokenFlag.profile.names, help: "The AWS profile used by --apply (and by --permission-set).",
        completion: ShellCompletion.profiles)
    var profile: String?

    @Flag(help: "Create the IAM role, policies and attachments (idempotent; nothing for --permission-set).")
    var apply = false

    @Flag(help: "With --apply, also create the EKS access entry mapping the role to the Kubernetes group.")
    var accessEntry = false

    @Flag(name: TokenFlag.verbose.names, help: "Trace the calls on stderr.")
    var verbose = false

    @OptionGroup var log: LogOptions

    func validate() throws {
        guard (group == nil) != (permissionSet == nil) else {
            throw ValidationError("give either --group GROUP or --permission-set NAME")
        }
        let groupOnly = [("--role-name", roleName != nil), ("--full-eks-access", fullEKSAccess)]
        let setOnly = [("--sso-region", ssoRegion != nil), ("--aws-auth", awsAuth != nil)]
        for (flag, given) in permissionSet == nil ? setOnly : groupOnly where given {
            throw ValidationError("\(flag) applies to \(permissionSet == nil ? "--permission-set" : "--group") only")
        }
        if awsAuth == "-" { throw ValidationError("--aws-auth takes a file here: the commands printed name it") }
    }

    func run() throws {
        let live = LiveSystem(verbose: verbose)
        defer { live.shutdown() }
        let directory = out ?? "eks-auth-setup-\(clusterName)"
        guard let permissionSet else {
            _ = try SetupService(system: live.context).run(
                account: account, clusterName: clusterName, group: group ?? "", roleName: roleName,
                clusterRole: clusterRole, namespace: namespace, fullEKSAccess: fullEKSAccess, regionFlag: region,
                profileFlag: profile, directory: directory, apply: apply, accessEntry: accessEntry,
                progress: { live.writeStdout($0) })
            return
        }
        _ = try SetupService(system: live.context).runPermissionSet(
            account: account, clusterName: clusterName, permissionSet: permissionSet, clusterRole: clusterRole,
            namespace: namespace, identityCenterRegion: ssoRegion, regionFlag: region, profileFlag: profile,
            directory: directory, apply: apply, accessEntry: accessEntry,
            awsAuth: try awsAuth.map { (text: try AWSAuthInput.read($0, live), source: $0) },
            progress: { live.writeStdout($0) })
    }
}
