import ArgumentParser
import EKSAuthCommandLine
import EKSAuthCore
import EKSAuthSystem

struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Plan (and with --apply, create) the EKS access entries that replace a cluster's aws-auth mappings.",
        discussion: """
            Reads aws-auth (from the cluster's Kubernetes API, or --aws-auth FILE), the cluster's \
            authentication mode and access entries (EKS API), and each mapped role in IAM (its path, or \
            whether it still exists). Prints one step per mapping: create, associate (add missing \
            policies), unchanged, differs (an entry exists and is left alone), manual (no equivalent: \
            mapAccounts, node roles, sso matchers; what to do instead is printed) or skip (never applied). \
            system:masters becomes the AmazonEKSClusterAdminPolicy access policy. --apply creates the \
            entries; running it again changes nothing. aws-auth is never changed or deleted; the steps to \
            switch the authentication mode are printed for you to run once you have checked.

            EXAMPLES:
              eks-auth migrate --cluster-name my-cluster
              eks-auth migrate --cluster-name my-cluster --apply
              eks-auth migrate --aws-auth aws-auth.yaml --output json
            """)

    @Option(
        name: TokenFlag.clusterName.names, help: "The cluster to read and, with --apply, change.",
        completion: ShellCompletion.clusterNames)
    var clusterName: String?

    @Option(
        name: .customLong("aws-auth"),
        help: "The aws-auth ConfigMap as YAML or JSON instead of the cluster's; - for stdin.", completion: .file())
    var awsAuth: String?

    @Option(
        help: "The cluster's access entries as a JSON array instead of the EKS API's (plans only); - for stdin.",
        completion: .file())
    var accessEntries: String?

    @Flag(help: "Create the planned access entries and associate their policies (idempotent).")
    var apply = false

    @Option(help: "Output format: text or json.")
    var output: TokenInput.OutputFormat = .text

    @Option(name: TokenFlag.region.names, help: "The cluster's region.")
    var region: String?

    @Option(
        name: TokenFlag.profile.names, help: "The AWS profile to read and change the cluster with.",
        completion: ShellCompletion.profiles)
    var profile: String?

    @Flag(name: TokenFlag.verbose.names, help: "Trace the calls on stderr.")
    var verbose = false

    func validate() throws {
        if clusterName == nil, awsAuth == nil { throw ValidationError("give --cluster-name or --aws-auth FILE") }
        if apply, clusterName == nil { throw ValidationError("--apply needs --cluster-name") }
        if apply, accessEntries != nil {
            throw ValidationError("--apply compares with the cluster's own entries; drop --access-entries")
        }
        if awsAuth == "-", accessEntries == "-" {
            throw ValidationError("only one of --aws-auth and --access-entries can read stdin")
        }
    }

    func run() throws {
        let live = LiveSystem(verbose: verbose)
        defer { live.shutdown() }
        func input(_ path: String?) throws -> (text: String, source: String)? {
            try path.map { (try AWSAuthInput.read($0, live), $0 == "-" ? "stdin" : $0) }
        }
        let request = MigrationRequest(
            clusterName: clusterName, awsAuth: try input(awsAuth), accessEntries: try input(accessEntries),
            regionFlag: region, profileFlag: profile, apply: apply)
        let report = try MigrationService(system: live.context, liveAWSAuth: { try LiveAWSAuth.fetch(from: $0)?.text })
            .run(request)
        live.writeStdout(output == .json ? report.json() : report.text())
        if !report.failed.isEmpty { throw MigrationError.incomplete(report.failed.count) }
    }
}
