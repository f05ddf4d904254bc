import AWSConfiguration
import AWSSigning
import EKSAuthSystem
import YAMLDocument

/// A replacement of `bytes[start..<end]` by `replacement` in a UTF-8 text.
struct TextSplice: Sendable, Equatable {
    var start: Int
    var end: Int
    var replacement: [UInt8]

    /// `bytes` with `splices` (which must not overlap) applied.
    static func apply(_ splices: [TextSplice], to bytes: [UInt8]) -> [UInt8] {
        var result = bytes
        for splice in splices.sorted(by: { $0.start > $1.start }) {
            result.replaceSubrange(splice.start..<splice.end, with: splice.replacement)
        }
        return result
    }
}

/// The lines of a UTF-8 text: where each starts and where its content ends (before `\n` or `\r\n`).
struct TextLines {
    let bytes: [UInt8]
    let starts: [Int]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        var starts = [0]
        for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") { starts.append(index + 1) }
        self.starts = starts
    }

    var count: Int { starts.count }

    /// The line holding byte `offset` (an offset at the very end belongs to the last line).
    func line(containing offset: Int) -> Int {
        var low = 0
        var high = starts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if starts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        return low
    }

    /// Where line `line`'s content ends: before its `\n` (or `\r\n`), or at the end of the text.
    func contentEnd(_ line: Int) -> Int {
        guard line + 1 < starts.count else { return bytes.count }
        let newline = starts[line + 1] - 1
        return newline > starts[line] && bytes[newline - 1] == UInt8(ascii: "\r") ? newline - 1 : newline
    }

    /// Where the line after `line` starts (the end of the text for the last).
    func nextStart(_ line: Int) -> Int {
        line + 1 < starts.count ? starts[line + 1] : bytes.count
    }

    /// The content of line `line`, without its line break.
    func content(_ line: Int) -> ArraySlice<UInt8> { bytes[starts[line]..<contentEnd(line)] }

    /// How many spaces line `line` starts with.
    func indentation(_ line: Int) -> Int {
        content(line).prefix { $0 == UInt8(ascii: " ") }.count
    }

    /// Whether line `line` holds only spaces (or nothing).
    func isBlank(_ line: Int) -> Bool {
        content(line).allSatisfy { $0 == UInt8(ascii: " ") }
    }

    /// The text's line break: `\r\n` when its first line ends with one, else `\n`.
    var lineBreak: [UInt8] {
        starts.count > 1 && contentEnd(0) == starts[1] - 2 ? Array("\r\n".utf8) : [UInt8(ascii: "\n")]
    }
}

/// One entry of the list as written, read from the outline.
private struct ListItem {
    var node: YAMLOutline
    /// `rolearn`/`userarn` (or the account id of a mapAccounts item), as written.
    var key: String?
    var username: String?
    var groups: [String]?
}

/// Edits the YAML list held in `mapRoles`, `mapUsers` or `mapAccounts` as text: every other entry and
/// comment stays byte for byte, a new entry follows the layout of the existing ones (block `- ` items
/// with their indentation, or a flow/JSON list `[{…}]`).
struct AWSAuthListEditor {
    private let bytes: [UInt8]
    private let lines: TextLines
    private let root: YAMLOutline?
    private let items: [ListItem]
    private let target: AWSAuthTarget
    private let source: String

