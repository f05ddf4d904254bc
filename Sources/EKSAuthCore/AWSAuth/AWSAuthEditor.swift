import AWSConfiguration
import AWSSigning
import EKSAuthSystem
import YAMLDocument

/// An edited aws-auth ConfigMap: the whole text, what changed, and the list's text before and after.
public struct AWSAuthEdited: Sendable, Equatable {
    /// The whole document after the edit (the input itself when nothing changed).
    public var text: String
    /// What the edit did.
    public var outcome: AWSAuthOutcome
    /// `mapRoles`, `mapUsers` or `mapAccounts`.
    public var list: String
    /// The ARN or account id written or removed (a role's without its path).
    public var key: String
    /// The list's own text before and after (empty when the key was absent), for a diff.
    public var before: String
    /// The list's own text after.
    public var after: String
    /// What was changed on the way, one sentence each, for stderr (a role path dropped).
    public var notes: [String]

    /// A one-line summary: `added mapRoles entry for ARN`, `unchanged: …`, ….
    public var summary: String {
        let entry = "\(list) entry for \(key)"
        switch outcome {
        case .added: return "added the \(entry)"
        case .replaced: return "replaced the \(entry)"
        case .removed(let count):
            return count == 1 ? "removed the \(entry)" : "removed \(count) \(list) entries for \(key)"
        case .unchanged: return "unchanged: the \(entry) is already as asked"
        }
    }
}

/// Edits the aws-auth ConfigMap as text, so that everything but the one entry stays as written.
///
/// The input is what `kubectl get configmap aws-auth -n kube-system -o yaml` (or `-o json`, or the API
/// server) gives, or just its `data` block, as `AWSAuthConfig.parse` reads it. `data.mapRoles`,
/// `mapUsers` and `mapAccounts` are YAML strings holding YAML lists (aws-iam-authenticator,
/// facts §7.1). Only the edited string changes: a literal block scalar (`|`, `|-`, `|+`) is edited
/// line by line in place (other entries and comments keep their bytes, line breaks and indentation); a
/// double-quoted (JSON) string is written again with Go's escaping; another style becomes a literal
/// block. A missing key is added at the end of `data` (and `data` at the end of the object). The result
/// is read back with `AWSAuthConfig.parse` and compared with the input: the entry must be there (or
/// gone), every other entry and every other field of the document the same, else nothing is returned.
public enum AWSAuthEditor {
    /// The most text read: Kubernetes stores an object in at most 1.5 MiB (etcd's request limit), and a
    /// ConfigMap's data in at most 1 MiB.
    public static let maximumBytes = 3 << 19

