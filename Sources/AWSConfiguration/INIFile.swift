import AWSSigning
import EKSAuthPlatform
import EKSAuthSystem

/// The parsed contents of an AWS-style INI file: sections of keys, some keys holding nested sub-sections.
///
/// Follows botocore's reading of the files with a few deliberate kindnesses: a UTF-8 byte order mark
/// and CRLF line ends are accepted, inline comments (`value  # note`) are dropped when preceded by
/// whitespace, and a repeated section or key merges with the later value winning.
///
/// Reading is in two steps, both on bytes and linear in the file's size. Parsing checks every line
/// of the whole file (so a malformed line anywhere is reported, with its line number, as botocore
/// reports it) but keeps only the section names and where each section's lines are; the keys of a
/// section become Strings when they are asked for (`keys(ofSection:)`). An organisation's
/// generated config with thousands of profiles is read on every `token` call, and only one or two
/// of its sections are used: on a 2,000-profile (290 KB) file the Character-based reader this
/// replaced spent about 400 M instructions per call, building every key of every profile.
public struct INIFile: Sendable {
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

    /// The file's bytes and, for each section header in file order, where its name and its lines are.
    private var bytes: [UInt8] = []
    private var headers: [Header] = []

    /// A section header: the byte offsets of its name (inside the brackets, trimmed) and of the lines
    /// up to the next header. Plain Ints, not `Range<Int>`: instantiating that generic type at run
    /// time checks `Int: Comparable` by scanning every conformance record of the binary, about
    /// 0.35 M instructions on the token path (callgrind).
    private struct Header: Sendable {
        var nameStart: Int
        var nameEnd: Int
        var bodyStart: Int
        var bodyEnd: Int
        /// Whether the name holds a quote or backslash (so splitting it into words needs a shell-word split).
        var hasQuoting: Bool
    }

    /// A section header's name as written (inside the brackets, trimmed), for matching it without
    /// making a String of it.
    public struct SectionName {
        /// The name's UTF-8 bytes.
        public var bytes: UnsafeBufferPointer<UInt8>
        /// Whether the name holds a `"`, `'` or `\`: only then can its shell words differ from its
        /// blank-separated words. Found while the file is checked, so a look-up through thousands of
        /// headers does not scan each one again.
        public var hasQuoting: Bool
    }

    /// An empty file.
    public init() {}

    /// Parses `text`; `path` names the file in errors.
    /// - Throws: `ConfigError.malformedFile` naming the path and line.
    public init(parsing text: String, path: String) throws {
        try self.init(parsing: Array(text.utf8), path: path)
    }

    /// Parses the UTF-8 `bytes` of a file; `path` names the file in errors.
    /// - Throws: `ConfigError.malformedFile` naming the path and line.
    public init(parsing bytes: [UInt8], path: String) throws {
        var reader = Reader(path: path, building: false)
        var start = 0
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { start = 3 }
        try bytes.withUnsafeBufferPointer { try reader.read($0, from: start, to: $0.count, firstLine: 1) }
        self.bytes = bytes
        self.headers = reader.headers
    }

    /// Section names (as written, inside the brackets and trimmed) in the order they first appear.
    public var sectionOrder: [String] {
        sectionNames { _ in true }
    }

    /// The names of the sections whose name bytes satisfy `matches`, each once, in the order they
    /// first appear; only the matching names become Strings.
    public func sectionNames(where matches: (SectionName) -> Bool) -> [String] {
        bytes.withUnsafeBufferPointer { all in
            var names: [String] = []
            guard let base = all.baseAddress else { return names }
            for header in headers {
                let name = UnsafeBufferPointer(start: base + header.nameStart, count: header.nameEnd - header.nameStart)
                guard matches(SectionName(bytes: name, hasQuoting: header.hasQuoting)) else { continue }
                let text = String(decoding: name, as: UTF8.self)
                if !names.contains(text) { names.append(text) }
            }
            return names
        }
    }