    /// The edit of `text` (the list's own text, YAML) as splices of it, the new text and what it did.
    /// - Throws: `AWSAuthEditError`: `.unsupportedLayout` for anchors or a list in a form not edited,
    ///   `.unreadable` for text that is not YAML, `.entryDiffers`, `.entryMissing`.
    static func edit(
        _ text: String, target: AWSAuthTarget, action: AWSAuthEdit.Action, source: String
    ) throws -> (splices: [TextSplice], text: String, outcome: AWSAuthOutcome) {
        let root: YAMLOutline?
        do {
            root = try YAML.outline(text)
        } catch {
            throw AWSAuthEditError.unreadable(source: source, reason: "not YAML (its text, \(error.message))")
        }
        if let root {
            guard case .sequence = root.kind else {
                throw AWSAuthEditError.unsupportedLayout(source: source, reason: "it is not a YAML list")
            }
            guard !root.usesAnchors else {
                throw AWSAuthEditError.unsupportedLayout(source: source, reason: "it uses YAML anchors or aliases")
            }
        }
        let editor = AWSAuthListEditor(text: text, root: root, target: target, source: source)
        let (splices, outcome) = try editor.splices(for: action)
        let edited = TextSplice.apply(splices, to: editor.bytes)
        return (splices, String(decoding: edited, as: UTF8.self), outcome)
    }

    private init(text: String, root: YAMLOutline?, target: AWSAuthTarget, source: String) {
        bytes = Array(text.utf8)
        lines = TextLines(bytes)
        self.root = root
        self.target = target
        self.source = source
        let arnKey = target.list == "mapRoles" ? "rolearn" : "userarn"
        items = (root?.children ?? []).map { node in
            if target.list == "mapAccounts" {
                return ListItem(node: node, key: node.text?.trimmingWhitespace())
            }
            var item = ListItem(node: node)
            // As the authenticator's decoder reads them: keys in any case, a repeated key's later value.
            for pair in node.pairs {
                switch pair.key.text?.lowercased() {
                case arnKey: item.key = pair.value.text
                case "username": item.username = pair.value.text
                case "groups":
                    if case .sequence = pair.value.kind {
                        item.groups = pair.value.children.compactMap(\.text).map { $0.trimmingWhitespace() }
                    } else {
                        item.groups = pair.value.text.map { [$0.trimmingWhitespace()] }
                    }
                default: break
                }
            }
            return item
        }
    }

    private var isFlow: Bool {
        if case .sequence(flow: true) = root?.kind { return true }
        return false
    }

    private func splices(for action: AWSAuthEdit.Action) throws -> ([TextSplice], AWSAuthOutcome) {
        let matching = items.indices.filter { index in
            items[index].key.map { target.isSubject($0) } ?? false
        }
        switch action {
        case .remove(let ignoreMissing):
            guard !matching.isEmpty else {
                if ignoreMissing { return ([], .unchanged) }
                throw AWSAuthEditError.entryMissing(list: target.list, arn: target.key, source: source)
            }
            return (try matching.map(removal), .removed(matching.count))
        case .add(let username, let groups, let replace):
            // The authenticator compares the ARN as written (untrimmed) but case-insensitively; an entry
            // with spaces around it, or with the role's path, is this subject's but never matches: not the same.
            guard let first = matching.first else {
                return ([try appending(username: username, groups: groups)], .added)
            }
            let existing = items[first]
            let same =
                target.list == "mapAccounts"
                || (existing.username == username && (existing.groups ?? []).sorted() == groups.sorted()
                    && existing.key?.lowercased() == target.key.lowercased())
            if matching.count == 1, same { return ([], .unchanged) }
            guard replace else {
                let shown =
                    "username \(TerminalText.excerpt(existing.username ?? "(none)", limit: 80)), groups "
                    + TerminalText.excerpt((existing.groups ?? []).joined(separator: ", "), limit: 120)
                throw AWSAuthEditError.entryDiffers(
                    list: target.list, arn: target.key, location: "\(target.list)[\(first)]",
                    existing: matching.count > 1 ? "\(shown), and \(matching.count - 1) more" : shown, source: source)
            }
            var splices = [try replacement(of: first, username: username, groups: groups)]
            splices += try matching.dropFirst().map(removal)
            return (splices, .replaced)
        }
    }

    // MARK: Writing an entry

