import EKSAuthSystem

/// A place in a YAML text, counted from 1 as editors count: `line 3, column 5`.
public struct YAMLMark: Hashable, Sendable, CustomStringConvertible {
    /// The line, from 1.
    public var line: Int
    /// The column in characters (Unicode scalars), from 1.
    public var column: Int

    /// A mark from a 1-based line and column.
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    /// `line L, column C`.
    public var description: String { "line \(line), column \(column)" }
}

/// Why a YAML text could not be read as a node tree, or a node tree not written as YAML.
public enum YAMLError: EKSAuthError, Equatable {
    /// libyaml's scanner or parser rejected the text: its problem, where, and what it was reading then
    /// (`while parsing a block mapping`) and where that started.
    case syntax(problem: String, at: YAMLMark, context: String?, contextMark: YAMLMark?)
    /// libyaml's reader rejected a byte (a control character, say) at this offset from 0.
    case unreadable(problem: String, byteOffset: Int)
    /// An alias (`*name`) before any anchor `&name`, or inside the node that anchor is on.
    case undefinedAlias(String, at: YAMLMark)
    /// A mapping repeats a key: the key's text and where the repeat is.
    case duplicateKey(String, at: YAMLMark)
    /// The text holds a second document (`---`) where one was expected.
    case multipleDocuments(at: YAMLMark)
    /// The text is longer than `YAMLLimits.maxInputBytes`.
    case tooLarge(bytes: Int, limit: Int)
    /// Collections nest deeper than `YAMLLimits.maxDepth`.
    case tooDeep(limit: Int, at: YAMLMark)
    /// More nodes than `YAMLLimits.maxNodes` once aliases are expanded (a "billion laughs" document).
    case tooManyNodes(limit: Int, at: YAMLMark)
    /// More scalar text than `YAMLLimits.maxTextBytes` once aliases are expanded.
    case tooMuchText(limit: Int, at: YAMLMark)
    /// libyaml's emitter refused the node tree.
    case unwritable(problem: String)

    /// One line: where, then what.
    public var message: String {
        switch self {
        case .syntax(let problem, let mark, let context, let contextMark):
            guard let context else { return "\(mark): \(problem)" }
            return "\(mark): \(problem) (\(context)\(contextMark.map { " started at \($0)" } ?? ""))"
        case .unreadable(let problem, let offset):
            return "byte \(offset): \(problem)"
        case .undefinedAlias(let name, let mark):
            return "\(mark): alias *\(name) names no anchor defined before it"
        case .duplicateKey(let key, let mark):
            return "\(mark): key '\(Self.printable(key))' appears twice in one mapping"
        case .multipleDocuments(let mark):
            return "\(mark): a second document, where one was expected"
        case .tooLarge(let bytes, let limit):
            return "\(bytes) bytes of YAML, more than the \(limit) allowed"
        case .tooDeep(let limit, let mark):
            return "\(mark): lists and mappings nest more than \(limit) deep"
        case .tooManyNodes(let limit, let mark):
            return "\(mark): more than \(limit) nodes once aliases are expanded"
        case .tooMuchText(let limit, let mark):
            return "\(mark): more than \(limit) bytes of text once aliases are expanded"
        case .unwritable(let problem):
            return "cannot be written as YAML: \(problem)"
        }
    }

    /// A document that cannot be read is bad input; one that cannot be written is an internal error.
    public var kind: FailureKind {
        if case .unwritable = self { return .internal }
        return .badInput
    }

    /// A key as it may be shown on a terminal: control characters escaped, at most 80 characters.
    static func printable(_ text: String) -> String {
        var shown = ""
        for scalar in text.unicodeScalars.prefix(80) {
            let isControl = scalar.value < 0x20 || (scalar.value >= 0x7F && scalar.value < 0xA0)
            shown += isControl ? "\\u{\(String(scalar.value, radix: 16))}" : String(scalar)
        }
        return text.unicodeScalars.count > 80 ? shown + "…" : shown
    }
}