    /// `text` with `edit` applied.
    /// - Parameter source: where the text came from (a path, `stdin`, `configmap kube-system/aws-auth`), for messages.
    /// - Throws: `AWSAuthEditError`: `.invalidSubject`, `.invalidValue`, `.assumedRoleARN` for the edit;
    ///   `.unreadable`, `.unsupportedLayout`, `.tooLarge` for the text; `.entryDiffers`, `.entryMissing`;
    ///   `.checkFailed` when the result does not read back as intended.
    public static func apply(_ edit: AWSAuthEdit, to text: String, source: String) throws -> AWSAuthEdited {
        let target = try AWSAuthTarget.of(edit.subject)
        if case .add(let username, let groups, _) = edit.action, edit.subject.list != "mapAccounts" {
            try check(username: username, groups: groups)
        }
        let size = text.utf8.count
        guard size <= maximumBytes else {
            throw AWSAuthEditError.tooLarge(source: source, bytes: size, limit: maximumBytes)
        }
        // YAML also breaks lines at a lone CR, NEL, LS and PS; the edit counts lines by LF (CRLF included).
        let scalars = Array(text.unicodeScalars)
        for (index, scalar) in scalars.enumerated()
        where ["\u{85}", "\u{2028}", "\u{2029}"].contains(scalar)
            || (scalar == "\r" && (index + 1 == scalars.count || scalars[index + 1] != "\n"))
        {
            throw AWSAuthEditError.unsupportedLayout(
                source: source, reason: "it has line breaks other than LF and CRLF (a lone CR, NEL, LS or PS)")
        }
        let outline: YAMLOutline?
        do {
            outline = try YAML.outline(text)
        } catch {
            throw AWSAuthEditError.unreadable(source: source, reason: "not YAML: \(error.message)")
        }
        guard let root = outline, case .mapping(let rootFlow) = root.kind else {
            throw AWSAuthEditError.unreadable(source: source, reason: "expected a ConfigMap")
        }
        if let kind = root["kind"]?.text, kind != "ConfigMap" {
            throw AWSAuthEditError.unreadable(
                source: source, reason: "it holds a \(TerminalText.excerpt(kind, limit: 40)), not a ConfigMap")
        }
        let lists = ["mapRoles", "mapUsers", "mapAccounts"]
        let holder: YAMLOutline?
        if let data = root["data"] {
            guard case .mapping = data.kind else {
                throw AWSAuthEditError.unsupportedLayout(source: source, reason: "data is not a mapping")
            }
            holder = data
        } else {
            holder = root.pairs.contains { lists.contains($0.key.text ?? "") } ? root : nil
        }
        let name = holder.map { $0 == root ? target.list : "data.\(target.list)" } ?? "data.\(target.list)"
        let value = holder?[target.list]
        if let value {
            guard case .scalar = value.kind, value.text != nil else {
                throw AWSAuthEditError.unsupportedLayout(
                    source: source, reason: "\(name) is not a string (a ConfigMap's data values are strings)")
            }
            guard !value.usesAnchors, holder?.anchor == nil else {
                throw AWSAuthEditError.unsupportedLayout(source: source, reason: "\(name) uses a YAML anchor or alias")
            }
        }
        let before = value?.text ?? ""
        let listSource = "\(source) \(name)"
        let (splices, after, outcome) = try AWSAuthListEditor.edit(
            before, target: target, action: edit.action, source: listSource)
        var result = AWSAuthEdited(
            text: text, outcome: outcome, list: target.list, key: target.key, before: before, after: after,
            notes: target.notes)
        guard outcome != .unchanged else { return result }
        let document = AWSAuthDocument(bytes: Array(text.utf8))
        let outer: [TextSplice]
        if let value, let holder {
            outer = document.replacing(value, in: holder, with: after, inner: splices, innerBefore: before)
        } else if let holder {
            outer = [document.inserting(key: target.list, value: after, into: holder)]
        } else {
            outer = [document.inserting(data: target.list, value: after, into: root, flow: rootFlow)]
        }
        result.text = String(decoding: TextSplice.apply(outer, to: document.bytes), as: UTF8.self)
        try verify(result, from: text, edit: edit, target: target, source: source)
        return result
    }

    /// Refuses a username or group aws-auth cannot hold: the authenticator needs a username; each must be
    /// one line of printable text without spaces around it, as Kubernetes user and group names are.
    static func check(username: String?, groups: [String]) throws {
        func printable(_ value: String) -> Bool {
            !value.isEmpty && value.utf8.count <= 1024 && value == value.trimmingWhitespace()
                && value.unicodeScalars.allSatisfy {
                    $0.value >= 0x20 && $0.value != 0x7F && !(0x80..<0xA0).contains($0.value)
                }
        }
        guard let username, printable(username) else {
            throw AWSAuthEditError.invalidValue(
                flag: "--username", value: TerminalText.excerpt(username ?? "", limit: 80),
                expected: "a Kubernetes user name (required: aws-iam-authenticator rejects an entry without one)")
        }
        for group in groups where !printable(group) {
            throw AWSAuthEditError.invalidValue(
                flag: "--group", value: TerminalText.excerpt(group, limit: 80),
                expected: "a Kubernetes group name (printable, one line, no spaces around it)")
        }
    }

