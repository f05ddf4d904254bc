internal import CLibYAML

/// Builds the node tree of one document from libyaml's events (YAML 1.1's "compose" step), without
/// recursion: the collections being read are a stack, so nesting costs heap, bounded by the limits.
struct YAMLComposer {
    /// A node with an anchor, and what one more copy of it costs.
    private struct Anchored {
        var node: YAMLNode
        var nodes: Int
        var textBytes: Int
        /// How many collections deep it nests (0 for a scalar), so that a copy cannot nest the tree past the bound.
        var height: Int
    }

    /// A sequence or mapping whose end has not been read yet.
    private struct OpenCollection {
        var isMapping: Bool
        /// The items; for a mapping, keys and values alternately.
        var items: [YAMLNode] = []
        var keys: Set<KeyIdentity> = []
        var tag: YAMLTag?
        var anchor: String?
        var mark: YAMLMark
        /// The running totals before this collection, so that its own size is known at its end.
        var nodesBefore: Int
        var textBytesBefore: Int
        /// How many collections deep its items nest, itself included.
        var height = 1
    }

    private let limits: YAMLLimits
    private var anchors: [String: Anchored] = [:]
    private var open: [OpenCollection] = []
    private var root: YAMLNode?
    private var documents = 0
    /// Nodes and scalar bytes so far, aliases counted at their full size.
    private var nodes = 0
    private var textBytes = 0

    private init(limits: YAMLLimits) {
        self.limits = limits
    }

    static func compose(_ text: String, limits: YAMLLimits) throws(YAMLError) -> YAMLNode? {
        let size = text.utf8.count
        guard size <= limits.maxInputBytes else { throw .tooLarge(bytes: size, limit: limits.maxInputBytes) }
        guard size > 0 else { return nil }
        var composer = YAMLComposer(limits: limits)
        var text = text
        var result: Result<YAMLNode?, YAMLError> = .success(nil)
        text.withUTF8 { bytes in
            result = Result { () throws(YAMLError) in try composer.read(bytes) }
        }
        return try result.get()
    }

