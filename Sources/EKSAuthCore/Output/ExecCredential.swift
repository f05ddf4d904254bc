import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The API versions of `client.authentication.k8s.io` an ExecCredential can be written in.
public enum ExecAPIVersion: String, Sendable, CaseIterable {
    case v1 = "client.authentication.k8s.io/v1"
    case v1beta1 = "client.authentication.k8s.io/v1beta1"
    case v1alpha1 = "client.authentication.k8s.io/v1alpha1"
}

/// What kubectl told the plugin in `KUBERNETES_EXEC_INFO`.
public struct ExecInfo: Sendable, Equatable {
    /// The version to answer in (the one kubectl is configured with).
    public var apiVersion: ExecAPIVersion
    /// Whether stdin is a terminal the plugin may prompt on.
    public var interactive: Bool
    /// A warning to show: deprecated version, or unreadable input and the fallback taken.
    public var warning: String?

    /// Reads `KUBERNETES_EXEC_INFO`: its `apiVersion` and `spec.interactive`. Absent → v1beta1, not
    /// interactive. Unreadable or unknown → v1beta1 with a warning (as `aws eks get-token` does).
    public static func parse(_ text: String?) -> ExecInfo {
        guard let text, !text.trimmingWhitespace().isEmpty else {
            return ExecInfo(apiVersion: .v1beta1, interactive: false, warning: nil)
        }
        struct Wire: Decodable {
            struct Spec: Decodable { var interactive: Bool? }
            var apiVersion: String?
            var spec: Spec?
        }
        // kubectl sets this on every call: the small reader of the start-up path first, the decoder
        // only for what it declines.
        guard let wire = fastWire(text) ?? (try? JSONDecoder().decode(Wire.self, from: Data(text.utf8))) else {
            return ExecInfo(
                apiVersion: .v1beta1, interactive: false,
                warning: "KUBERNETES_EXEC_INFO is not valid JSON; answering in \(ExecAPIVersion.v1beta1.rawValue)")
        }
        /// `Wire` as `JSONDecoder` reads it, through `JSONText.parse`; nil where either declines.
        func fastWire(_ text: String) -> Wire? {
            guard let root = JSONText.parse(Array(text.utf8))?.object else { return nil }
            var wire = Wire()
            switch root["apiVersion"] {
            case nil, .null?: break
            case .string(let version)?: wire.apiVersion = version
            default: return nil
            }
            switch root["spec"] {
            case nil, .null?: break
            case .object(let spec)?:
                switch spec["interactive"] {
                case nil, .null?: wire.spec = Wire.Spec()
                case .bool(let interactive)?: wire.spec = Wire.Spec(interactive: interactive)
                default: return nil
                }
            default: return nil
            }
            return wire
        }
        let interactive = wire.spec?.interactive ?? false
        guard let raw = wire.apiVersion, let version = ExecAPIVersion(rawValue: raw) else {
            let shown = String((wire.apiVersion ?? "").prefix(80))
            return ExecInfo(
                apiVersion: .v1beta1, interactive: interactive,
                warning: "KUBERNETES_EXEC_INFO names unknown apiVersion '\(shown)'; answering in "
                    + ExecAPIVersion.v1beta1.rawValue)
        }
        let warning =
            version == .v1alpha1
            ? "\(version.rawValue) is deprecated and no longer accepted by current kubectl; "
                + "set apiVersion: client.authentication.k8s.io/v1beta1 in the kubeconfig exec block" : nil
        return ExecInfo(apiVersion: version, interactive: interactive, warning: warning)
    }
}

/// The plugin's answer to kubectl: an ExecCredential with the bearer token and its expiry.
public struct ExecCredential: Sendable, Equatable {
    /// The version kubectl asked for.
    public var apiVersion: ExecAPIVersion
    /// The bearer token.
    public var token: String
    /// When kubectl should ask again.
    public var expiration: Date

    /// An ExecCredential from parts.
    public init(apiVersion: ExecAPIVersion, token: String, expiration: Date) {
        self.apiVersion = apiVersion
        self.token = token
        self.expiration = expiration
    }

    /// The JSON kubectl reads on stdout, keys in the order `aws eks get-token` prints them.
    public func json() -> String {
        "{\"kind\":\"ExecCredential\",\"apiVersion\":\(JSONText.quote(apiVersion.rawValue)),\"spec\":{},"
            + "\"status\":{\"expirationTimestamp\":\(JSONText.quote(Timestamp.rfc3339(expiration))),"
            + "\"token\":\(JSONText.quote(token))}}"
    }
}
