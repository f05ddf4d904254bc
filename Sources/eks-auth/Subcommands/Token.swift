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

    @Option(
        name: TokenFlag.region.names,
        help: "AWS region of the STS endpoint (default: AWS_REGION, AWS_DEFAULT_REGION, the profile, us-east-1).")
    var region: String?

    @Option(
        name: TokenFlag.profile.names,
        help: "Profile of ~/.aws/config and ~/.aws/credentials (default: AWS_PROFILE, AWS_DEFAULT_PROFILE, default).")
    var profile: String?

    @Option(name: TokenFlag.roleARN.names, help: "Assume this IAM role for the token only (default: DEFAULT_ROLE).")
    var roleARN: String?

    @Option(name: TokenFlag.externalID.names, help: "External id to pass to AssumeRole.")
    var externalID: String?

    @Option(name: TokenFlag.sessionName.names, help: "Role session name (default: derived from the caller).")
    var sessionName: String?

    @Flag(name: TokenFlag.forwardSessionName.names, help: "Use the caller's own session name as the role session name.")
    var forwardSessionName = false

    @Option(
        name: TokenFlag.durationSeconds.names, help: "Assumed-role session length in seconds, 900-43200 (default 3600)."
    )
    var durationSeconds: Int?

    @Option(name: TokenFlag.serialNumber.names, help: "MFA device serial number or ARN for AssumeRole.")
    var serialNumber: String?

    @Option(
        name: TokenFlag.tokenCode.names, help: "The 6-digit MFA code (prompted for when interactive and not given).")
    var tokenCode: String?

    @Flag(name: TokenFlag.noCache.names, help: "Neither read nor write cached credentials (of any source).")
    var noCache = false

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
        let values: [(TokenFlag, String?)] = [
            (.clusterName, clusterName), (.region, region), (.profile, profile), (.roleARN, roleARN),
            (.externalID, externalID), (.sessionName, sessionName),
            (.durationSeconds, durationSeconds.map(String.init)),
            (.serialNumber, serialNumber), (.tokenCode, tokenCode), (.output, output),
        ]
        for case (let flag, let value?) in values { arguments.values[flag] = value }
        let switches: [(TokenFlag, Bool)] = [
            (.forwardSessionName, forwardSessionName), (.noCache, noCache), (.cache, cache), (.tokenOnly, tokenOnly),
            (.verbose, verbose),
        ]
        for (flag, isSet) in switches where isSet { arguments.switches.insert(flag) }
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
