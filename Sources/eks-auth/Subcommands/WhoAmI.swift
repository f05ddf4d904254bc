import ArgumentParser
import EKSAuthCommandLine
import EKSAuthCore

struct WhoAmI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "whoami",
        abstract: "Show the AWS identity a token would carry, and where its credentials came from.",
        discussion: """
            Finds credentials exactly as 'token' does (same flags, environment, profiles and cache), calls \
            STS GetCallerIdentity with them and prints the account, ARN and user id, with the credential \
            source, profile and region. Never prints a secret.

            EXAMPLES:
              eks-auth whoami
              eks-auth whoami --profile dev --output json
              eks-auth whoami --role-arn arn:aws:iam::111122223333:role/eks-dev
            """)

    @OptionGroup var credentials: CredentialOptions

    @Option(help: "text or json.")
    var output: TokenInput.OutputFormat = .text

    @Flag(name: TokenFlag.verbose.names, help: "Trace on stderr each credential source tried (never secrets).")
    var verbose = false

    @OptionGroup var log: LogOptions

    func run() throws {
        let invocation = credentials.invocation
        let live = LiveSystem(verbose: verbose)
        defer { live.shutdown() }
        let (system, role) = try live.context(for: invocation)
        let report = try WhoAmIService(system: system).report(
            profile: invocation.profile, region: invocation.region, role: role)
        live.writeStdout(output == .json ? report.json() : report.text)
    }
}
