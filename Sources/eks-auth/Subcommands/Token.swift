import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem
import ArgumentParser
import EKSAuthCore

struct Token: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print an ExecCredential with an EKS bearer token.",
        discussion: """
            Accepts the flags of 'aws eks get-token' and 'aws-iam-authenticator token'. The cluster name \
            may also come from KUBERNETES_AWS_AUTHENTICATOR_CLUSTER_ID, the role from DEFAULT_ROLE.
            """,
        aliases: ["get-token"]
    )

    @Option(name: TokenFlag.clusterName.names, help: "The cluster name (or Outposts cluster id) the token is for.")
    var clusterName: String?

    @OptionGroup var credentials: CredentialOptions

    @Flag(
        name: TokenFlag.cache.names,
        help: ArgumentHelp("Accepted for aws-iam-authenticator; caching is on by default.", visibility: .hidden))
    var cache = false

    @Flag(name: TokenFlag.tokenOnly.names, help: "Print only the token, not an ExecCredential.")
    var tokenOnly = false

    @Flag(
        name: TokenFlag.verbose.names,
        help: "Trace on stderr which profile, region, endpoint and credentials are used (never secrets).")
    var verbose = false

    @Option(
        name: TokenFlag.output.names,
        help: ArgumentHelp("Only json; accepted for 'aws eks get-token'.", visibility: .hidden))
    var output: String?

    func validate() throws {
        if let output, output != "json" {
            throw ValidationError("--output \(output) is not supported: eks-auth token prints JSON")
        }
    }

    func run() throws {
        var arguments = TokenArguments()
        credentials.fill(&arguments)
        if let clusterName { arguments.values[.clusterName] = clusterName }
        if let output { arguments.values[.output] = output }
        for (flag, isSet) in [(TokenFlag.cache, cache), (.tokenOnly, tokenOnly), (.verbose, verbose)] where isSet {
            arguments.switches.insert(flag)
        }
        try Self.run(arguments)
    }

    /// Makes the token and prints it; shared by ArgumentParser's `run()` and the fast path.
    static func run(_ arguments: TokenArguments) throws {
        let live = LiveSystem(verbose: arguments.isSet(.verbose))
        defer { live.shutdown() }
        let environment = live.environment
        let role: RoleRequest?
        do {
            role = try arguments.roleRequest(environment: environment)
        } catch {
            throw live.reporter.fail(error)
        }
        let request = TokenRequest(
            clusterID: arguments[.clusterName] ?? environment["KUBERNETES_AWS_AUTHENTICATOR_CLUSTER_ID"] ?? "",
            region: arguments[.region], profile: arguments[.profile], role: role)
        do {
            var system = live.context
            system.useCache = !arguments.isSet(.noCache)
            let result = try TokenService(system: system).token(for: request)
            live.writeStdout(arguments.isSet(.tokenOnly) ? result.token.value : result.execCredential.json())
        } catch {
            throw live.reporter.fail(error)
        }
    }
}
