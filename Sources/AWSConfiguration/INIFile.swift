import AWSSigning
import EKSAuthPlatform
import EKSAuthSystem

/// The parsed contents of an AWS-style INI file: sections of keys, some keys holding nested sub-sections.
///
/// Reads a file as botocore does (`configloader.raw_config_parse` over Python 3's
/// `configparser.RawConfigParser` with its defaults), rule for rule:
/// - a line is a comment when it starts, after whitespace, with `#` or `;`; a comment or blank line
///   never ends a value;
/// - a line indented deeper than the line of the key before it continues that key's value (blank
///   lines inside a value are kept; trailing ones are dropped);
/// - a section header is `[` … `]` up to the *last* `]` of the line; its name is kept as written
///   (not trimmed) and text after the `]` is ignored (`ignoredText` lists it, for `--verbose`);
/// - a key line splits at its first `=` or `:`; the key is lower-cased;
/// - a key whose own value is empty and which has continuation lines is a nested block, read as
///   botocore's `_parse_nested` reads it: `name = value` lines split at the first `=` only, names
///   kept as written;
/// - a section named `DEFAULT` is no section: its keys are the defaults of every section of the file;
/// - a file fails as a whole, with its line, on a line before any header, a line that is neither
///   header, key nor continuation, a key without a name, a nested line without `=`, a section that
///   appears twice or a key that appears twice in one section (configparser's `strict` mode);
/// - whitespace is Python's (`str.isspace`): ASCII blanks and controls 0x09–0x0D, 0x1C–0x1F, and the
///   Unicode spaces such as U+00A0; indentation is counted in characters.
///
/// Two deliberate kindnesses, listed in Docs/compatibility.md: a UTF-8 byte order mark is skipped
/// (botocore fails on it), and a one-line value loses a trailing comment that follows whitespace
/// (`region = eu-west-1  # Ireland`), as the Java, Go and Rust SDKs read it (botocore keeps it in the
/// value, where it then fails as a region name).
///
/// Reading is in two steps, both on bytes and linear in the file's size. Parsing checks every line
/// of the whole file but keeps only the section names and where each section's lines are; the keys
/// of a section become Strings when they are asked for (`keys(ofSection:)`). An organisation's
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
    private var hasDefaults = false
    /// Lines whose text after a section header's `]` was ignored, as botocore ignores it.
    public private(set) var ignoredText: [Int] = []

    /// A section header: the byte offsets of its name (inside the brackets) and of the lines up to
    /// the next header. Plain Ints, not `Range<Int>`: instantiating that generic type at run time
    /// checks `Int: Comparable` by scanning every conformance record of the binary, about 0.35 M
    /// instructions on the token path (callgrind).
    private struct Header: Sendable {
        var nameStart: Int
        var nameEnd: Int
        var bodyStart: Int
        var bodyEnd: Int
        /// The header's line number (1-based), from which the body's lines are numbered.
        var line: Int
        /// Whether the name holds a quote or backslash (so splitting it into words needs a shell-word split).
        var hasQuoting: Bool
        /// Whether this is a `[DEFAULT]` header, whose keys every section inherits.
        var isDefaults: Bool
    }

    /// A section header's name as written (inside the brackets), for matching it without making a
    /// String of it.
    public struct SectionName {
        /// The name's UTF-8 bytes.
        public var bytes: UnsafeBufferPointer<UInt8>
        /// Whether the name holds a `"`, `'` or `\`: only then can its shell words differ from its
        /// blank-separated words. Found while the file is checked, so a look-up through thousands of
        /// headers does not scan each one again.
        public var hasQuoting: Bool
    }

    /// The name configparser gives the section of defaults.
    static let defaultsName: [UInt8] = Array("DEFAULT".utf8)

    /// An empty file.
    public init() {}

    /// Parses `text`; `path` names the file in errors.
    /// - Throws: `ConfigError.malformedFile` or `.duplicateInFile` naming the path and line.
    public init(parsing text: String, path: String) throws {
        try self.init(parsing: Array(text.utf8), path: path)
    }

    /// Parses the UTF-8 `bytes` of a file; `path` names the file in errors.
    /// - Throws: `ConfigError.malformedFile` or `.duplicateInFile` naming the path and line.
    public init(parsing bytes: [UInt8], path: String) throws {
        var reader = Reader(path: path, mode: .checking)
        defer { reader.sectionKeys?.deallocate() }
        var start = 0
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { start = 3 }
        try bytes.withUnsafeBufferPointer { try reader.read($0, from: start, to: $0.count, firstLine: 1) }
        self.bytes = bytes
        self.headers = reader.headers
        self.hasDefaults = reader.defaultsScope != nil
        self.ignoredText = reader.ignoredText
    }

    /// Section names (as written, inside the brackets) in file order; `DEFAULT` is not a section.
    public var sectionOrder: [String] {
        sectionNames { _ in true }
    }

    /// The names of the sections whose name bytes satisfy `matches`, in file order; only the
    /// matching names become Strings. Each name appears once (a repeated section fails the parse).
    public func sectionNames(where matches: (SectionName) -> Bool) -> [String] {
        bytes.withUnsafeBufferPointer { all in
            var names: [String] = []
            guard let base = all.baseAddress else { return names }
            for header in headers where !header.isDefaults {
                let name = UnsafeBufferPointer(start: base + header.nameStart, count: header.nameEnd - header.nameStart)
                guard matches(SectionName(bytes: name, hasQuoting: header.hasQuoting)) else { continue }
                names.append(String(decoding: name, as: UTF8.self))
            }
            return names
        }
    }

    /// The keys (lower-cased) of section `name`, over the keys of `[DEFAULT]`; nil when the file has
    /// no such section.
    public func keys(ofSection name: String) -> [String: Value]? {
        var reader = Reader(path: "", mode: .building)
        return read(section: name, with: &reader) ? reader.keys : nil
    }

    /// The line number of every key (lower-cased) of section `name` and of `[DEFAULT]`, the section's
    /// own winning; nil when there is no such section. For messages and listings only: it reads the
    /// section's lines again, in one pass.
    public func keyLines(ofSection name: String) -> [String: Int]? {
        var reader = Reader(path: "", mode: .locating)
        guard read(section: name, with: &reader) else { return nil }
        return reader.keyLines
    }

    /// Runs `reader` over the `[DEFAULT]` sections and then section `name`; false when there is no such section.
    private func read(section name: String, with reader: inout Reader) -> Bool {
        var utf8 = name
        return utf8.withUTF8 { wanted in
            bytes.withUnsafeBufferPointer { all in
                guard let base = all.baseAddress else { return false }
                var found = false
                for header in headers where !header.isDefaults && header.nameEnd - header.nameStart == wanted.count {
                    guard Self.same(base + header.nameStart, wanted) else { continue }
                    found = true
                    if hasDefaults {
                        for defaults in headers where defaults.isDefaults { reader.read(all, defaults) }
                    }
                    reader.read(all, header)
                }
                return found
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

    /// `key` lower-cased as Python's `str.lower` (configparser's `optionxform`) does it: the full
    /// Unicode lower-case mappings, and a capital sigma that ends a word becomes final sigma `ς`
    /// (Unicode's Final_Sigma condition), where Swift's `lowercased()` gives `σ`.
    static func lowercased(_ key: String) -> String {
        guard key.utf8.contains(where: { $0 >= 0x80 }) else { return key.lowercased() }
        let scalars = Array(key.unicodeScalars)
        var result = String.UnicodeScalarView()
        for (index, scalar) in scalars.enumerated() {
            guard scalar == "\u{03A3}" else {
                result.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
                continue
            }
            func casedNeighbour(_ range: some Sequence<Int>) -> Bool {
                for other in range where !scalars[other].properties.isCaseIgnorable {
                    return scalars[other].properties.isCased
                }
                return false
            }
            let final = casedNeighbour((0..<index).reversed()) && !casedNeighbour((index + 1)..<scalars.count)
            result.append(final ? "\u{03C2}" : "\u{03C3}")
        }
        return String(result)
    }

    /// Every section's keys, by section name; builds them all, so prefer `keys(ofSection:)`.
    public var sections: [String: [String: Value]] {
        Dictionary(uniqueKeysWithValues: sectionOrder.map { ($0, keys(ofSection: $0) ?? [:]) })
    }

    /// The text before a `#` or `;` that follows whitespace, trimmed; with `quoteAware`, not one
    /// inside single or double quotes.
    static func strippingInlineComment(_ text: String, quoteAware: Bool = false) -> String {
        Array(text.utf8).withUnsafeBufferPointer {
            let end = Reader.commentStart($0, 0, $0.count, quoteAware: quoteAware)
            return Reader.string($0, 0, end)
        }
    }

    /// The one-pass line reader. Checking records section names and their line ranges and throws on
    /// the first line that fails the file; building reads a section's lines into `keys`; locating
    /// records the line of each key. A key's value is built up while its continuation lines arrive and
    /// stored once the next key or the end comes, so a long continued value costs linear time.
    private struct Reader {
        enum Mode {
            case checking, building, locating
        }

        let path: String
        let building: Bool
        let checking: Bool
        var headers: [Header] = []
        var ignoredText: [Int] = []
        var keys: [String: Value] = [:]
        /// Each key's line (when locating).
        var keyLines: [String: Int] = [:]
        /// configparser's `cursect is not None`: a header has been read.
        var inSection = false
        /// configparser's `optname`: a key is open, so deeper lines continue it and blank lines join it.
        var hasKey = false
        /// configparser's `indent_level`: the indent (in characters) of the last header or key line.
        var indentLevel = 0
        /// The open key: its name's bytes, its first line's value (and where a trailing comment
        /// starts), whether that was empty (continuation lines then make a nested block), and the
        /// continuation and blank lines after it (when building).
        var keyRange = (0, 0)
        var firstValue = (0, 0, 0)
        var valueWasEmpty = false
        var keyIsCommand = false
        var more: [String] = []
        /// Duplicate detection while checking: the section names seen, and (section, key) pairs of
        /// `[DEFAULT]` and of sections with many keys; the keys of the open section (start, end,
        /// whether non-ASCII, line) while it has few, compared one by one (a generated profile has
        /// four or five keys: cheaper than hashing each).
        var seen = SeenNames()
        var scope = 0
        /// The open section's first keys while checking, two words each (signature, start << 32 |
        /// end), in a buffer the checking reader allocates and `INIFile.init` frees: stores through
        /// a pointer, where an Array (or a class holding the buffer) in the reader costs a
        /// uniqueness check or a retain and release on every store.
        var sectionKeys: UnsafeMutablePointer<UInt64>?
        static let keySlots = 32
        var sectionKeyCount = 0
        var keysHashed = false
        var defaultsScope: Int?

        init(path: String, mode: Mode) {
            self.path = path
            switch mode {
            case .checking:
                (building, checking) = (false, true)
                sectionKeys = .allocate(capacity: Self.keySlots)
            case .building: (building, checking) = (true, false)
            case .locating: (building, checking) = (false, false)
            }
        }

        static let space = UInt8(ascii: " "), tab = UInt8(ascii: "\t"), cr = UInt8(ascii: "\r")
        static let lf = UInt8(ascii: "\n")

        /// Reads the body of `header` (building or locating; the checking pass already passed it).
        mutating func read(_ all: UnsafeBufferPointer<UInt8>, _ header: Header) {
            inSection = true
            hasKey = false
            // The checking pass read these lines without an error, so reading them again cannot fail.
            try? read(all, from: header.bodyStart, to: header.bodyEnd, firstLine: header.line)
        }

        /// Reads the lines in `from..<to`; `firstLine` numbers the first of them.
        mutating func read(_ all: UnsafeBufferPointer<UInt8>, from: Int, to: Int, firstLine: Int) throws {
            var start = from
            var lineNumber = firstLine
            guard let base = all.baseAddress, from < to else {
                try finish(all, at: to)
                return
            }
            // Most files have no CR at all: then memchr (vectorised in libc) finds each line end,
            // about a tenth of the instructions of a byte loop on a 290 KB config.
            let hasCR = findByte(Self.cr, in: base + from, count: to - from) != nil
            while start < to {
                // LF, CRLF and a lone CR all end a line (Python's universal newlines).
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
            try finish(all, at: to)
        }

        /// Ends the open key and, when checking, the open section.
        mutating func finish(_ all: UnsafeBufferPointer<UInt8>, at end: Int) throws {
            flush(all)
            if !building, !headers.isEmpty, headers[headers.count - 1].bodyEnd < 0 {
                headers[headers.count - 1].bodyEnd = end
            }
        }

        mutating func line(_ all: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ lineNumber: Int) throws {
            var first = start
            var indent = 0
            // Most lines start and end with a printable ASCII byte: one comparison each.
            if first < end, all[first] &- 0x21 >= 0x5E {
                while first < end {
                    let width = Self.whitespaceWidth(all, first, end)
                    if width == 0 { break }
                    first += width
                    indent += 1
                }
            }
            var last = end
            if last > first, all[last - 1] &- 0x21 >= 0x5E {
                while last > first {
                    let width = Self.whitespaceWidthBefore(all, first, last)
                    if width == 0 { break }
                    last -= width
                }
            }
            if first == last {
                // A blank line joins the open value (configparser's `empty_lines_in_values`).
                if hasKey, building { more.append("") }
                return
            }
            let lead = all[first]
            if lead == UInt8(ascii: "#") || lead == UInt8(ascii: ";") { return }
            if hasKey, indent > indentLevel {
                try continuation(all, first, last, lineNumber)
                return
            }
            indentLevel = indent
            // `\[(.+)\]` matched at the start: the name runs to the last `]`, with at least one byte.
            if lead == UInt8(ascii: "["), last - first >= 3 {
                var close = last - 1
                while close > first + 1, all[close] != UInt8(ascii: "]") { close -= 1 }
                if close > first + 1 {
                    try header(
                        all, nameStart: first + 1, nameEnd: close, after: last, start: start, end: end, lineNumber)
                    return
                }
            }
            guard inSection else {
                throw ConfigError.malformedFile(
                    path: path, line: lineNumber, reason: "a line appears before any [section] header")
            }
            var keyIsWide = false
            guard let delimiter = Self.delimiter(all, first, last, wide: &keyIsWide) else {
                throw ConfigError.malformedFile(
                    path: path, line: lineNumber, reason: "expected 'key = value' in [\(sectionName(all))]")
            }
            var keyEnd = delimiter
            while keyEnd > first {
                let width = Self.whitespaceWidthBefore(all, first, keyEnd)
                if width == 0 { break }
                keyEnd -= width
            }
            guard first < keyEnd else {
                throw ConfigError.malformedFile(
                    path: path, line: lineNumber, reason: "a value without a key in [\(sectionName(all))]")
            }
            flush(all)
            if checking, let previous = checkKey(all, first, keyEnd, wide: keyIsWide) {
                let key = INIFile.lowercased(Self.string(all, first, keyEnd))
                throw ConfigError.duplicateInFile(
                    path: path, line: lineNumber, what: "key '\(key)' in [\(sectionName(all))]", firstLine: previous)
            }
            hasKey = true
            keyRange = (first, keyEnd)
            var valueFirst = delimiter + 1
            while valueFirst < last {
                let width = Self.whitespaceWidth(all, valueFirst, last)
                if width == 0 { break }
                valueFirst += width
            }
            valueWasEmpty = valueFirst == last
            if building {
                // A command line keeps `#` and `;` inside its quotes (`sh -c "a; b"`), as a shell would.
                keyIsCommand = Self.equalsLowercased(all, first, keyEnd, "credential_process")
                firstValue = (valueFirst, last, Self.commentStart(all, valueFirst, last, quoteAware: keyIsCommand))
            } else if !checking {
                keyLines[INIFile.lowercased(Self.string(all, first, keyEnd))] = lineNumber
            }
        }

        /// Records the key at `first..<last` of the open section; the line of the same key earlier in
        /// the section, if any (configparser's strict mode compares keys after `str.lower`). `wide`:
        /// the key has non-ASCII bytes.
        ///
        /// A few keys are compared one by one on a signature (the first eight bytes, case-folded, and
        /// the length), then in full when that matches; a section with many goes through the hash
        /// table, so a section of thousands stays linear.
        mutating func checkKey(_ all: UnsafeBufferPointer<UInt8>, _ first: Int, _ last: Int, wide: Bool) -> Int? {
            if keysHashed || wide {
                if !keysHashed { hashSectionKeys(all) }
                return seen.insert(all, first, last, scope: scope, line: first, foldCase: true).map {
                    lineNumber(all, at: $0)
                }
            }
            let signature = SeenNames.signature(all, first, last)
            let slots = sectionKeys!
            var index = 0
            while index < sectionKeyCount {
                if slots[index] == signature {
                    let start = Int(truncatingIfNeeded: slots[index + 1] >> 32)
                    let end = Int(truncatingIfNeeded: slots[index + 1] & 0xFFFF_FFFF)
                    if SeenNames.equal(all, start, end, first, last, foldCase: true, wide: false) {
                        return lineNumber(all, at: start)
                    }
                }
                index += 2
            }
            slots[sectionKeyCount] = signature
            slots[sectionKeyCount + 1] = UInt64(first) << 32 | UInt64(last)
            sectionKeyCount += 2
            if sectionKeyCount == Self.keySlots { hashSectionKeys(all) }
            return nil
        }

        /// Moves the open section's keys into the hash table; its later keys go there too.
        mutating func hashSectionKeys(_ all: UnsafeBufferPointer<UInt8>) {
            keysHashed = true
            for index in stride(from: 1, to: sectionKeyCount, by: 2) {
                let start = Int(truncatingIfNeeded: sectionKeys![index] >> 32)
                let end = Int(truncatingIfNeeded: sectionKeys![index] & 0xFFFF_FFFF)
                _ = seen.insert(all, start, end, scope: scope, line: start, foldCase: true)
            }
        }

        /// The line number (1-based) of byte `offset`, counting line ends as the reader does; for
        /// messages about an earlier line.
        func lineNumber(_ all: UnsafeBufferPointer<UInt8>, at offset: Int) -> Int {
            var line = 1
            var index = 0
            while index < offset {
                if all[index] == Self.lf
                    || (all[index] == Self.cr && !(index + 1 < all.count && all[index + 1] == Self.lf))
                {
                    line += 1
                }
                index += 1
            }
            return line
        }

        /// A section header whose name is `nameStart..<nameEnd`; `after` is where the stripped line ends.
        mutating func header(
            _ all: UnsafeBufferPointer<UInt8>, nameStart: Int, nameEnd: Int, after: Int, start: Int, end: Int,
            _ lineNumber: Int
        ) throws {
            flush(all)
            hasKey = false
            inSection = true
            guard !building else { return }
            let (nameHash, hasQuoting) = SeenNames.hashAndQuoting(all, nameStart, nameEnd)
            let isDefaults =
                nameEnd - nameStart == 7
                && INIFile.defaultsName.withUnsafeBufferPointer { INIFile.same(all.baseAddress! + nameStart, $0) }
            if isDefaults {
                // Every `[DEFAULT]` block fills the same defaults, so their keys share one scope.
                if defaultsScope == nil { defaultsScope = headers.count }
                scope = defaultsScope!
                keysHashed = true
            } else {
                if let previous = seen.insert(
                    hash: nameHash, all, nameStart, nameEnd, scope: -1, line: lineNumber, foldCase: false)
                {
                    throw ConfigError.duplicateInFile(
                        path: path, line: lineNumber, what: "section [\(Self.string(all, nameStart, nameEnd))]",
                        firstLine: previous)
                }
                scope = headers.count
                keysHashed = false
                sectionKeyCount = 0
            }
            if nameEnd + 1 < after { ignoredText.append(lineNumber) }
            if !headers.isEmpty, headers[headers.count - 1].bodyEnd < 0 { headers[headers.count - 1].bodyEnd = start }
            headers.append(
                Header(
                    nameStart: nameStart, nameEnd: nameEnd, bodyStart: end, bodyEnd: -1, line: lineNumber,
                    hasQuoting: hasQuoting, isDefaults: isDefaults))
        }

        /// A line deeper than the open key's: more of its value, or a line of its nested block.
        mutating func continuation(_ all: UnsafeBufferPointer<UInt8>, _ first: Int, _ last: Int, _ lineNumber: Int)
            throws
        {
            if building {
                more.append(Self.string(all, first, last))
            } else if checking, valueWasEmpty, !Self.nestedLineIsValid(all, first, last) {
                let name = INIFile.lowercased(Self.string(all, keyRange.0, keyRange.1))
                throw ConfigError.malformedFile(
                    path: path, line: lineNumber,
                    reason: "expected 'name = value' inside '\(name)' in [\(sectionName(all))]")
            }
        }

        /// Stores the open key, if any (when building).
        @inline(__always)
        mutating func flush(_ all: UnsafeBufferPointer<UInt8>) {
            guard hasKey else { return }
            hasKey = false
            guard building else { return }
            let key = INIFile.lowercased(Self.string(all, keyRange.0, keyRange.1))
            // The common case, one line (blank lines after it are dropped as trailing whitespace).
            if more.allSatisfy(\.isEmpty) {
                keys[key] = .string(Self.string(all, firstValue.0, firstValue.2))
                more = []
                return
            }
            var joined = Self.string(all, firstValue.0, firstValue.1)
            for line in more {
                joined += "\n"
                joined += line
            }
            more = []
            while let last = joined.unicodeScalars.last, last.properties.isWhitespace || Self.isPythonSpace(last) {
                joined.unicodeScalars.removeLast()
            }
            keys[key] = joined.hasPrefix("\n") ? .nested(Self.nested(joined)) : .string(joined)
        }

        /// botocore's `_parse_nested`: the lines (Python's `splitlines`), stripped, blank ones skipped,
        /// each split at its first `=` into a stripped name and value. The checking pass has made
        /// sure each line has its `=`.
        static func nested(_ text: String) -> [String: String] {
            var block: [String: String] = [:]
            for line in pythonLines(text) {
                let bytes = Array(line.utf8)
                bytes.withUnsafeBufferPointer { all in
                    let (first, last) = trimmed(all, 0, all.count)
                    guard first < last, let equals = all[first..<last].firstIndex(of: UInt8(ascii: "=")) else { return }
                    block[string(all, first, equals)] = string(all, equals + 1, last)
                }
            }
            return block
        }

        /// Whether a line of a nested block has its `=`: each of its pieces split as Python's
        /// `splitlines` splits (at U+000B, U+000C, U+001C–U+001E, U+0085, U+2028, U+2029 as well),
        /// once blank ones are dropped.
        static func nestedLineIsValid(_ all: UnsafeBufferPointer<UInt8>, _ first: Int, _ last: Int) -> Bool {
            let text = String(decoding: UnsafeBufferPointer(rebasing: all[first..<last]), as: UTF8.self)
            return pythonLines(text).allSatisfy { line in
                line.unicodeScalars.allSatisfy { $0.properties.isWhitespace || isPythonSpace($0) }
                    || line.contains("=")
            }
        }

        /// `text` split where Python's `str.splitlines` splits it.
        static func pythonLines(_ text: String) -> [Substring] {
            var lines: [Substring] = []
            var start = text.unicodeScalars.startIndex
            var index = start
            let scalars = text.unicodeScalars
            while index < scalars.endIndex {
                let value = scalars[index].value
                let breaks =
                    value == 0x0A || value == 0x0B || value == 0x0C || value == 0x0D || (0x1C...0x1E).contains(value)
                    || value == 0x85 || value == 0x2028 || value == 0x2029
                if breaks {
                    lines.append(Substring(scalars[start..<index]))
                    var next = scalars.index(after: index)
                    if value == 0x0D, next < scalars.endIndex, scalars[next].value == 0x0A {
                        next = scalars.index(after: next)
                    }
                    start = next
                    index = next
                } else {
                    index = scalars.index(after: index)
                }
            }
            if start < scalars.endIndex { lines.append(Substring(scalars[start...])) }
            return lines
        }

        /// Whether `scalar` is whitespace to Python (`str.isspace`) but not to Unicode's
        /// White_Space property: the separators U+001C–U+001F.
        static func isPythonSpace(_ scalar: Unicode.Scalar) -> Bool {
            (0x1C...0x1F).contains(scalar.value)
        }

        /// The name of the section being read, for messages.
        func sectionName(_ all: UnsafeBufferPointer<UInt8>) -> String {
            guard let header = headers.last else { return "" }
            return Self.string(all, header.nameStart, header.nameEnd)
        }

        /// The width in bytes of the character at `index` when Python's `str.isspace` holds for it,
        /// else 0: 0x09–0x0D, 0x1C–0x20, U+0085, U+00A0, U+1680, U+2000–U+200A, U+2028, U+2029,
        /// U+202F, U+205F, U+3000. The bytes are valid UTF-8 (checked before parsing).
        @inline(__always)
        static func whitespaceWidth(_ all: UnsafeBufferPointer<UInt8>, _ index: Int, _ end: Int) -> Int {
            let c = all[index]
            if c < 0x80 { return c == space || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F) ? 1 : 0 }
            return wideWhitespaceWidth(all, index, end)
        }

        static func wideWhitespaceWidth(_ all: UnsafeBufferPointer<UInt8>, _ index: Int, _ end: Int) -> Int {
            let c = all[index]
            if c == 0xC2, index + 1 < end { return all[index + 1] == 0x85 || all[index + 1] == 0xA0 ? 2 : 0 }
            guard index + 2 < end else { return 0 }
            let (b1, b2) = (all[index + 1], all[index + 2])
            switch c {
            case 0xE1: return b1 == 0x9A && b2 == 0x80 ? 3 : 0
            case 0xE2:
                if b1 == 0x80 { return b2 <= 0x8A || b2 == 0xA8 || b2 == 0xA9 || b2 == 0xAF ? 3 : 0 }
                return b1 == 0x81 && b2 == 0x9F ? 3 : 0
            case 0xE3: return b1 == 0x80 && b2 == 0x80 ? 3 : 0
            default: return 0
            }
        }

        /// The width in bytes of a whitespace character that ends at `end` (after `first`), else 0.
        @inline(__always)
        static func whitespaceWidthBefore(_ all: UnsafeBufferPointer<UInt8>, _ first: Int, _ end: Int) -> Int {
            let c = all[end - 1]
            if c < 0x80 { return c == space || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F) ? 1 : 0 }
            if end - 2 >= first, wideWhitespaceWidth(all, end - 2, end) == 2 { return 2 }
            if end - 3 >= first, wideWhitespaceWidth(all, end - 3, end) == 3 { return 3 }
            return 0
        }

        /// `first..<last` without surrounding (Python) whitespace.
        @inline(__always)
        static func trimmed(_ all: UnsafeBufferPointer<UInt8>, _ first: Int, _ last: Int) -> (Int, Int) {
            var (first, last) = (first, last)
            while first < last {
                let width = whitespaceWidth(all, first, last)
                if width == 0 { break }
                first += width
            }
            while last > first {
                let width = whitespaceWidthBefore(all, first, last)
                if width == 0 { break }
                last -= width
            }
            return (first, last)
        }

        /// The first `=` or `:` in `first..<last`.
        ///
        /// Eight bytes at a time while eight remain (every key line of every profile is scanned on
        /// every call): a word's bytes equal to `=` or `:` become zero bytes after an XOR, and the
        /// classic has-zero-byte test finds the lowest of them exactly. About a third of the
        /// instructions of the byte loop on a 2,000-profile config.
        /// `wide` is set when a byte before it (or in its word) is 0x80 or more (the key may have
        /// non-ASCII letters), found from the same words, for the duplicate-key check.
        static func delimiter(_ all: UnsafeBufferPointer<UInt8>, _ first: Int, _ last: Int, wide: inout Bool) -> Int? {
            let ones: UInt64 = 0x0101_0101_0101_0101
            let highs: UInt64 = 0x8080_8080_8080_8080
            var index = first
            var bits: UInt64 = 0
            if let base = all.baseAddress {
                let raw = UnsafeRawPointer(base)
                while index + 8 <= last {
                    let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                    let equals = word ^ (ones &* UInt64(UInt8(ascii: "=")))
                    let colons = word ^ (ones &* UInt64(UInt8(ascii: ":")))
                    let found = ((equals &- ones) & ~equals | (colons &- ones) & ~colons) & highs
                    if found != 0 {
                        // The whole word counts: a non-ASCII byte just after the delimiter only sends
                        // the key down the slower, still exact, path.
                        wide = (bits | word) & highs != 0
                        return index + found.trailingZeroBitCount / 8
                    }
                    bits |= word
                    index += 8
                }
            }
            while index < last {
                if all[index] == UInt8(ascii: "=") || all[index] == UInt8(ascii: ":") {
                    wide = bits & highs != 0
                    return index
                }
                bits |= UInt64(all[index])
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

        /// Where a trailing comment starts in the one-line value `first..<last`: a `#` or `;` after
        /// a space or tab (or at the start); with `quoteAware`, not one inside single or double
        /// quotes. `last` when there is none.
        static func commentStart(_ all: UnsafeBufferPointer<UInt8>, _ first: Int, _ last: Int, quoteAware: Bool) -> Int
        {
            var previousWasSpace = true
            var quote: UInt8?
            var index = first
            while index < last {
                let c = all[index]
                if let open = quote {
                    if c == open { quote = nil }
                } else if quoteAware && (c == UInt8(ascii: "'") || c == UInt8(ascii: "\"")) {
                    quote = c
                } else if (c == UInt8(ascii: "#") || c == UInt8(ascii: ";")) && previousWasSpace {
                    return index
                }
                previousWasSpace = c == space || c == tab
                index += 1
            }
            return last
        }
    }

    /// The section names and (section, key) pairs met while checking a file, to find a repeated one
    /// as configparser's strict mode does. An open-addressing table of 64-bit hashes over the bytes
    /// in the file (keys folded to lower case), so a generated config's thousands of headers and
    /// keys cost a few instructions a byte and no String each.
    struct SeenNames {
        struct Entry {
            var hash: UInt64
            var start: Int32
            var end: Int32
            var scope: Int32
            var line: Int32
        }

        private var slots: [Entry] = []
        private var count = 0

        /// Records the name at `first..<last` in `scope` (-1 for section names); returns the line of
        /// the earlier same name, if any. Keys compare as configparser's `optionxform` (`str.lower`)
        /// makes them: ASCII letters fold here; a key with other letters is folded by `lowercased()`.
        mutating func insert(
            _ all: UnsafeBufferPointer<UInt8>, _ first: Int, _ last: Int, scope: Int, line: Int, foldCase: Bool
        ) -> Int? {
            insert(
                hash: Self.hash(all, first, last, scope: scope, foldCase: foldCase), all, first, last, scope: scope,
                line: line, foldCase: foldCase)
        }

        /// `insert` with the name's hash already made (`hashAndQuoting` for a section name).
        mutating func insert(
            hash: UInt64, _ all: UnsafeBufferPointer<UInt8>, _ first: Int, _ last: Int, scope: Int, line: Int,
            foldCase: Bool
        ) -> Int? {
            if slots.isEmpty {
                slots = Array(repeating: Entry(hash: 0, start: 0, end: 0, scope: 0, line: 0), count: 64)
            }
            var index = Int(truncatingIfNeeded: hash) & (slots.count - 1)
            while slots[index].hash != 0 {
                let entry = slots[index]
                if entry.hash == hash, entry.scope == scope,
                    Self.equal(all, Int(entry.start), Int(entry.end), first, last, foldCase: foldCase)
                {
                    return Int(entry.line)
                }
                index = (index + 1) & (slots.count - 1)
            }
            slots[index] = Entry(
                hash: hash, start: Int32(truncatingIfNeeded: first), end: Int32(truncatingIfNeeded: last),
                scope: Int32(truncatingIfNeeded: scope), line: Int32(truncatingIfNeeded: line))
            count += 1
            if count * 2 > slots.count { grow() }
            return nil
        }

        private mutating func grow() {
            let old = slots
            slots = Array(repeating: Entry(hash: 0, start: 0, end: 0, scope: 0, line: 0), count: old.count * 2)
            for entry in old where entry.hash != 0 {
                var index = Int(truncatingIfNeeded: entry.hash) & (slots.count - 1)
                while slots[index].hash != 0 { index = (index + 1) & (slots.count - 1) }
                slots[index] = entry
            }
        }

        /// A hash of the bytes (ASCII letters folded when `foldCase`), mixed with the scope; never 0.
        /// Eight bytes a step: a word is folded by setting bit 5 of every byte (which lower-cases
        /// A-Z, and merges a few other pairs, so equal hashes are confirmed by `equal`); a key with
        /// non-ASCII letters is folded by `INIFile.lowercased` first.
        static func hash(_ all: UnsafeBufferPointer<UInt8>, _ first: Int, _ last: Int, scope: Int, foldCase: Bool)
            -> UInt64
        {
            if foldCase, hasWideByte(all, first, last) {
                let text = String(decoding: UnsafeBufferPointer(rebasing: all[first..<last]), as: UTF8.self)
                let folded = Array(INIFile.lowercased(text).utf8)
                return folded.withUnsafeBufferPointer { Self.hash($0, 0, $0.count, scope: scope, foldCase: false) }
            }
            var hash = seed(scope: scope)
            let fold: UInt64 = foldCase ? 0x2020_2020_2020_2020 : 0
            var index = first
            if let base = all.baseAddress {
                let raw = UnsafeRawPointer(base)
                while index + 8 <= last {
                    let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self) | fold
                    hash = ((hash ^ word) &* 0x100_0000_01b3) ^ (hash >> 29)
                    index += 8
                }
            }
            while index < last {
                hash = (hash ^ UInt64(all[index] | UInt8(truncatingIfNeeded: fold))) &* 0x100_0000_01b3
                index += 1
            }
            return finish(hash)
        }

        @inline(__always)
        static func seed(scope: Int) -> UInt64 {
            0xcbf2_9ce4_8422_2325 ^ UInt64(bitPattern: Int64(scope)) &* 0x9E37_79B9_7F4A_7C15
        }

        /// murmur3's final mix: the table indexes by the low bits, which the multiply alone leaves
        /// depending on the low bytes only (generated names differ in their last characters); never 0.
        @inline(__always)
        static func finish(_ hash: UInt64) -> UInt64 {
            var hash = hash
            hash ^= hash >> 33
            hash = hash &* 0xff51_afd7_ed55_8ccd
            hash ^= hash >> 33
            return hash == 0 ? 1 : hash
        }

        /// A key's signature for the few-keys comparison: its first eight bytes with ASCII case
        /// folded (bit 5 set), mixed with its length. Equal keys have equal signatures.
        @inline(__always)
        static func signature(_ all: UnsafeBufferPointer<UInt8>, _ first: Int, _ last: Int) -> UInt64 {
            var word: UInt64 = 0
            if last - first >= 8, let base = all.baseAddress {
                word = UnsafeRawPointer(base).loadUnaligned(fromByteOffset: first, as: UInt64.self)
            } else {
                var index = last
                while index > first {
                    index -= 1
                    word = word << 8 | UInt64(all[index])
                }
            }
            return (word | 0x2020_2020_2020_2020) ^ UInt64(last - first) &* 0x9E37_79B9_7F4A_7C15
        }

        /// Whether any byte of `first..<last` is 0x80 or more (part of a non-ASCII character).
        static func hasWideByte(_ all: UnsafeBufferPointer<UInt8>, _ first: Int, _ last: Int) -> Bool {
            var index = first
            var bits: UInt64 = 0
            if let base = all.baseAddress {
                let raw = UnsafeRawPointer(base)
                while index + 8 <= last {
                    bits |= raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                    index += 8
                }
            }
            while index < last {
                bits |= UInt64(all[index])
                index += 1
            }
            return bits & 0x8080_8080_8080_8080 != 0
        }

        /// A section name's hash (as `hash` makes it for scope -1, no folding) and whether it holds a
        /// `"`, `'` or `\` (the has-zero-byte test on the word XOR each of them), in one pass of eight
        /// bytes a step: each header of a generated config is read once for both.
        static func hashAndQuoting(_ all: UnsafeBufferPointer<UInt8>, _ first: Int, _ last: Int) -> (UInt64, Bool) {
            let ones: UInt64 = 0x0101_0101_0101_0101
            let highs: UInt64 = 0x8080_8080_8080_8080
            let (double, single, backslash) = (
                ones &* UInt64(UInt8(ascii: "\"")), ones &* UInt64(UInt8(ascii: "'")),
                ones &* UInt64(UInt8(ascii: "\\"))
            )
            var hash = seed(scope: -1)
            var quoting: UInt64 = 0
            var index = first
            if let base = all.baseAddress {
                let raw = UnsafeRawPointer(base)
                while index + 8 <= last {
                    let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                    let (a, b, c) = (word ^ double, word ^ single, word ^ backslash)
                    quoting |= (a &- ones) & ~a | (b &- ones) & ~b | (c &- ones) & ~c
                    hash = ((hash ^ word) &* 0x100_0000_01b3) ^ (hash >> 29)
                    index += 8
                }
            }
            var hasQuoting = quoting & highs != 0
            while index < last {
                let byte = all[index]
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\\") {
                    hasQuoting = true
                }
                hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
                index += 1
            }
            return (finish(hash), hasQuoting)
        }

        /// Whether two names are the same: byte for byte, or with `foldCase` as `str.lower` makes
        /// them (ASCII letters folded here; when `wide` says one has non-ASCII bytes, by `INIFile.lowercased`).
        static func equal(
            _ all: UnsafeBufferPointer<UInt8>, _ a: Int, _ aEnd: Int, _ b: Int, _ bEnd: Int, foldCase: Bool,
            wide: Bool = true
        ) -> Bool {
            if foldCase, wide {
                return INIFile.lowercased(String(decoding: UnsafeBufferPointer(rebasing: all[a..<aEnd]), as: UTF8.self))
                    == INIFile.lowercased(String(decoding: UnsafeBufferPointer(rebasing: all[b..<bEnd]), as: UTF8.self))
            }
            guard aEnd - a == bEnd - b else { return false }
            var offset = 0
            while offset < aEnd - a {
                var x = all[a + offset]
                var y = all[b + offset]
                if x != y {
                    guard foldCase else { return false }
                    if x >= UInt8(ascii: "A") && x <= UInt8(ascii: "Z") { x += 32 }
                    if y >= UInt8(ascii: "A") && y <= UInt8(ascii: "Z") { y += 32 }
                    if x != y { return false }
                }
                offset += 1
            }
            return true
        }
    }
}

extension INIFile: Equatable {
    /// Files are equal when they have the same sections, in the same order, with the same keys.
    public static func == (lhs: INIFile, rhs: INIFile) -> Bool {
        lhs.sectionOrder == rhs.sectionOrder && lhs.sections == rhs.sections
    }
}
