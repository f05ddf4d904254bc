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
        try self.init(parsing: Array(text.utf8), path: path)
    }

    /// Parses the UTF-8 `bytes` of a file; `path` names the file in errors.
    ///
    /// Works on bytes, one pass, linear in the file's size: an organisation's generated config with
    /// thousands of profiles is read on every `token` call, and the earlier Character-based reader
    /// spent about 335 M instructions on a 2,000-profile (256 KB) file. Only the names, keys and
    /// values become Strings.
    /// - Throws: `ConfigError.malformedFile` naming the path and line.
    public init(parsing bytes: [UInt8], path: String) throws {
        var reader = Reader(path: path)
        try bytes.withUnsafeBufferPointer { try reader.read($0) }
        sections = reader.sections
        sectionOrder = reader.sectionOrder
    }

    /// The one-pass reader behind `init(parsing:path:)`. A key's value is built up while its
    /// continuation lines arrive and stored once the next key, section or the end comes, so a long
    /// continued value or nested block costs linear time.
    private struct Reader {
        let path: String
        var sections: [String: [String: Value]] = [:]
        var sectionOrder: [String] = []
        var current: String?
        // The keys of the section being read, kept apart from `sections` until the next header so
        // that storing a key hashes one short key, not the section name too.
        var currentKeys: [String: Value] = [:]
        // The key being read, its indent, and its value so far.
        var key: String?
        var keyIndent = 0
        var lines: [String] = []
        var nested: [String: String]?

        init(path: String) { self.path = path }

        static let space = UInt8(ascii: " "), tab = UInt8(ascii: "\t"), cr = UInt8(ascii: "\r")
        static let lf = UInt8(ascii: "\n")

        mutating func read(_ all: UnsafeBufferPointer<UInt8>) throws {
            var start = 0
            // A UTF-8 byte order mark.
            if all.count >= 3, all[0] == 0xEF, all[1] == 0xBB, all[2] == 0xBF { start = 3 }
            var lineNumber = 0
            while start < all.count {
                // LF, CRLF and a lone CR all end a line.
                var end = start
                while end < all.count, all[end] != Self.lf, all[end] != Self.cr { end += 1 }
                lineNumber += 1
                try line(all, start, end, lineNumber)
                if end < all.count, all[end] == Self.cr, end + 1 < all.count, all[end + 1] == Self.lf { end += 1 }
                start = end + 1
            }
            flush()
            closeSection()
        }

        /// Stores the keys of the section being read.
        mutating func closeSection() {
            guard let current else { return }
            sections[current] = currentKeys
            currentKeys = [:]
        }

        mutating func line(_ all: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ lineNumber: Int) throws {
            var indent = 0
            while start + indent < end, all[start + indent] == Self.space || all[start + indent] == Self.tab {
                indent += 1
            }
            var first = start + indent
            var last = end
            while last > first, Self.isSpace(all[last - 1]) { last -= 1 }
            while first < last, Self.isSpace(all[first]) { first += 1 }
            if first == last { return }
            let lead = all[first]
            if lead == UInt8(ascii: "#") || lead == UInt8(ascii: ";") { return }
            if indent > 0, current != nil, let key, indent > keyIndent {
                try continuation(all, first, last, key: key, lineNumber)
                return
            }
            if lead == UInt8(ascii: "[") {
                guard let close = (first..<last).first(where: { all[$0] == UInt8(ascii: "]") }) else {
                    throw ConfigError.malformedFile(path: path, line: lineNumber, reason: "section header without ']'")
                }
                guard Self.strippingInlineComment(all, close + 1, last).isEmpty else {
                    throw ConfigError.malformedFile(
                        path: path, line: lineNumber, reason: "unexpected text after section header")
                }
                flush()
                closeSection()
                let name = Self.trimmedString(all, first + 1, close)
                current = name
                // A repeated section merges into the first one, keys read later winning.
                if let earlier = sections.removeValue(forKey: name) {
                    currentKeys = earlier
                } else {
                    sectionOrder.append(name)
                }
                return
            }
            guard let section = current else {
                throw ConfigError.malformedFile(
                    path: path, line: lineNumber, reason: "a line appears before any [section] header")
            }
            guard let delimiter = Self.delimiter(all, first, last) else {
                throw ConfigError.malformedFile(
                    path: path, line: lineNumber, reason: "expected 'key = value' in [\(section)]")
            }
            let name = Self.trimmedString(all, first, delimiter).lowercased()
            guard !name.isEmpty else {
                throw ConfigError.malformedFile(
                    path: path, line: lineNumber, reason: "a value without a key in [\(section)]")
            }
            flush()
            key = name
            keyIndent = indent
            // A command line keeps `#` and `;` inside its quotes (`sh -c "a; b"`), as a shell would.
            lines = [
                Self.strippingInlineComment(all, delimiter + 1, last, quoteAware: name == "credential_process")
            ]
        }

        /// An indented line after `key`: a nested `k = v` when the key's own value was empty, else more text.
        mutating func continuation(
            _ all: UnsafeBufferPointer<UInt8>, _ first: Int, _ last: Int, key: String, _ lineNumber: Int
        ) throws {
            if nested == nil, lines == [""] { nested = [:] }
            if nested != nil {
                guard let delimiter = Self.delimiter(all, first, last) else {
                    throw ConfigError.malformedFile(
                        path: path, line: lineNumber,
                        reason: "expected 'key = value' inside '\(key)' in [\(current ?? "")]")
                }
                nested![Self.trimmedString(all, first, delimiter).lowercased()] = Self.strippingInlineComment(
                    all, delimiter + 1, last)
            } else {
                lines.append(Self.strippingInlineComment(all, first, last))
            }
        }

        /// Stores the key being read, if any.
        mutating func flush() {
            guard let key, current != nil else { return }
            currentKeys[key] = nested.map(Value.nested) ?? .string(lines.count == 1 ? lines[0] : lines.joined(separator: "\n"))
            self.key = nil
            lines = []
            nested = nil
        }

        static func isSpace(_ byte: UInt8) -> Bool { byte == space || byte == tab || byte == cr || byte == lf }

        /// The first `=` or `:` in `first..<last`.
        static func delimiter(_ all: UnsafeBufferPointer<UInt8>, _ first: Int, _ last: Int) -> Int? {
            (first..<last).first { all[$0] == UInt8(ascii: "=") || all[$0] == UInt8(ascii: ":") }
        }

        /// The bytes `first..<last` without surrounding whitespace, as a String (invalid UTF-8 repaired).
        static func trimmedString(_ all: UnsafeBufferPointer<UInt8>, _ first: Int, _ last: Int) -> String {
            var (first, last) = (first, last)
            while first < last, isSpace(all[first]) { first += 1 }
            while last > first, isSpace(all[last - 1]) { last -= 1 }
            return String(decoding: UnsafeBufferPointer(rebasing: all[first..<last]), as: UTF8.self)
        }

        /// The text before a `#` or `;` that follows whitespace (or starts the text), trimmed; with
        /// `quoteAware`, not one inside single or double quotes.
        static func strippingInlineComment(
            _ all: UnsafeBufferPointer<UInt8>, _ first: Int, _ last: Int, quoteAware: Bool = false
        ) -> String {
            var previousWasSpace = true
            var quote: UInt8?
            var end = last
            var index = first
            while index < last {
                let c = all[index]
                if let open = quote {
                    if c == open { quote = nil }
                } else if quoteAware && (c == UInt8(ascii: "'") || c == UInt8(ascii: "\"")) {
                    quote = c
                } else if (c == UInt8(ascii: "#") || c == UInt8(ascii: ";")) && previousWasSpace {
                    end = index
                    break
                }
                previousWasSpace = c == space || c == tab
                index += 1
            }
            return trimmedString(all, first, end)
        }
    }

    /// The text before a `#` or `;` that follows whitespace, trimmed; with `quoteAware`, not one
    /// inside single or double quotes.
    static func strippingInlineComment(_ text: String, quoteAware: Bool = false) -> String {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { Reader.strippingInlineComment($0, 0, $0.count, quoteAware: quoteAware) }
    }
}