    /// How the existing block items are laid out, for a new one to match.
    private struct BlockStyle {
        /// The column of `-`.
        var dashColumn = 0
        /// Columns from `-` to the entry's keys (`- rolearn`: 2).
        var contentOffset = 2
        /// Columns from the keys to a group's `-` (0 for `groups:\n- a` under the key).
        var groupsOffset = 2
        /// Whether groups are written `[a, b]`.
        var flowGroups = false
    }

    private func dash(before node: YAMLOutline) throws -> Int {
        var index = node.start - 1
        while index >= 0, [UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r")].contains(bytes[index]) {
            index -= 1
        }
        let line = index >= 0 ? lines.line(containing: index) : 0
        guard index >= 0, bytes[index] == UInt8(ascii: "-"),
            bytes[lines.starts[line]..<index].allSatisfy({ $0 == UInt8(ascii: " ") })
        else {
            throw AWSAuthEditError.unsupportedLayout(
                source: source, reason: "the item at line \(node.mark.line) is not a '- ' line of its own")
        }
        return index
    }

    private func column(_ offset: Int) -> Int { offset - lines.starts[lines.line(containing: offset)] }

    private func blockStyle() throws -> BlockStyle {
        var style = BlockStyle()
        guard let first = items.first else { return style }
        let dash = try dash(before: first.node)
        style.dashColumn = column(dash)
        if lines.line(containing: dash) == lines.line(containing: first.node.start) {
            style.contentOffset = first.node.start - dash
        }
        for item in items {
            guard let groups = item.node.pairs.first(where: { $0.key.text?.lowercased() == "groups" })?.value,
                case .sequence(let flow) = groups.kind
            else { continue }
            if flow {
                style.flowGroups = true
            } else if let group = groups.children.first, let groupDash = try? self.dash(before: group),
                let itemDash = try? self.dash(before: item.node)
            {
                let contentColumn = column(itemDash) + (item.node.start - itemDash)
                style.groupsOffset = max(0, column(groupDash) - contentColumn)
            }
            break
        }
        return style
    }

    /// The entry's fields as YAML, one line each, for a block item (no indentation yet).
    private func blockLines(username: String?, groups: [String], style: BlockStyle) -> [String] {
        if target.list == "mapAccounts" { return [AWSAuthValueText.json(target.key)] }
        var fields = [
            "\(target.list == "mapRoles" ? "rolearn" : "userarn"): \(AWSAuthValueText.yamlScalar(target.key))",
            "username: \(AWSAuthValueText.yamlScalar(username ?? ""))",
        ]
        if !groups.isEmpty {
            if style.flowGroups {
                fields.append("groups: [\(groups.map(AWSAuthValueText.json).joined(separator: ", "))]")
            } else {
                fields.append("groups:")
                fields += groups.map {
                    String(repeating: " ", count: style.groupsOffset) + "- " + AWSAuthValueText.yamlScalar($0)
                }
            }
        }
        return fields
    }

    /// The entry as one block item, its `-` at the style's column, lines joined by the text's line break.
    private func blockItem(username: String?, groups: [String], style: BlockStyle) -> [UInt8] {
        let fields = blockLines(username: username, groups: groups, style: style)
        let dash =
            String(repeating: " ", count: style.dashColumn) + "-"
            + String(repeating: " ", count: max(1, style.contentOffset - 1))
        let rest = String(repeating: " ", count: style.dashColumn + max(2, style.contentOffset))
        let text = fields.enumerated().map { ($0.offset == 0 ? dash : rest) + $0.element }
        return Array(text.joined(separator: String(decoding: lines.lineBreak, as: UTF8.self)).utf8)
    }

    /// The entry as a flow (JSON) item.
    private func flowItem(username: String?, groups: [String]) -> [UInt8] {
        if target.list == "mapAccounts" { return Array(AWSAuthValueText.json(target.key).utf8) }
        var fields = [
            "\(AWSAuthValueText.json(target.list == "mapRoles" ? "rolearn" : "userarn")):\(AWSAuthValueText.json(target.key))",
            "\"username\":\(AWSAuthValueText.json(username ?? ""))",
        ]
        if !groups.isEmpty { fields.append("\"groups\":[\(groups.map(AWSAuthValueText.json).joined(separator: ","))]") }
        return Array("{\(fields.joined(separator: ","))}".utf8)
    }