    /// The keys (lower-cased) of section `name`, merged over every time it appears with later values
    /// winning; nil when the file has no such section.
    public func keys(ofSection name: String) -> [String: Value]? {
        var utf8 = name
        return utf8.withUTF8 { wanted in
            bytes.withUnsafeBufferPointer { all in
                var reader = Reader(path: "", building: true)
                var found = false
                guard let base = all.baseAddress else { return nil }
                for header in headers where header.nameEnd - header.nameStart == wanted.count {
                    guard Self.same(base + header.nameStart, wanted) else { continue }
                    found = true
                    reader.enter(name)
                    // Parsing already checked every line, so reading them again cannot fail.
                    try? reader.read(all, from: header.bodyStart, to: header.bodyEnd, firstLine: 0)
                    reader.flush()
                }
                return found ? reader.keys : nil
            }
        }
    }

    /// Whether the `wanted.count` bytes at `start` are `wanted`. A plain loop from the end (names in a
    /// generated config share their beginnings): the generic `elementsEqual` cost about 280
    /// instructions a header on a 2,000-profile config.
    static func same(_ start: UnsafePointer<UInt8>, _ wanted: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = wanted.count
        while index > 0 {
            index -= 1
            if start[index] != wanted[index] { return false }
        }
        return true
    }

    /// Every section's keys, by section name; builds them all, so prefer `keys(ofSection:)`.
    public var sections: [String: [String: Value]] {
        Dictionary(uniqueKeysWithValues: sectionOrder.map { ($0, keys(ofSection: $0) ?? [:]) })
    }

    /// The text before a `#` or `;` that follows whitespace, trimmed; with `quoteAware`, not one
    /// inside single or double quotes.
    static func strippingInlineComment(_ text: String, quoteAware: Bool = false) -> String {
        Array(text.utf8).withUnsafeBufferPointer {
            let (first, end) = Reader.valueRange($0, 0, $0.count, quoteAware: quoteAware)
            return Reader.string($0, first, end)
        }
    }

    /// The one-pass line reader. Checking (`building == false`) records section names and their line
    /// ranges and throws on the first malformed line; building reads a section's lines into `keys`.
    /// A key's value is built up while its continuation lines arrive and stored once the next key or
    /// the end comes, so a long continued value or nested block costs linear time.
    private struct Reader {
        let path: String
        let building: Bool
        var headers: [Header] = []
        var keys: [String: Value] = [:]
        var current: String?
        var open = false
        // The key being read: its name (when building), its indent, whether its own value was
        // empty (so that indented lines are a nested block), and its value so far.
        var hasKey = false
        var key = ""
        var keyRange = (0, 0)
        var keyIndent = 0
        var isNested = false
        var valueWasEmpty = false
        var lines: [String] = []
        var nested: [String: String] = [:]

        init(path: String, building: Bool) {
            self.path = path
            self.building = building
        }

        static let space = UInt8(ascii: " "), tab = UInt8(ascii: "\t"), cr = UInt8(ascii: "\r")
        static let lf = UInt8(ascii: "\n")

        mutating func enter(_ section: String) {
            current = section
            hasKey = false
        }

        /// Reads the lines in `from..<to`; `firstLine` numbers the first of them, for errors.
        mutating func read(_ all: UnsafeBufferPointer<UInt8>, from: Int, to: Int, firstLine: Int) throws {
            var start = from
            var lineNumber = firstLine
            guard let base = all.baseAddress, from < to else {
                if !building { closeSection(at: to) }
                return
            }
            // Most files have no CR at all: then memchr (vectorised in libc) finds each line end,
            // about a tenth of the instructions of a byte loop on a 290 KB config.
            let hasCR = findByte(Self.cr, in: base + from, count: to - from) != nil
            while start < to {
                // LF, CRLF and a lone CR all end a line.
                var end = start
                if hasCR {
                    while end < to, all[end] != Self.lf, all[end] != Self.cr { end += 1 }
                } else if let found = findByte(Self.lf, in: base + start, count: to - start) {
                    end = UnsafeRawPointer(base).distance(to: found)
                } else {
                    end = to
                }
                try line(all, start, end, lineNumber)
                if end < to, all[end] == Self.cr, end + 1 < to, all[end + 1] == Self.lf { end += 1 }
                start = end + 1
                lineNumber += 1
            }
            if !building { closeSection(at: to) }
        }

