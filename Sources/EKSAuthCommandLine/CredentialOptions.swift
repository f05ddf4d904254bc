import ArgumentParser

/// The flags that choose the credentials, shared by `token` and `whoami`: profile, region and the
/// role to assume with its companions.
package struct CredentialOptions: ParsableArguments {
    @Option(
        name: TokenFlag.region.names,
        help: "AWS region of the STS endpoint (default: AWS_REGION, AWS_DEFAULT_REGION, the profile, us-east-1).")
    var region: String?

    @Option(
        name: TokenFlag.profile.names,
        help: "Profile of ~/.aws/config and ~/.aws/credentials (default: AWS_PROFILE, AWS_DEFAULT_PROFILE, default).",
        completion: ShellCompletion.profiles)
    var profile: String?

    @Option(
        name: TokenFlag.roleARN.names,
        help: ArgumentHelp(
            "The IAM role to assume, through the session cache (default: DEFAULT_ROLE); your own credentials only assume it."
        ))
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

    /// ArgumentParser's initializer; the values come from parsing.
    package init() {}

    /// The flags as the typed value the credential path reads.
    package var invocation: CredentialInvocation {
        CredentialInvocation(
            region: region, profile: profile, roleARN: roleARN, externalID: externalID, sessionName: sessionName,
            forwardSessionName: forwardSessionName, durationSeconds: durationSeconds, serialNumber: serialNumber,
            tokenCode: tokenCode, noCache: noCache)
    }
}