    private func appending(username: String?, groups: [String]) throws -> TextSplice {
        if isFlow, let root {
            let item = flowItem(username: username, groups: groups)
            guard let last = items.last else {
                return TextSplice(start: root.end - 1, end: root.end - 1, replacement: item)
            }
            var separator = Array(", ".utf8)
            if items.count >= 2 {
                separator = Array(bytes[items[0].node.end..<items[1].node.start])
            }
            return TextSplice(start: last.node.end, end: last.node.end, replacement: separator + item)
        }
        let style = try blockStyle()
        let item = blockItem(username: username, groups: groups, style: style)
        guard let last = items.last else {
            // An empty list (blank, or only comments): the entry becomes its first line after them.
            let lead = bytes.isEmpty || bytes.last == UInt8(ascii: "\n") ? [] : lines.lineBreak
            return TextSplice(start: bytes.count, end: bytes.count, replacement: lead + item + lines.lineBreak)
        }
        let end = lines.contentEnd(lastLine(of: last.node))
        return TextSplice(start: end, end: end, replacement: lines.lineBreak + item)
    }

    /// The last line a block item's content is on (its trailing comment included).
    private func lastLine(of node: YAMLOutline) -> Int {
        lines.line(containing: max(node.start, node.end - 1))
    }

    private func replacement(of index: Int, username: String?, groups: [String]) throws -> TextSplice {
        let node = items[index].node
        if isFlow {
            return TextSplice(
                start: node.start, end: node.end, replacement: flowItem(username: username, groups: groups))
        }
        var style = try blockStyle()
        let dash = try dash(before: node)
        style.dashColumn = column(dash)
        let start = lines.starts[lines.line(containing: dash)]
        return TextSplice(
            start: start, end: lines.contentEnd(lastLine(of: node)),
            replacement: blockItem(username: username, groups: groups, style: style))
    }

    private func removal(of index: Int) throws -> TextSplice {
        let node = items[index].node
        if isFlow {
            if index + 1 < items.count {
                return TextSplice(start: node.start, end: items[index + 1].node.start, replacement: [])
            }
            if index > 0 { return TextSplice(start: items[index - 1].node.end, end: node.end, replacement: []) }
            return TextSplice(start: node.start, end: node.end, replacement: [])
        }
        let firstLine = lines.line(containing: try dash(before: node))
        let last = lastLine(of: node)
        let end = lines.nextStart(last)
        // The last line has no line break: take the one before it instead, so the text still ends as it did.
        if end == lines.contentEnd(last), firstLine > 0 {
            return TextSplice(start: lines.contentEnd(firstLine - 1), end: end, replacement: [])
        }
        return TextSplice(start: lines.starts[firstLine], end: end, replacement: [])
    }
}

/// How values are written into aws-auth.
enum AWSAuthValueText {
    /// `value` as a YAML scalar on one line: plain when it reads back as the same string, else quoted
    /// (libyaml's emitter decides, as for the rest of what we write).
    static func yamlScalar(_ value: String) -> String {
        guard let written = try? YAML.serialize(.mapping(["k": YAMLNode(value)])), written.hasPrefix("k: "),
            written.hasSuffix("\n"), !written.dropLast().contains("\n")
        else { return json(value) }
        return String(written.dropFirst(3).dropLast())
    }

    /// `value` as a JSON string, escaped as Go's encoding/json writes it (so as kubectl does): `"`, `\`,
    /// control characters, `<`, `>`, `&`, U+2028 and U+2029. JSON strings are YAML double-quoted scalars too.
    static func json(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "<", ">", "&", "\u{2028}", "\u{2029}":
                out += "\\u" + hex4(scalar.value)
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\u" + hex4(scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    private static func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