        mutating func line(_ all: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ lineNumber: Int) throws {
            var indent = 0
            while start + indent < end, all[start + indent] == Self.space || all[start + indent] == Self.tab {
                indent += 1
            }
            let (first, last) = Self.trimmed(all, start + indent, end)
            if first == last { return }
            let lead = all[first]
            if lead == UInt8(ascii: "#") || lead == UInt8(ascii: ";") { return }
            if indent > 0, open || building, hasKey, indent > keyIndent {
                try continuation(all, first, last, lineNumber)
                return
            }
            if lead == UInt8(ascii: "[") {
                var close = first + 1
                var hasQuoting = false
                while close < last, all[close] != UInt8(ascii: "]") {
                    let c = all[close]
                    if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") || c == UInt8(ascii: "\\") {
                        hasQuoting = true
                    }
                    close += 1
                }
                guard close < last else {
                    throw ConfigError.malformedFile(path: path, line: lineNumber, reason: "section header without ']'")
                }
                guard Self.isEmptyValue(all, close + 1, last) else {
                    throw ConfigError.malformedFile(
                        path: path, line: lineNumber, reason: "unexpected text after section header")
                }
                closeSection(at: start)
                let (nameStart, nameEnd) = Self.trimmed(all, first + 1, close)
                headers.append(
                    Header(nameStart: nameStart, nameEnd: nameEnd, bodyStart: end, bodyEnd: end, hasQuoting: hasQuoting)
                )
                open = true
                hasKey = false
                return
            }
            guard open || building else {
                throw ConfigError.malformedFile(
                    path: path, line: lineNumber, reason: "a line appears before any [section] header")
            }
            guard let delimiter = Self.delimiter(all, first, last) else {
                throw ConfigError.malformedFile(
                    path: path, line: lineNumber, reason: "expected 'key = value' in [\(sectionName(all))]")
            }
            let (keyFirst, keyEnd) = Self.trimmed(all, first, delimiter)
            guard keyFirst < keyEnd else {
                throw ConfigError.malformedFile(
                    path: path, line: lineNumber, reason: "a value without a key in [\(sectionName(all))]")
            }
            flush()
            hasKey = true
            keyRange = (keyFirst, keyEnd)
            keyIndent = indent
            isNested = false
            // A command line keeps `#` and `;` inside its quotes (`sh -c "a; b"`), as a shell would.
            valueWasEmpty = Self.isEmptyValue(all, delimiter + 1, last)
            if building {
                let quoteAware = Self.equalsLowercased(all, keyFirst, keyEnd, "credential_process")
                let (valueFirst, valueEnd) = Self.valueRange(all, delimiter + 1, last, quoteAware: quoteAware)
                key = Self.string(all, keyFirst, keyEnd).lowercased()
                lines = [Self.string(all, valueFirst, valueEnd)]
            }
        }

        /// An indented line after the key: a nested `k = v` when the key's own value was empty, else more text.
        mutating func continuation(_ all: UnsafeBufferPointer<UInt8>, _ first: Int, _ last: Int, _ lineNumber: Int)
            throws
        {
            if valueWasEmpty && !isNested {
                isNested = true
                if building { nested = [:] }
            }
            if isNested {
                guard let delimiter = Self.delimiter(all, first, last) else {
                    let name = Self.string(all, keyRange.0, keyRange.1).lowercased()
                    throw ConfigError.malformedFile(
                        path: path, line: lineNumber,
                        reason: "expected 'key = value' inside '\(name)' in [\(sectionName(all))]")
                }
                if building {
                    let (valueFirst, valueEnd) = Self.valueRange(all, delimiter + 1, last)
                    nested[Self.string(all, first, delimiter).lowercased()] = Self.string(all, valueFirst, valueEnd)
                }
            } else if building {
                let (valueFirst, valueEnd) = Self.valueRange(all, first, last)
                lines.append(Self.string(all, valueFirst, valueEnd))
            }
        }

        /// Stores the key being read, if any (when building).
        @inline(__always)
        mutating func flush() {
            guard hasKey else { return }
            if building {
                keys[key] =
                    isNested ? .nested(nested) : .string(lines.count == 1 ? lines[0] : lines.joined(separator: "\n"))
                lines = []
                nested = [:]
            }
            hasKey = false
        }

        /// Records where the open section's lines end (when checking).
        mutating func closeSection(at end: Int) {
            guard open, !building else { return }
            headers[headers.count - 1].bodyEnd = max(headers[headers.count - 1].bodyStart, end)
            open = false
        }

