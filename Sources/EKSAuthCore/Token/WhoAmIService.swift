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
    /// The profile and how it was selected.
    public var profile: String
    /// The region and what named it.
    public var region: String

    /// The report's fields, in print order.
    var fields: [(name: String, value: String)] {
        [
            ("Account", identity.account), ("Arn", identity.arn), ("UserId", identity.userID), ("Source", source),
            ("Profile", profile), ("Region", region),
        ]
    }

    /// The report as aligned `Name: value` lines.
    public var text: String {
        fields.map { "\($0.name):" + String(repeating: " ", count: 8 - $0.name.count) + $0.value }
            .joined(separator: "\n")
    }

    /// The report as one JSON object, laid out as `aws sts get-caller-identity` prints it.
    public func json() -> String {
        // Written by hand to match the AWS CLI's layout (`"Key": "value"`, two-space indent), which
        // JSONEncoder's pretty printer (`"Key" : "value"`) does not; every value is a quoted string.
        "{\n" + fields.map { "  \(JSONText.quote($0.name)): \(JSONText.quote($0.value))" }.joined(separator: ",\n")
            + "\n}"
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
        return WhoAmIReport(
            identity: identity, source: resolved.source.description,
            profile: "\(settings.selection.name) (from \(settings.selection.selectedBy))",
            region: "\(settings.region) (from \(settings.regionSource))")
    }
}
