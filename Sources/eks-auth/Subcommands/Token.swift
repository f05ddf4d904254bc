import ArgumentParser
import EKSAuthCore

struct Token: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print an ExecCredential with an EKS bearer token.",
        discussion: """
            Accepts the flags of 'aws eks get-token' and 'aws-iam-authenticator token'. The cluster name \
            may also come from KUBERNETES_AWS_AUTHENTICATOR_CLUSTER_ID.
            """,
        aliases: ["get-token"]
    )

    @Option(
        name: [.customLong("cluster-name"), .customShort("i"), .customLong("cluster-id")],
        help: "The cluster name (or Outposts cluster id) the token is for.")
    var clusterName: String?

    @OptionGroup var aws: AWSOptions

    @Flag(help: "Print only the token, not an ExecCredential.")
    var tokenOnly = false

    @Option(help: ArgumentHelp("Output format; only json (accepted for 'aws eks get-token' compatibility).", visibility: .hidden))
    var output: String?

    func validate() throws {
        if let output, output != "json" {
            throw ValidationError("--output \(output) is not supported: eks-auth token prints JSON")
        }
    }

    func run() throws {
        let live = LiveSystem(verbose: aws.verbose)
        let clusterID = clusterName ?? live.environment["KUBERNETES_AWS_AUTHENTICATOR_CLUSTER_ID"] ?? ""
        let request = TokenRequest(clusterID: clusterID, region: aws.region, profile: aws.profile)
        do {
            let result = try TokenService(system: live.context).token(for: request)
            live.writeStdout(tokenOnly ? result.token.value : result.execCredential.json())
        } catch {
            throw live.reporter.fail(error)
        }
    }
}
