import ArgumentParser
import EKSAuthCommandLine
import EKSAuthCore

extension ClusterRole: ExpressibleByArgument {}

struct Setup: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write (and with --apply, create) the IAM role, policies, mapping and RBAC for IAM-group access.",
        discussion: """
            Writes the role's trust policy, its EKS policy (describe the one cluster; eks:* only with \
            --full-eks-access), the group's assume-role policy, the aws-auth mapRoles entry and eksctl command, the \
            access-entry alternative, the RBAC binding, the kubeconfig command and a README with the order to apply \
            them. --apply creates the IAM part through the IAM API; existing identical resources are fine, \
            different ones are reported and left alone (exit 78).

            EXAMPLES:
              eks-auth setup --account 111122223333 --cluster-name my-cluster \\
                --group developers --region eu-west-1
              eks-auth setup --account 111122223333 --cluster-name my-cluster \\
                --group developers --apply
              eks-auth setup --account 111122223333 --cluster-name my-cluster \\
                --group admins --cluster-role cluster-admin --apply --access-entry
            """)

    @Option(help: "The 12-digit AWS account id.")
    var account: String

    @Option(name: TokenFlag.clusterName.names, help: "The cluster name.", completion: ShellCompletion.clusterNames)
    var clusterName: String

    @Option(help: "The IAM group whose members get access (e.g. dev.rnd.group).")
    var group: String

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
        name: TokenFlag.profile.names, help: "The AWS profile used by --apply.", completion: ShellCompletion.profiles)
    var profile: String?

    @Flag(help: "Create the IAM role, policies and attachments (idempotent).")
    var apply = false

    @Flag(help: "With --apply, also create the EKS access entry mapping the role to the Kubernetes group.")
    var accessEntry = false

    @Flag(name: TokenFlag.verbose.names, help: "Trace the calls on stderr.")
    var verbose = false

    @OptionGroup var log: LogOptions

    func run() throws {
        let live = LiveSystem(verbose: verbose)
        defer { live.shutdown() }
        _ = try SetupService(system: live.context).run(
            account: account, clusterName: clusterName, group: group, roleName: roleName,
            clusterRole: clusterRole, namespace: namespace, fullEKSAccess: fullEKSAccess, regionFlag: region,
            profileFlag: profile, directory: out ?? "eks-auth-setup-\(clusterName)", apply: apply,
            accessEntry: accessEntry, progress: { live.writeStdout($0) })
    }
}