    /// Reads the events of `bytes` until the end of the stream, and returns the document's root.
    private mutating func read(_ bytes: UnsafeBufferPointer<UInt8>) throws(YAMLError) -> YAMLNode? {
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
            // yaml_parser_parse zeroes the event first, so deleting it after a failure is safe too.
            defer { yaml_event_delete(&event) }
            guard yaml_parser_parse(parser, &event) == 1 else { throw Self.error(of: parser.pointee) }
            if event.type == YAML_STREAM_END_EVENT { return root }
            try take(event)
        }
    }

    private mutating func take(_ event: yaml_event_t) throws(YAMLError) {
        let mark = YAMLMark(event.start_mark)
        switch event.type {
        case YAML_DOCUMENT_START_EVENT:
            documents += 1
            guard documents == 1 else { throw .multipleDocuments(at: mark) }
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            let text = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
            // The non-specific tag `!` makes a scalar a string (YAML 1.1, "Resolved Tags").
            let tag = Self.text(of: scalar.tag).map { $0 == "!" ? YAMLTag.str : YAMLTag($0) }
            let node = YAMLNode.scalar(YAMLScalar(text, style: Self.style(of: scalar.style), tag: tag))
            try count(nodes: 1, textBytes: scalar.length, at: mark)
            if let anchor = Self.text(of: scalar.anchor) {
                anchors[anchor] = Anchored(node: node, nodes: 1, textBytes: scalar.length, height: 0)
            }
            try attach(node, height: 0, at: mark)
        case YAML_ALIAS_EVENT:
            let name = Self.text(of: event.data.alias.anchor) ?? ""
            // An anchor is registered when its node ends, so an alias inside that node is undefined
            // here: the tree can hold no cycle.
            guard let anchored = anchors[name] else { throw .undefinedAlias(name, at: mark) }
            guard open.count + anchored.height <= limits.maxDepth else {
                throw .tooDeep(limit: limits.maxDepth, at: mark)
            }
            try count(nodes: anchored.nodes, textBytes: anchored.textBytes, at: mark)
            try attach(anchored.node, height: anchored.height, at: mark)
        case YAML_SEQUENCE_START_EVENT:
            let start = event.data.sequence_start
            try begin(mapping: false, tag: start.tag, anchor: start.anchor, at: mark)
        case YAML_MAPPING_START_EVENT:
            let start = event.data.mapping_start
            try begin(mapping: true, tag: start.tag, anchor: start.anchor, at: mark)
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            try end()
        default:
            break  // the stream start and the document end carry nothing for the tree
        }
    }

    private mutating func begin(
        mapping: Bool, tag: UnsafeMutablePointer<yaml_char_t>?, anchor: UnsafeMutablePointer<yaml_char_t>?,
        at mark: YAMLMark
    ) throws(YAMLError) {
        guard open.count < limits.maxDepth else { throw .tooDeep(limit: limits.maxDepth, at: mark) }
        let before = (nodes, textBytes)
        try count(nodes: 1, textBytes: 0, at: mark)
        open.append(
            OpenCollection(
                isMapping: mapping, tag: Self.text(of: tag).flatMap { $0 == "!" ? nil : YAMLTag($0) },
                anchor: Self.text(of: anchor), mark: mark, nodesBefore: before.0, textBytesBefore: before.1))
    }

    private mutating func end() throws(YAMLError) {
        let collection = open.removeLast()
        let node: YAMLNode
        if collection.isMapping {
            let pairs = stride(from: 0, to: collection.items.count - 1, by: 2).map {
                YAMLMapping.Pair(key: collection.items[$0], value: collection.items[$0 + 1])
            }
            node = .mapping(YAMLMapping(pairs, tag: collection.tag))
        } else {
            node = .sequence(YAMLSequence(collection.items, tag: collection.tag))
        }
        if let anchor = collection.anchor {
            anchors[anchor] = Anchored(
                node: node, nodes: nodes - collection.nodesBefore, textBytes: textBytes - collection.textBytesBefore,
                height: collection.height)
        }
        try attach(node, height: collection.height, at: collection.mark)
    }

    /// Adds a finished node, `height` collections deep, to the collection being read, or makes it the root.
    private mutating func attach(_ node: YAMLNode, height: Int, at mark: YAMLMark) throws(YAMLError) {
        guard let top = open.indices.last else {
            root = node
            return
        }
        open[top].height = max(open[top].height, height + 1)
        if open[top].isMapping, open[top].items.count % 2 == 0 {
            guard open[top].keys.insert(KeyIdentity(node)).inserted else {
                throw .duplicateKey(node.scalar?.text ?? (node.sequence != nil ? "[…]" : "{…}"), at: mark)
            }
        }
        open[top].items.append(node)
    }

    private mutating func count(nodes added: Int, textBytes addedBytes: Int, at mark: YAMLMark) throws(YAMLError) {
        nodes += added
        textBytes += addedBytes
        guard nodes <= limits.maxNodes else { throw .tooManyNodes(limit: limits.maxNodes, at: mark) }
        guard textBytes <= limits.maxTextBytes else { throw .tooMuchText(limit: limits.maxTextBytes, at: mark) }
    }

    private static func text(of bytes: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        bytes.map { String(cString: $0) }
    }

    private static func style(of style: yaml_scalar_style_t) -> YAMLScalar.Style {
        switch style {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: return .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: return .doubleQuoted
        case YAML_LITERAL_SCALAR_STYLE: return .literal
        case YAML_FOLDED_SCALAR_STYLE: return .folded
        default: return .plain
        }
    }

    private static func error(of parser: yaml_parser_t) -> YAMLError {
        let problem = parser.problem.map { String(cString: $0) } ?? "libyaml failed"
        switch parser.error {
        case YAML_READER_ERROR, YAML_MEMORY_ERROR:
            return .unreadable(problem: problem, byteOffset: parser.problem_offset)
        default:
            let context = parser.context.map { String(cString: $0) }
            return .syntax(
                problem: problem, at: YAMLMark(parser.problem_mark), context: context,
                contextMark: context == nil ? nil : YAMLMark(parser.context_mark))
        }
    }
}

extension YAMLMark {
    /// libyaml's mark, counted from 0, as a mark counted from 1.
    init(_ mark: yaml_mark_t) {
        self.init(line: mark.line + 1, column: mark.column + 1)
    }
}
