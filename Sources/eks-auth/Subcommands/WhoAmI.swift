import ArgumentParser
import EKSAuthCore

struct WhoAmI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "whoami",
        abstract: "Show the AWS identity a token would carry, and where its credentials came from.",
        discussion: """
            Finds credentials exactly as 'token' does (same flags, environment, profiles and cache), calls \
            STS GetCallerIdentity with them and prints the account, ARN and user id, with the credential \
            source, profile and region. Never prints a secret.
            """)

    @Option(name: TokenFlag.region.names, help: "AWS region of the STS endpoint.")
    var region: String?

    @Option(name: TokenFlag.profile.names, help: "Profile of ~/.aws/config and ~/.aws/credentials.")
    var profile: String?

    @Option(name: TokenFlag.roleARN.names, help: "Show the identity of this role, assumed as 'token' would.")
    var roleARN: String?

    @Option(name: TokenFlag.externalID.names, help: "External id to pass to AssumeRole.")
    var externalID: String?

    @Option(name: TokenFlag.sessionName.names, help: "Role session name (default: derived from the caller).")
    var sessionName: String?

    @Flag(name: TokenFlag.forwardSessionName.names, help: "Use the caller's own session name as the role session name.")
    var forwardSessionName = false

    @Option(name: TokenFlag.durationSeconds.names, help: "Assumed-role session length in seconds, 900-43200.")
    var durationSeconds: Int?

    @Option(name: TokenFlag.serialNumber.names, help: "MFA device serial number or ARN for AssumeRole.")
    var serialNumber: String?

    @Option(name: TokenFlag.tokenCode.names, help: "The 6-digit MFA code.")
    var tokenCode: String?

    @Flag(name: TokenFlag.noCache.names, help: "Neither read nor write cached credentials (of any source).")
    var noCache = false

    @Option(help: "text or json.")
    var output: TokenInput.OutputFormat = .text

    @Flag(name: TokenFlag.verbose.names, help: "Trace on stderr each credential source tried (never secrets).")
    var verbose = false

    func run() throws {
        var arguments = TokenArguments()
        let values: [(TokenFlag, String?)] = [
            (.roleARN, roleARN), (.externalID, externalID), (.sessionName, sessionName),
            (.durationSeconds, durationSeconds.map(String.init)), (.serialNumber, serialNumber),
            (.tokenCode, tokenCode),
        ]
        for case (let flag, let value?) in values { arguments.values[flag] = value }
        if forwardSessionName { arguments.switches.insert(.forwardSessionName) }
        if noCache { arguments.switches.insert(.noCache) }
        let live = LiveSystem(verbose: verbose)
        defer { live.shutdown() }
        do {
            let role = try arguments.roleRequest(environment: live.environment)
            var system = live.context
            system.useCache = !noCache
            let report = try WhoAmIService(system: system).report(profile: profile, region: region, role: role)
            live.writeStdout(output == .json ? report.json() : report.text)
        } catch {
            throw live.reporter.fail(error)
        }
    }
}