        /// The name of the section being read, for messages.
        func sectionName(_ all: UnsafeBufferPointer<UInt8>) -> String {
            if let current { return current }
            guard let header = headers.last else { return "" }
            return Self.string(all, header.nameStart, header.nameEnd)
        }

        static func isSpace(_ byte: UInt8) -> Bool { byte == space || byte == tab || byte == cr || byte == lf }

        /// `first..<last` without surrounding whitespace.
        @inline(__always)
        static func trimmed(_ all: UnsafeBufferPointer<UInt8>, _ first: Int, _ last: Int) -> (Int, Int) {
            var (first, last) = (first, last)
            while first < last, isSpace(all[first]) { first += 1 }
            while last > first, isSpace(all[last - 1]) { last -= 1 }
            return (first, last)
        }

        /// The first `=` or `:` in `first..<last`.
        ///
        /// Eight bytes at a time while eight remain (every key line of every profile is scanned on
        /// every call): a word's bytes equal to `=` or `:` become zero bytes after an XOR, and the
        /// classic has-zero-byte test finds the lowest of them exactly. About a third of the
        /// instructions of the byte loop on a 2,000-profile config.
        static func delimiter(_ all: UnsafeBufferPointer<UInt8>, _ first: Int, _ last: Int) -> Int? {
            let ones: UInt64 = 0x0101_0101_0101_0101
            let highs: UInt64 = 0x8080_8080_8080_8080
            var index = first
            if let base = all.baseAddress {
                let raw = UnsafeRawPointer(base)
                while index + 8 <= last {
                    let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                    let equals = word ^ (ones &* UInt64(UInt8(ascii: "=")))
                    let colons = word ^ (ones &* UInt64(UInt8(ascii: ":")))
                    let found = ((equals &- ones) & ~equals | (colons &- ones) & ~colons) & highs
                    if found != 0 { return index + found.trailingZeroBitCount / 8 }
                    index += 8
                }
            }
            while index < last {
                if all[index] == UInt8(ascii: "=") || all[index] == UInt8(ascii: ":") { return index }
                index += 1
            }
            return nil
        }

        /// The bytes `first..<last` without surrounding whitespace, as a String (invalid UTF-8 repaired).
        static func string(_ all: UnsafeBufferPointer<UInt8>, _ first: Int, _ last: Int) -> String {
            let (first, last) = trimmed(all, first, last)
            return String(decoding: UnsafeBufferPointer(rebasing: all[first..<last]), as: UTF8.self)
        }

        /// Whether `first..<last` spells `word` (lower-case ASCII), ignoring ASCII case.
        static func equalsLowercased(_ all: UnsafeBufferPointer<UInt8>, _ first: Int, _ last: Int, _ word: StaticString)
            -> Bool
        {
            guard last - first == word.utf8CodeUnitCount else { return false }
            let letters = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
            for offset in 0..<letters.count {
                var c = all[first + offset]
                if c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z") { c += 32 }
                if c != letters[offset] { return false }
            }
            return true
        }

        /// Whether the value in `first..<last` is empty: nothing but whitespace before its end or a
        /// comment (a `#` or `;` at its start or after whitespace ends it, so one after leading
        /// whitespace does). The same answer as `valueRange`, without scanning the whole value.
        static func isEmptyValue(_ all: UnsafeBufferPointer<UInt8>, _ first: Int, _ last: Int) -> Bool {
            var index = first
            while index < last, isSpace(all[index]) { index += 1 }
            return index == last || all[index] == UInt8(ascii: "#") || all[index] == UInt8(ascii: ";")
        }

        /// The value in `first..<last`: the text before a `#` or `;` that follows whitespace (or starts
        /// it), trimmed; with `quoteAware`, not one inside single or double quotes.
        static func valueRange(_ all: UnsafeBufferPointer<UInt8>, _ first: Int, _ last: Int, quoteAware: Bool = false)
            -> (Int, Int)
        {
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
            return trimmed(all, first, end)
        }
    }
}

extension INIFile: Equatable {
    /// Files are equal when they have the same sections, in the same order, with the same keys.
    public static func == (lhs: INIFile, rhs: INIFile) -> Bool {
        lhs.sectionOrder == rhs.sectionOrder && lhs.sections == rhs.sections
    }
}
