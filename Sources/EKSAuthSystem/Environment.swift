/// The process environment as a value, so tests can pass any environment without touching the real one.
public struct Environment: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    /// All variables, including empty ones.
    public var variables: [String: String]

    /// An environment holding `variables`.
    public init(_ variables: [String: String]) {
        self.variables = variables
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.variables = Dictionary(elements, uniquingKeysWith: { _, last in last })
    }

    /// The value of `name`, or nil when it is unset or empty (the AWS SDKs treat both alike).
    public subscript(_ name: String) -> String? {
        guard let value = variables[name], !value.isEmpty else { return nil }
        return value
    }

    /// The home directory: `HOME`, else nil.
    public var home: String? { self["HOME"] }

    /// `path` with a leading `~` replaced by the home directory.
    public func expandingTilde(_ path: String) -> String {
        guard path == "~" || path.hasPrefix("~/"), let home else { return path }
        return home + path.dropFirst()
    }
}
