import EKSAuthSystem

/// A context or user name template of `eks-auth kubeconfig --all`: text with `{cluster}`, `{region}`,
/// `{account}` and `{role}` (the role's name, the last part of its ARN), e.g. `{cluster}@{region}`.
public struct KubeconfigNameTemplate: Sendable, Equatable {
    /// The placeholders a template may use.
    public static let placeholders = ["cluster", "region", "account", "role"]

    /// The text as given.
    public var text: String
    /// The placeholders it uses.
    public var used: Set<String>

    /// Reads `text`, the value of `flag` (`--alias`, `--user-alias`), for use with or without roles.
    /// - Throws: `KubeconfigAllError.badTemplate` for an empty text or one with control characters, a placeholder that is not one of `placeholders`, a
    ///   `{` without its `}`, or `{role}` when `roles` is false.
    public init(_ text: String, flag: String, roles: Bool) throws {
        // kubectl cannot select an empty name, and a name with control characters breaks its output.
        guard !text.isEmpty, !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) else {
            throw KubeconfigAllError.badTemplate(
                flag: flag, template: TerminalText.sanitized(text), reason: "a name must be non-empty text on one line")
        }
        self.text = text
        var used: Set<String> = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            guard let close = rest[open...].firstIndex(of: "}") else {
                throw KubeconfigAllError.badTemplate(flag: flag, template: text, reason: "a '{' has no '}'")
            }
            let name = String(rest[rest.index(after: open)..<close])
            guard Self.placeholders.contains(name) else {
                throw KubeconfigAllError.badTemplate(
                    flag: flag, template: text,
                    reason:
                        "unknown placeholder {\(name)}; use \(Self.placeholders.map { "{\($0)}" }.joined(separator: ", "))"
                )
            }
            if name == "role", !roles {
                throw KubeconfigAllError.badTemplate(flag: flag, template: text, reason: "{role} needs --role-arn")
            }
            used.insert(name)
            rest = rest[rest.index(after: close)...]
        }
        self.used = used
    }

    /// The name for a cluster (and role).
    public func render(cluster: String, region: String, account: String, role: String?) -> String {
        var result = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            result += rest[..<open]
            switch rest[rest.index(after: open)..<close] {
            case "cluster": result += cluster
            case "region": result += region
            case "account": result += account
            default: result += role ?? ""
            }
            rest = rest[rest.index(after: close)...]
        }
        return result + rest
    }
}
