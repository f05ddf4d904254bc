import ArgumentParser
import EKSAuthCommandLine
import EKSAuthCore
import EKSAuthSystem

struct CredentialProcess: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "credential-process",
        abstract: "Print credentials as an AWS CLI credential_process, from eks-auth's session cache.",
        discussion: """
            Finds credentials exactly as 'token' does (same flags, environment, profiles and cache; --role-arn \
            assumes the role through the cache) and prints them as the JSON a credential_process prints \
            (Version 1, AccessKeyId, SecretAccessKey, SessionToken, Expiration). Name it in a profile of \
            ~/.aws/config and the AWS CLI, Terraform and the SDKs share eks-auth's cached session: one \
            AssumeRole, one MFA prompt, one refresh for every tool. This is the one command whose output \
            holds secrets: it is meant for those tools to read, not for a terminal.

            EXAMPLES:
              [profile eks-dev]
              credential_process = eks-auth credential-process --profile base \\
                --role-arn arn:aws:iam::111122223333:role/eks-dev
              aws sts get-caller-identity --profile eks-dev
            """)

    /// How many credential_process commands may run inside each other.
    static let maxDepth = 8

    @OptionGroup var credentials: CredentialOptions

    @Flag(name: TokenFlag.verbose.names, help: "Trace on stderr each credential source tried (never secrets).")
    var verbose = false

    @OptionGroup var log: LogOptions

    func run() throws {
        let invocation = credentials.invocation
        let inBackground = LiveBackgroundRefresh.enterIfBackground()
        let live = LiveSystem(verbose: verbose)
        defer { live.shutdown() }
        let profile = invocation.profile ?? live.context.environment["AWS_PROFILE"] ?? "default"
        // Each credential_process run adds its profile to the chain in the command's environment.
        let variable = ProcessCredentialProvider.chainVariable
        let chain = (live.context.environment[variable] ?? "").split(separator: ",").map(String.init)
        guard !chain.contains(profile), chain.count < Self.maxDepth else {
            throw CredentialProcessError.loop(chain: chain + [profile], variable: variable)
        }
        let (context, role) = try live.context(for: invocation)
        // The AWS CLI and the SDKs capture our stderr: a person is asked on the terminal, or not at all.
        let system = live.promptingOnControllingTerminal(context)
        let (_, resolved) = try CredentialResolution(
            system: live.refreshingInBackground(system, inBackground: inBackground)
        ).resolve(
            profile: invocation.profile, region: invocation.region, role: role)
        guard !inBackground else { return }
        live.writeStdout(ProcessCredentials.json(resolved.credentials))
    }
}