    /// Reads `edited.text` back as `AWSAuthConfig.parse` does and holds it to the edit: the entry present
    /// as asked (or gone), every other entry and every other part of the document unchanged.
    /// - Throws: `AWSAuthEditError.checkFailed`.
    static func verify(
        _ edited: AWSAuthEdited, from original: String, edit: AWSAuthEdit, target: AWSAuthTarget, source: String
    ) throws {
        func fail(_ reason: String) -> AWSAuthEditError { .checkFailed(source: source, reason: reason) }
        let after: AWSAuthConfig
        do {
            after = try AWSAuthConfig.parse(edited.text, source: source)
        } catch let error as InspectError {
            throw fail(error.message)
        }
        let before =
            (try? AWSAuthConfig.parse(original, source: source))
            ?? AWSAuthConfig(entries: [], accounts: [], problems: [])
        if target.list == "mapAccounts" {
            let present = after.accounts.contains(target.key)
            if case .add = edit.action, !present { throw fail("the account is not in mapAccounts") }
            if case .remove = edit.action, present { throw fail("the account is still in mapAccounts") }
            guard before.accounts.filter({ $0 != target.key }) == after.accounts.filter({ $0 != target.key }) else {
                throw fail("other mapAccounts values changed")
            }
        } else {
            func isTarget(_ entry: AWSAuthEntry) -> Bool {
                entry.list == target.list
                    && (entry.arn.map { target.isSubject($0) } ?? false)
            }
            func others(_ config: AWSAuthConfig) -> [String] {
                config.entries.filter { !isTarget($0) }.map {
                    "\($0.list) \($0.arn ?? "") \($0.sso.map { "\($0.permissionSetName) \($0.accountID) \($0.partition)" } ?? "") \($0.username) \($0.groups)"
                }
            }
            let mine = after.entries.filter(isTarget)
            switch edit.action {
            case .add(let username, let groups, _):
                guard mine.count == 1, let entry = mine.first, entry.arn == target.key, entry.username == username,
                    entry.groups == groups
                else { throw fail("the \(target.list) entry is not there as asked") }
            case .remove:
                guard mine.isEmpty else { throw fail("a \(target.list) entry for the ARN is still there") }
            }
            guard others(before) == others(after) else {
                throw fail("other \(target.list) or other list entries changed")
            }
        }
        // Everything outside the edited string: the documents with that one key taken out must be equal.
        // The other lists may differ only in a final line break: a key added after a block scalar that
        // ends the file without one gives it one, which changes no entry.
        func rest(_ text: String) throws -> YAMLNode? {
            guard var root = try YAML.compose(text)?.mapping else { return nil }
            func trimmed(_ holder: inout YAMLMapping) {
                holder[target.list] = nil
                for list in ["mapRoles", "mapUsers", "mapAccounts"] {
                    guard case .scalar(var scalar)? = holder[list], scalar.string != nil else { continue }
                    while scalar.text.hasSuffix("\n") { scalar.text.removeLast() }
                    holder[list] = .scalar(scalar)
                }
            }
            if var data = root["data"]?.mapping {
                trimmed(&data)
                root["data"] = data.isEmpty ? nil : .mapping(data)
            } else {
                trimmed(&root)
            }
            return .mapping(root)
        }
        guard (try? rest(original)) == (try? rest(edited.text)) else {
            throw fail("a part of the document other than \(target.list) changed")
        }
    }
}

/// The outer document being edited: where to splice a new value of one key.
struct AWSAuthDocument {
    let bytes: [UInt8]
    let lines: TextLines

    init(bytes: [UInt8]) {
        self.bytes = bytes
        lines = TextLines(bytes)
    }

    private var lineBreak: [UInt8] { lines.lineBreak }

    private func spaces(_ count: Int) -> [UInt8] { Array(repeating: UInt8(ascii: " "), count: count) }

    /// The lines of a block scalar (`|` or `>`) whose indicator is at `indicator`, under a key at `keyColumn`:
    /// the content lines (blank lines between included), the content indentation, and the header.
    struct BlockLines {
        var header: Int
        var indicatorEnd: Int
        var chomping: UInt8?
        var indentation: Int
        /// From the line after the header to the last non-blank content line; empty when there is none.
        var content: ClosedRange<Int>?
        /// The blank lines after the content (a `|+` block keeps them as line breaks).
        var trailingBlankLines = 0
    }

