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
    public var profile: (name: String, from: String)?
    /// The profile selected but not used for the credentials, when a flag or variable named it: said in
    /// the text, so that `AWS_PROFILE=dev` with keys in the environment does not look like dev's keys.
    public var unusedProfile: (name: String, from: String)?
    /// The region and what named it.
    public var region: (name: String, from: String)

    /// A report from its parts.
    public init(
        identity: CallerIdentity, source: String, profile: (name: String, from: String)?,
        unusedProfile: (name: String, from: String)? = nil, region: (name: String, from: String)
    ) {
        self.identity = identity
        self.source = source
        self.profile = profile
        self.unusedProfile = unusedProfile
        self.region = region
    }

    public static func == (a: WhoAmIReport, b: WhoAmIReport) -> Bool {
        a.identity == b.identity && a.source == b.source && a.profile?.name == b.profile?.name
            && a.profile?.from == b.profile?.from && a.unusedProfile?.name == b.unusedProfile?.name
            && a.unusedProfile?.from == b.unusedProfile?.from && a.region == b.region
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
        let selected = (name: settings.selection.name, from: settings.selection.selectedBy)
        let fromProfile = resolved.source.comesFromProfile
        return WhoAmIReport(
            identity: identity, source: resolved.source.description, profile: fromProfile ? selected : nil,
            unusedProfile: !fromProfile && settings.selection.isExplicit ? selected : nil,
            region: (settings.region, settings.regionSource))
    }
}
