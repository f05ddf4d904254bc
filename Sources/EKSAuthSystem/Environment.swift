/// The process environment as a value, so tests can pass any environment without touching the real one.
public struct Environment: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    /// All variables, including empty ones.
    public var variables: [String: String]
    /// This user's home directory from the password database, for when `HOME` is unset or empty
    /// (the executable looks it up only then).
    public var passwordDatabaseHome: String?

    /// An environment holding `variables`; `passwordDatabaseHome` stands in for an unset `HOME`.
    public init(_ variables: [String: String], passwordDatabaseHome: String? = nil) {
        self.variables = variables
        self.passwordDatabaseHome = passwordDatabaseHome
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.variables = Dictionary(elements, uniquingKeysWith: { _, last in last })
    }

    /// The value of `name`, or nil when it is unset or empty (the AWS SDKs treat both alike).
    public subscript(_ name: String) -> String? {
        guard let value = variables[name], !value.isEmpty else { return nil }
        return value
    }

    /// The home directory as Python's `os.path.expanduser` (and so botocore) finds it: `HOME`, else
    /// the password database's entry for this user; nil when neither names one.
    public var home: String? { self["HOME"] ?? passwordDatabaseHome.flatMap { $0.isEmpty ? nil : $0 } }

    /// Where files under the home directory are looked for: `home`, else `/nonexistent` (the home
    /// Debian gives users that have none), so that a missing home never turns `~/.aws/config` into
    /// a path relative to whatever directory kubectl runs us from.
    public var homeForFiles: String { home ?? "/nonexistent" }

    /// `path` with `$NAME` and `${NAME}` replaced by the variables' values, as Python's
    /// `os.path.expandvars` does it (botocore applies it to `AWS_CONFIG_FILE` and
    /// `AWS_SHARED_CREDENTIALS_FILE`): NAME is ASCII letters, digits and `_`; a variable that is not
    /// set (an empty one is set) stays as written.
    public func expandingVariables(_ path: String) -> String {
        guard path.utf8.contains(UInt8(ascii: "$")) else { return path }
        var result = ""
        var rest = Substring(path)
        while let dollar = rest.firstIndex(of: "$") {
            result += rest[..<dollar]
            let after = rest[rest.index(after: dollar)...]
            // Python's `\$(\w+|\{[^}]*\})`: a word, or anything in braces.
            let name: Substring
            let end: Substring.Index
            if after.first == "{", let close = after.firstIndex(of: "}") {
                name = after[after.index(after: after.startIndex)..<close]
                end = after.index(after: close)
            } else {
                name = after.prefix { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
                end = name.endIndex
            }
            if let value = variables[String(name)], !name.isEmpty {
                result += value
            } else {
                result += rest[dollar..<end]
            }
            rest = rest[end...]
        }
        return result + rest
    }

    /// `path` with a leading `~` replaced by the home directory (`homeForFiles`).
    public func expandingTilde(_ path: String) -> String {
        guard path == "~" || path.hasPrefix("~/") else { return path }
        return homeForFiles + path.dropFirst()
    }
}
