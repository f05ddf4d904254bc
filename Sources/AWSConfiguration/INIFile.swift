import AWSSigning
import EKSAuthSystem

/// The parsed contents of an AWS-style INI file: sections of keys, some keys holding nested sub-sections.
///
/// Follows botocore's reading of the files with a few deliberate kindnesses: a UTF-8 byte order mark
/// and CRLF line ends are accepted, inline comments (`value  # note`) are dropped when preceded by
/// whitespace, and a repeated section or key merges with the later value winning.
public struct INIFile: Sendable, Equatable {
    /// A value: a plain string, or a nested block of `key = value` lines (e.g. `s3 =` then indented lines).
    public enum Value: Sendable, Equatable {
        case string(String)
        case nested([String: String])

        /// The string value; nil for a nested block.
        public var string: String? {
            if case .string(let s) = self { return s }
            return nil
        }
    }

    /// Section name (as written, inside the brackets and trimmed) to its keys (lower-cased).
    public private(set) var sections: [String: [String: Value]] = [:]
    /// Section names in the order they first appear.
    public private(set) var sectionOrder: [String] = []

    /// An empty file.
    public init() {}

    /// Parses `text`; `path` names the file in errors.
    /// - Throws: `ConfigError.malformedFile` naming the path and line.
    public init(parsing text: String, path: String) throws {
        var current: String?
        var lastKey: String?
        var lastKeyIndent = 0
        var lineNumber = 0
        var body = Substring(text)
        if body.hasPrefix("\u{FEFF}") { body = body.dropFirst() }
        // "\r\n" is one Character in Swift, so CRLF (and a lone CR) must be named as separators.
        let lines = body.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
        for line in lines {
            lineNumber += 1
            let trimmed = line.trimmingWhitespace()
            if trimmed.isEmpty { continue }
            if trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { continue }
            let indent = line.prefix(while: { $0 == " " || $0 == "\t" }).count
            if indent > 0, let section = current, let key = lastKey, indent > lastKeyIndent {
                try continueValue(section: section, key: key, line: trimmed, path: path, lineNumber: lineNumber)
                continue
            }
            if trimmed.hasPrefix("[") {
                guard let close = trimmed.firstIndex(of: "]") else {
                    throw ConfigError.malformedFile(path: path, line: lineNumber, reason: "section header without ']'")
                }
                let after = Self.strippingInlineComment(String(trimmed[trimmed.index(after: close)...]))
                guard after.isEmpty else {
                    throw ConfigError.malformedFile(
                        path: path, line: lineNumber, reason: "unexpected text after section header")
                }
                let name = trimmed[trimmed.index(after: trimmed.startIndex)..<close].trimmingWhitespace()
                current = name
                lastKey = nil
                if sections[name] == nil {
                    sections[name] = [:]
                    sectionOrder.append(name)
                }
                continue
            }
            guard let section = current else {
                throw ConfigError.malformedFile(
                    path: path, line: lineNumber, reason: "a line appears before any [section] header")
            }
            guard let delimiter = trimmed.firstIndex(where: { $0 == "=" || $0 == ":" }) else {
                throw ConfigError.malformedFile(
                    path: path, line: lineNumber, reason: "expected 'key = value' in [\(section)]")
            }
            let key = trimmed[..<delimiter].trimmingWhitespace().lowercased()
            guard !key.isEmpty else {
                throw ConfigError.malformedFile(
                    path: path, line: lineNumber, reason: "a value without a key in [\(section)]")
            }
            // A command line keeps `#` and `;` inside its quotes (`sh -c "a; b"`), as a shell would.
            let value = Self.strippingInlineComment(
                String(trimmed[trimmed.index(after: delimiter)...]), quoteAware: key == "credential_process")
            sections[section]![key] = .string(value)
            lastKey = key
            lastKeyIndent = indent
        }
    }

    /// An indented line after `key`: a nested `k = v` when the key's own value was empty, else more text.
    private mutating func continueValue(section: String, key: String, line: String, path: String, lineNumber: Int)
        throws
    {
        switch sections[section]![key]! {
        case .string(let existing) where existing.isEmpty:
            sections[section]![key] = .nested([:])
            try continueValue(section: section, key: key, line: line, path: path, lineNumber: lineNumber)
        case .nested(var block):
            guard let delimiter = line.firstIndex(where: { $0 == "=" || $0 == ":" }) else {
                throw ConfigError.malformedFile(
                    path: path, line: lineNumber, reason: "expected 'key = value' inside '\(key)' in [\(section)]")
            }
            let nestedKey = line[..<delimiter].trimmingWhitespace().lowercased()
            block[nestedKey] = Self.strippingInlineComment(String(line[line.index(after: delimiter)...]))
            sections[section]![key] = .nested(block)
        case .string(let existing):
            sections[section]![key] = .string(existing + "\n" + Self.strippingInlineComment(line))
        }
    }

    /// The text before a `#` or `;` that follows whitespace, trimmed; with `quoteAware`, not one
    /// inside single or double quotes.
    static func strippingInlineComment(_ text: String, quoteAware: Bool = false) -> String {
        var previousWasSpace = true
        var quote: Character?
        var end = text.endIndex
        for index in text.indices {
            let c = text[index]
            if let open = quote {
                if c == open { quote = nil }
            } else if quoteAware && (c == "'" || c == "\"") {
                quote = c
            } else if (c == "#" || c == ";") && previousWasSpace {
                end = index
                break
            }
            previousWasSpace = c == " " || c == "\t"
        }
        return text[..<end].trimmingWhitespace()
    }
}
