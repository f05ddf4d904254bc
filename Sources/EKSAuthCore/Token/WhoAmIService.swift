import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

/// What `eks-auth whoami` reports: the identity STS sees and where its credentials came from.
public struct WhoAmIReport: Sendable, Equatable {
    /// GetCallerIdentity's answer.
    public var identity: CallerIdentity
    /// Where the credentials came from (no secrets).
    public var source: String
    /// The profile whose settings gave the credentials, and what selected it; nil when none did (keys in
    /// the environment, a container or instance role, the web identity variables).
    public var profile: Chosen?
    /// The profile selected but not used for the credentials, when a flag or variable named it: said in
    /// the text, so that `AWS_PROFILE=dev` with keys in the environment does not look like dev's keys.
    public var unusedProfile: Chosen?
    /// The region and what named it.
    public var region: Chosen

    /// A setting's value and what chose it (`dev`, `AWS_PROFILE`).
    public struct Chosen: Sendable, Equatable {
        /// The value.
        public var name: String
        /// What chose it: a flag, a variable, a profile key, or `default`.
        public var from: String

        /// A value chosen by `from`.
        public init(_ name: String, from: String) {
            self.name = name
            self.from = from
        }
    }

    /// A report from its parts.
    public init(
        identity: CallerIdentity, source: String, profile: Chosen?, unusedProfile: Chosen? = nil, region: Chosen
    ) {
        self.identity = identity
        self.source = source
        self.profile = profile
        self.unusedProfile = unusedProfile
        self.region = region
    }

    /// The Profile line's value: `dev (from AWS_PROFILE)`, or `none (…)` saying where the credentials
    /// came from instead.
    var profileText: String {
        if let profile { return "\(profile.name) (from \(profile.from))" }
        guard let unusedProfile else { return "none (the credentials came from \(source))" }
        return "none (the credentials came from \(source), which come before profile "
            + "'\(unusedProfile.name)' named by \(unusedProfile.from))"
    }

    /// The report as aligned `Name: value` lines.
    public var text: String {
        [
            ("Account", identity.account), ("Arn", identity.arn), ("UserId", identity.userID), ("Source", source),
            ("Profile", profileText), ("Region", "\(region.name) (from \(region.from))"),
        ].map { "\($0.0):" + String(repeating: " ", count: 8 - $0.0.count) + $0.1 }.joined(separator: "\n")
    }

    /// The report as one JSON object, laid out as `aws sts get-caller-identity` prints it: its three keys
    /// first, then `Source`, and each setting's value and provenance in separate keys (`Profile`,
    /// `ProfileFrom`, `Region`, `RegionFrom`); `Profile` and `ProfileFrom` are null when no profile gave
    /// the credentials.
    public func json() -> String {
        // Written by hand to match the AWS CLI's layout (`"Key": "value"`, two-space indent), which
        // JSONEncoder's pretty printer (`"Key" : "value"`) does not.
        let members: [(String, String?)] = [
            ("Account", identity.account), ("Arn", identity.arn), ("UserId", identity.userID), ("Source", source),
            ("Profile", profile?.name), ("ProfileFrom", profile?.from), ("Region", region.name),
            ("RegionFrom", region.from),
        ]
        return "{\n"
            + members.map { "  \(JSONText.quote($0.0)): \($0.1.map(JSONText.quote) ?? "null")" }.joined(
                separator: ",\n") + "\n}"
    }
}

/// The core of `eks-auth whoami`: the same credentials `token` would sign with, shown to STS.
public struct WhoAmIService: Sendable {
    let system: SystemContext

    /// A service using `system`.
    public init(system: SystemContext) {
        self.system = system
    }

    /// Resolves the credentials for `profile`, `region` and `role` and asks STS who they are.
    /// - Throws: `ConfigError`, `CredentialError`, `RoleRequestError`, `AWSServiceError`.
    public func report(profile: String?, region: String?, role: RoleRequest?) throws -> WhoAmIReport {
        let (settings, resolved) = try CredentialResolution(system: system).resolve(
            profile: profile, region: region, role: role)
        let sts = try STSClient(settings: settings, system: system)
        let identity = try sts.callerIdentity(as: resolved.credentials)
        let selected = WhoAmIReport.Chosen(settings.selection.name, from: settings.selection.selectedBy)
        let fromProfile = resolved.source.comesFromProfile
        return WhoAmIReport(
            identity: identity, source: resolved.source.description, profile: fromProfile ? selected : nil,
            unusedProfile: !fromProfile && settings.selection.isExplicit ? selected : nil,
            region: .init(settings.region, from: settings.regionSource))
    }
}
