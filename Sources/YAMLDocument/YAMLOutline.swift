internal import CLibYAML

/// Where each node of a YAML text is, for a caller that edits the text in place: the node tree
/// (`YAML.compose`) drops the layout, comments and positions, so an edit that must keep every other
/// byte as written splices the text at these offsets instead of writing the tree back.
///
/// Offsets count UTF-8 bytes from the start of the text (a byte-order mark included), as libyaml's
/// marks place them (libyaml counts characters; they are converted). Aliases stay aliases here, with
/// their own place: the outline is the text's layout, not the document's meaning.
public struct YAMLOutline: Hashable, Sendable {
    /// What the node is, and how it is written.
    public enum Kind: Hashable, Sendable {
        /// A scalar in one of the five styles.
        case scalar(YAMLScalar.Style)
        /// A sequence: `[a, b]` when `flow`, else `- a` lines.
        case sequence(flow: Bool)
        /// A mapping: `{a: b}` when `flow`, else `a: b` lines.
        case mapping(flow: Bool)
        /// `*name`.
        case alias
    }

    /// What the node is.
    public var kind: Kind
    /// The offset of its first byte: a scalar's opening quote or block indicator (`|`), a flow
    /// collection's bracket, a block collection's first key or entry (for a block sequence, its first
    /// item's content after `- `), an anchor or tag written before it.
    public var start: Int
    /// The offset after its last byte of content: a scalar's closing quote or last character, a flow
    /// collection's closing bracket, the end of a block collection's last item. Comments and line
    /// breaks after it are not included. A block scalar's `end` is where libyaml stopped reading it:
    /// after its trailing blank lines, perhaps inside the next line's indentation; a caller that
    /// needs its lines finds them from `start`.
    public var end: Int
    /// Where `start` is, counted from 1 as editors count (`column` in characters).
    public var mark: YAMLMark
    /// A scalar's text after escapes, quoting and folding are undone; nil for the others.
    public var text: String?
    /// The anchor written on it (`&name`), or the name an alias refers to.
    public var anchor: String?
    /// A sequence's items; a mapping's keys and values alternately; empty otherwise.
    public var children: [YAMLOutline]

    /// A mapping's key–value pairs in order; empty for the others.
    public var pairs: [(key: YAMLOutline, value: YAMLOutline)] {
        guard case .mapping = kind else { return [] }
        return stride(from: 0, to: children.count - 1, by: 2).map { (children[$0], children[$0 + 1]) }
    }

    /// The value of a mapping's first key that is a scalar with the text `key`.
    public subscript(key: String) -> YAMLOutline? {
        pairs.first { $0.key.text == key && $0.key.kind != .alias }?.value
    }

    /// Whether an anchor or alias appears in the node or anywhere under it.
    public var usesAnchors: Bool {
        anchor != nil || children.contains { $0.usesAnchors }
    }
}

extension YAML {
    /// The outline of the one document in `text`: each node with its place in the text; nil when the
    /// text holds no document.
    ///
    /// The text is composed first, so it is held to `limits` (aliases expanded) exactly as `compose`
    /// holds it, and only one document may follow.
    /// - Throws: `YAMLError`, as `compose` throws it for text libyaml rejects, too deep, too large or
    ///   with a second document.
    public static func outline(_ text: String, limits: YAMLLimits = .default) throws(YAMLError) -> YAMLOutline? {
        let size = text.utf8.count
        guard size <= limits.maxInputBytes else { throw .tooLarge(bytes: size, limit: limits.maxInputBytes) }
        guard size > 0 else { return nil }
        // Composing first words every error as `compose` does and holds aliases to the same bounds.
        guard try compose(text, limits: limits) != nil else { return nil }
        var builder = YAMLOutliner(limits: limits)
        var text = text
        var result: Result<YAMLOutline?, YAMLError> = .success(nil)
        text.withUTF8 { bytes in
            result = Result { () throws(YAMLError) in try builder.read(bytes) }
        }
        return try result.get()
    }
}

/// Builds a `YAMLOutline` from libyaml's events, without recursion (open collections are a stack).
private struct YAMLOutliner {
    private struct Open {
        var node: YAMLOutline
        var flow: Bool
    }

    private let limits: YAMLLimits
    private var open: [Open] = []
    private var root: YAMLOutline?
    private var documents = 0
    private var nodes = 0
    /// Converts libyaml's character offsets to byte offsets, walking the text forward.
    private var cursor = (characters: 0, bytes: 0)
    private var bytes: UnsafeBufferPointer<UInt8> = UnsafeBufferPointer(start: nil, count: 0)

