import EKSAuthCore

/// One run of `eks-auth token`, parsed: what both the start-up scanner (`TokenInvocation.scan`) and
/// ArgumentParser (`TokenOptions.invocation`) build, and the only form the token path reads.
package struct TokenInvocation: Sendable, Equatable {
    /// `--cluster-name` / `--cluster-id` / `-i`; nil falls back to KUBERNETES_AWS_AUTHENTICATOR_CLUSTER_ID.
    package var clusterName: String?
    /// The flags that choose the credentials (profile, region, role), shared with `whoami`.
    package var credentials = CredentialInvocation()
    /// `--cache`: accepted for aws-iam-authenticator; caching is on by default.
    package var cache = false
    /// `--token-only`: print the bare token instead of an ExecCredential.
    package var tokenOnly = false
    /// `--verbose`: trace the settings and sources used on stderr.
    package var verbose = false
    /// `--log-format`: how stderr's trace, warnings and errors are written.
    package var logFormat = LogFormat.text
    /// `--output`: only `json` is accepted (for `aws eks get-token`); nil when not given.
    package var output: TokenOutputFormat?

    /// An invocation with every flag at its default.
    package init(
        clusterName: String? = nil, credentials: CredentialInvocation = CredentialInvocation(), cache: Bool = false,
        tokenOnly: Bool = false, verbose: Bool = false, logFormat: LogFormat = .text, output: TokenOutputFormat? = nil
    ) {
        self.clusterName = clusterName
        self.credentials = credentials
        self.cache = cache
        self.tokenOnly = tokenOnly
        self.verbose = verbose
        self.logFormat = logFormat
        self.output = output
    }
}

/// The output formats `token --output` accepts: JSON only, since kubectl reads an ExecCredential.
package enum TokenOutputFormat: String, Sendable, Equatable {
    /// An ExecCredential (what `aws eks get-token --output json` prints too).
    case json
}

/// The parsed credential flags of `token` and `whoami`: profile, region, and the role to assume with
/// its companions.
package struct CredentialInvocation: Sendable, Equatable {
    /// `--region`.
    package var region: String?
    /// `--profile`.
    package var profile: String?
    /// `--role-arn` / `--role` / `-r`.
    package var roleARN: String?
    /// `--external-id` / `-e`.
    package var externalID: String?
    /// `--session-name` / `-s`.
    package var sessionName: String?
    /// `--forward-session-name`.
    package var forwardSessionName = false
    /// `--duration-seconds`, as a number (ArgumentParser and the scanner both refuse other text).
    package var durationSeconds: Int?
    /// `--serial-number`.
    package var serialNumber: String?
    /// `--token-code`.
    package var tokenCode: String?
    /// `--no-cache`.
    package var noCache = false

    /// Credential flags, each at its default unless given.
    package init(
        region: String? = nil, profile: String? = nil, roleARN: String? = nil, externalID: String? = nil,
        sessionName: String? = nil, forwardSessionName: Bool = false, durationSeconds: Int? = nil,
        serialNumber: String? = nil, tokenCode: String? = nil, noCache: Bool = false
    ) {
        self.region = region
        self.profile = profile
        self.roleARN = roleARN
        self.externalID = externalID
        self.sessionName = sessionName
        self.forwardSessionName = forwardSessionName
        self.durationSeconds = durationSeconds
        self.serialNumber = serialNumber
        self.tokenCode = tokenCode
        self.noCache = noCache
    }

    /// The role to assume: `--role-arn`, else `defaultRole` (from `DEFAULT_ROLE`), with its companion
    /// flags; nil without either.
    /// - Throws: `RoleRequestError` when a companion flag is given without a role.
    package func roleRequest(defaultRole: String?) throws -> RoleRequest? {
        try RoleRequest.fromFlags(
            roleARN: roleARN, defaultRole: defaultRole, externalID: externalID, sessionName: sessionName,
            forwardSessionName: forwardSessionName, durationSeconds: durationSeconds, serialNumber: serialNumber,
            tokenCode: tokenCode, useCache: !noCache)
    }
}