    func blockLines(at indicator: Int, keyColumn: Int) -> BlockLines {
        let header = lines.line(containing: indicator)
        var position = indicator + 1
        var chomping: UInt8?
        var explicit: Int?
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") {
                chomping = byte
            } else if (UInt8(ascii: "1")...UInt8(ascii: "9")).contains(byte) {
                explicit = Int(byte - UInt8(ascii: "0"))
            } else {
                break
            }
            position += 1
        }
        var indentation = explicit.map { keyColumn + $0 } ?? 0
        if explicit == nil {
            var line = header + 1
            while line < lines.count, lines.isBlank(line) { line += 1 }
            indentation = line < lines.count ? lines.indentation(line) : 0
        }
        guard indentation > keyColumn else {
            return BlockLines(header: header, indicatorEnd: position, chomping: chomping, indentation: keyColumn + 2)
        }
        var last: Int?
        var line = header + 1
        while line < lines.count {
            if lines.isBlank(line) {
                line += 1
                continue
            }
            guard lines.indentation(line) >= indentation else { break }
            last = line
            line += 1
        }
        var trailing = 0
        if let last {
            var next = last + 1
            // The empty "line" after a final line break is the end of the text, not a line.
            while next < lines.count, lines.isBlank(next), lines.starts[next] < bytes.count {
                trailing += 1
                next += 1
            }
        }
        return BlockLines(
            header: header, indicatorEnd: position, chomping: chomping, indentation: indentation,
            content: last.map { (header + 1)...$0 }, trailingBlankLines: trailing)
    }

    /// Splices that give `value` (a scalar under `holder`) the text `text`: for a literal block, the list
    /// editor's `inner` splices moved into its lines; otherwise the whole scalar written again.
    func replacing(
        _ value: YAMLOutline, in holder: YAMLOutline, with text: String, inner: [TextSplice], innerBefore: String
    ) -> [TextSplice] {
        let key = holder.pairs.first { $0.value == value }?.key
        let keyColumn = (key?.mark.column ?? 1) - 1
        guard case .scalar(let style) = value.kind else { return [] }
        if case .mapping(flow: true) = holder.kind {
            return [
                TextSplice(start: value.start, end: value.end, replacement: Array(AWSAuthValueText.json(text).utf8))
            ]
        }
        switch style {
        case .doubleQuoted where !innerBefore.isEmpty:
            return [
                TextSplice(start: value.start, end: value.end, replacement: Array(AWSAuthValueText.json(text).utf8))
            ]
        case .literal, .folded:
            let indicator =
                bytes[value.start...].firstIndex { $0 == UInt8(ascii: "|") || $0 == UInt8(ascii: ">") } ?? value.start
            let block = blockLines(at: indicator, keyColumn: keyColumn)
            if style == .literal, let moved = moving(inner, into: block, before: innerBefore) { return moved }
            // A `|+` block's blank lines are its value's last line breaks: written again by `literal`.
            let keep = block.chomping == UInt8(ascii: "+") ? block.trailingBlankLines : 0
            let end = block.content.map { lines.contentEnd($0.upperBound + keep) } ?? lines.contentEnd(block.header)
            return [TextSplice(start: indicator, end: end, replacement: literal(text, indentation: block.indentation))]
        case .plain, .singleQuoted, .doubleQuoted:
            let written = literal(text, indentation: keyColumn + 2)
            guard written.first == UInt8(ascii: "|") else {
                return [TextSplice(start: value.start, end: value.end, replacement: written)]
            }
            // The header replaces the scalar; its lines go after the end of its line (after a comment there).
            let split = written.firstIndex(of: lineBreak[0]) ?? written.count
            let header = Array(written[..<split])
            let body = Array(written[split...])
            let lineEnd = lines.contentEnd(lines.line(containing: max(value.start, value.end - 1)))
            return [
                TextSplice(start: value.start, end: value.end, replacement: header),
                TextSplice(start: lineEnd, end: lineEnd, replacement: body),
            ]
        }
    }

    /// `text` as a literal block scalar (`|`, `|-` or `|+`, then its lines at `indentation`, each after
    /// the document's line break), or as a JSON string when a literal block cannot hold it (control characters, a first line
    /// that starts with a space, nothing at all).
    func literal(_ text: String, indentation: Int) -> [UInt8] {
        let representable =
            !text.isEmpty && !text.hasPrefix(" ") && !text.hasPrefix("\n")
            && text.unicodeScalars.allSatisfy {
                $0 == "\n" || $0 == "\t"
                    || ($0.value >= 0x20 && $0.value != 0x7F && !(0x80..<0xA0).contains($0.value)
                        && $0 != "\u{FEFF}" && $0 != "\u{2028}" && $0 != "\u{2029}")
            }
        guard representable else { return Array(AWSAuthValueText.json(text).utf8) }
        let trailing = text.reversed().prefix { $0 == "\n" }.count
        let header = trailing == 0 ? "|-" : trailing == 1 ? "|" : "|+"
        let body = text.dropLast(trailing).split(separator: "\n", omittingEmptySubsequences: false)
        var out = Array(header.utf8)
        for line in body {
            out += lineBreak + (line.isEmpty ? [] : spaces(indentation)) + Array(line.utf8)
        }
        for _ in 0..<max(0, trailing - 1) { out += lineBreak }
        return out
    }

    /// The list editor's splices of the literal block's text, as splices of the document: inner line `i`
    /// is the block's content line `i` with the indentation taken off. Nil when the block's lines do not
    /// read as its value (then the caller writes the block again whole).
    private func moving(_ inner: [TextSplice], into block: BlockLines, before: String) -> [TextSplice]? {
        let contentLines = block.content.map(Array.init) ?? []
        var rebuilt: [UInt8] = []
        for (index, line) in contentLines.enumerated() {
            if index > 0 { rebuilt.append(UInt8(ascii: "\n")) }
            let content = lines.content(line)
            if content.count > block.indentation { rebuilt += content.dropFirst(block.indentation) }
        }
        if !contentLines.isEmpty, block.chomping != UInt8(ascii: "-") { rebuilt.append(UInt8(ascii: "\n")) }
        if !contentLines.isEmpty, block.chomping == UInt8(ascii: "+") {
            rebuilt += Array(repeating: UInt8(ascii: "\n"), count: block.trailingBlankLines)
        }
        guard rebuilt == Array(before.utf8), !before.contains("\r") else { return nil }
        let innerLines = TextLines(rebuilt)
        func outer(_ offset: Int) -> (offset: Int, atLineStart: Bool) {
            let line = innerLines.line(containing: offset)
            let column = offset - innerLines.starts[line]
            guard line < contentLines.count else {
                return (lines.nextStart(contentLines.last ?? block.header), true)
            }
            return column == 0
                ? (lines.starts[contentLines[line]], true)
                : (lines.starts[contentLines[line]] + block.indentation + column, false)
        }
        return inner.map { splice in
            let (start, atLineStart) = outer(splice.start)
            let end = outer(splice.end).offset
            var replacement: [UInt8] = []
            let parts = splice.replacement.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            for (index, part) in parts.enumerated() {
                if index > 0 { replacement += lineBreak }
                if !part.isEmpty, index > 0 || atLineStart { replacement += spaces(block.indentation) }
                replacement += part
            }
            // Inserting at the very end of a text whose last line has no line break.
            if start == bytes.count, !replacement.isEmpty, bytes.last != UInt8(ascii: "\n") {
                replacement = lineBreak + replacement
            }
            return TextSplice(start: start, end: end, replacement: replacement)
        }
    }

    /// The last line of `node`'s content: a block scalar's last content line, a block collection's last item's.
    func lastLine(of node: YAMLOutline) -> Int {
        switch node.kind {
        case .scalar(.literal), .scalar(.folded):
            let indicator =
                bytes[node.start...].firstIndex { $0 == UInt8(ascii: "|") || $0 == UInt8(ascii: ">") } ?? node.start
            let header = lines.line(containing: indicator)
            var line = header + 1
            var last = header
            let floor = lines.indentation(header)
            while line < lines.count {
                if !lines.isBlank(line) {
                    guard lines.indentation(line) > floor else { break }
                    last = line
                }
                line += 1
            }
            return last
        case .sequence(flow: false), .mapping(flow: false):
            return node.children.last.map(lastLine) ?? lines.line(containing: node.start)
        default:
            return lines.line(containing: max(node.start, node.end - 1))
        }
    }

    /// A splice adding `key: value` at the end of the mapping `holder`.
    func inserting(key: String, value: String, into holder: YAMLOutline) -> TextSplice {
        insertingPair(key: key, holder: holder) { column, flow in
            flow ? Array(AWSAuthValueText.json(value).utf8) : Array(" ".utf8) + literal(value, indentation: column + 2)
        }
    }

    /// A splice adding `data:` holding `key: value` at the end of the object `root`.
    func inserting(data key: String, value: String, into root: YAMLOutline, flow: Bool) -> TextSplice {
        insertingPair(key: "data", holder: root) { column, flow in
            if flow { return Array("{\(AWSAuthValueText.json(key)):\(AWSAuthValueText.json(value))}".utf8) }
            return lineBreak + spaces(column + 2) + Array("\(key): ".utf8) + literal(value, indentation: column + 4)
        }
    }

    private func insertingPair(
        key: String, holder: YAMLOutline, value: (_ keyColumn: Int, _ flow: Bool) -> [UInt8]
    ) -> TextSplice {
        let pairs = holder.pairs
        if case .mapping(flow: true) = holder.kind {
            let written = Array(AWSAuthValueText.json(key).utf8) + Array(":".utf8) + value(0, true)
            guard let last = pairs.last else {
                return TextSplice(start: holder.end - 1, end: holder.end - 1, replacement: written)
            }
            var separator = Array(",".utf8)
            if pairs.count >= 2 {
                separator = Array(bytes[pairs[0].value.end..<pairs[1].key.start])
            } else if lines.line(containing: last.key.start) != lines.line(containing: holder.start) {
                separator = Array(",".utf8) + lineBreak + spaces(last.key.mark.column - 1)
            }
            return TextSplice(start: last.value.end, end: last.value.end, replacement: separator + written)
        }
        let column = (pairs.first?.key.mark.column ?? 1) - 1
        let end = lines.contentEnd(pairs.last.map { lastLine(of: $0.value) } ?? lines.line(containing: holder.start))
        let written = lineBreak + spaces(column) + Array("\(key):".utf8) + value(column, false)
        return TextSplice(start: end, end: end, replacement: written)
    }
}