    init(limits: YAMLLimits) {
        self.limits = limits
    }

    mutating func read(_ bytes: UnsafeBufferPointer<UInt8>) throws(YAMLError) -> YAMLOutline? {
        self.bytes = bytes
        // A byte-order mark counts as one character, as libyaml's marks count it.
        cursor = (0, 0)
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        defer { parser.deallocate() }
        guard yaml_parser_initialize(parser) == 1 else {
            throw .unreadable(problem: "libyaml cannot allocate a parser", byteOffset: 0)
        }
        defer { yaml_parser_delete(parser) }
        yaml_parser_set_input_string(parser, bytes.baseAddress, bytes.count)
        yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)
        while true {
            var event = yaml_event_t()
            defer { yaml_event_delete(&event) }
            // `outline` composed the text first, so libyaml has already read it once without error.
            guard yaml_parser_parse(parser, &event) == 1 else {
                throw .unreadable(problem: "libyaml failed on a second reading", byteOffset: 0)
            }
            if event.type == YAML_STREAM_END_EVENT { return root }
            try take(event)
        }
    }

    /// The byte offset of libyaml's character offset `index`.
    private mutating func offset(_ index: Int) -> Int {
        if index < cursor.characters { cursor = (0, 0) }
        while cursor.characters < index, cursor.bytes < bytes.count {
            cursor.bytes += 1
            // A character starts at each byte that is not a UTF-8 continuation byte (10xxxxxx).
            while cursor.bytes < bytes.count, bytes[cursor.bytes] & 0xC0 == 0x80 { cursor.bytes += 1 }
            cursor.characters += 1
        }
        return cursor.bytes
    }

    private mutating func take(_ event: yaml_event_t) throws(YAMLError) {
        let mark = YAMLMark(event.start_mark)
        let start = offset(event.start_mark.index)
        switch event.type {
        case YAML_DOCUMENT_START_EVENT:
            documents += 1
            guard documents == 1 else { throw .multipleDocuments(at: mark) }
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            let text = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
            let style: YAMLScalar.Style
            switch scalar.style {
            case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
            case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
            case YAML_LITERAL_SCALAR_STYLE: style = .literal
            case YAML_FOLDED_SCALAR_STYLE: style = .folded
            default: style = .plain
            }
            let end = offset(event.end_mark.index)
            try attach(
                YAMLOutline(
                    kind: .scalar(style), start: start, end: end, mark: mark, text: text,
                    anchor: Self.text(of: scalar.anchor), children: []), at: mark)
        case YAML_ALIAS_EVENT:
            let end = offset(event.end_mark.index)
            try attach(
                YAMLOutline(
                    kind: .alias, start: start, end: end, mark: mark, text: nil,
                    anchor: Self.text(of: event.data.alias.anchor) ?? "", children: []), at: mark)
        case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
            guard open.count < limits.maxDepth else { throw .tooDeep(limit: limits.maxDepth, at: mark) }
            let isSequence = event.type == YAML_SEQUENCE_START_EVENT
            let flow =
                isSequence
                ? event.data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE
                : event.data.mapping_start.style == YAML_FLOW_MAPPING_STYLE
            let anchor = Self.text(of: isSequence ? event.data.sequence_start.anchor : event.data.mapping_start.anchor)
            open.append(
                Open(
                    node: YAMLOutline(
                        kind: isSequence ? .sequence(flow: flow) : .mapping(flow: flow), start: start, end: start,
                        mark: mark, text: nil, anchor: anchor, children: []), flow: flow))
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            var collection = open.removeLast()
            if collection.flow {
                collection.node.end = offset(event.end_mark.index)
            } else {
                // A block collection's end event sits where the next token starts (after comments
                // and blank lines); its content ends with its last item.
                collection.node.end = collection.node.children.last?.end ?? collection.node.start
            }
            try attach(collection.node, at: collection.node.mark)
        default:
            break
        }
    }

    private mutating func attach(_ node: YAMLOutline, at mark: YAMLMark) throws(YAMLError) {
        nodes += 1
        guard nodes <= limits.maxNodes else { throw .tooManyNodes(limit: limits.maxNodes, at: mark) }
        guard let top = open.indices.last else {
            root = node
            return
        }
        open[top].node.children.append(node)
    }

    private static func text(of bytes: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        bytes.map { String(cString: $0) }
    }
}
