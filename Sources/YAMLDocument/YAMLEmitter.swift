internal import CLibYAML

/// Writes a node tree through libyaml's emitter, one event per scalar and collection boundary.
struct YAMLEmitter {
    /// Collects what libyaml writes.
    private final class Output {
        var bytes: [UInt8] = []
    }

    private let emitter: UnsafeMutablePointer<yaml_emitter_t>
    private let maxDepth: Int

    static func serialize(_ node: YAMLNode, maxDepth: Int) throws(YAMLError) -> String {
        let emitter = UnsafeMutablePointer<yaml_emitter_t>.allocate(capacity: 1)
        defer { emitter.deallocate() }
        guard yaml_emitter_initialize(emitter) == 1 else {
            throw .unwritable(problem: "libyaml cannot allocate an emitter")
        }
        defer { yaml_emitter_delete(emitter) }
        let output = Output()
        return try withExtendedLifetime(output) { () throws(YAMLError) -> String in
            yaml_emitter_set_output(
                emitter,
                { context, buffer, size in
                    guard let context, let buffer else { return 0 }
                    let output = Unmanaged<Output>.fromOpaque(context).takeUnretainedValue()
                    output.bytes.append(contentsOf: UnsafeBufferPointer(start: buffer, count: size))
                    return 1
                }, Unmanaged.passUnretained(output).toOpaque())
            yaml_emitter_set_unicode(emitter, 1)
            yaml_emitter_set_width(emitter, -1)
            yaml_emitter_set_indent(emitter, 2)
            yaml_emitter_set_break(emitter, YAML_LN_BREAK)
            let writer = YAMLEmitter(emitter: emitter, maxDepth: maxDepth)
            try writer.emit { yaml_stream_start_event_initialize($0, YAML_UTF8_ENCODING) }
            try writer.emit { yaml_document_start_event_initialize($0, nil, nil, nil, 1) }
            try writer.emit(node, depth: 0)
            try writer.emit { yaml_document_end_event_initialize($0, 1) }
            try writer.emit { yaml_stream_end_event_initialize($0) }
            return String(decoding: output.bytes, as: UTF8.self)
        }
    }

    private func emit(_ node: YAMLNode, depth: Int) throws(YAMLError) {
        switch node {
        case .scalar(let scalar):
            try emit(scalar)
        case .sequence(let sequence):
            guard depth < maxDepth else { throw .unwritable(problem: "collections nest more than \(maxDepth) deep") }
            let tag = sequence.tag == .seq ? nil : sequence.tag
            try Self.withBytes(tag?.rawValue) { tagBytes throws(YAMLError) in
                try emit {
                    yaml_sequence_start_event_initialize(
                        $0, nil, tagBytes, tag == nil ? 1 : 0, YAML_BLOCK_SEQUENCE_STYLE)
                }
            }
            for item in sequence { try emit(item, depth: depth + 1) }
            try emit { yaml_sequence_end_event_initialize($0) }
        case .mapping(let mapping):
            guard depth < maxDepth else { throw .unwritable(problem: "collections nest more than \(maxDepth) deep") }
            let tag = mapping.tag == .map ? nil : mapping.tag
            try Self.withBytes(tag?.rawValue) { tagBytes throws(YAMLError) in
                try emit {
                    yaml_mapping_start_event_initialize(
                        $0, nil, tagBytes, tag == nil ? 1 : 0, YAML_BLOCK_MAPPING_STYLE)
                }
            }
            for pair in mapping {
                try emit(pair.key, depth: depth + 1)
                try emit(pair.value, depth: depth + 1)
            }
            try emit { yaml_mapping_end_event_initialize($0) }
        }
    }

    /// A scalar, its tag written only where its style and text do not already give its type.
    private func emit(_ scalar: YAMLScalar) throws(YAMLError) {
        let plainType = scalar.style == .plain ? YAMLTag.resolving(plain: scalar.text) : .str
        var style = scalar.style
        var tag: YAMLTag?
        switch scalar.tag {
        case nil:
            break  // typed by its style and text when read back, as it was when read
        case .str?:
            // A string that plain would read as a number, boolean, null, …: quoted, as kubectl's readers
            // expect strings to be.
            if plainType != .str { style = .doubleQuoted }
        case let other?:
            if plainType != other { tag = other }
        }
        // With no tag, both implicit flags: libyaml may then pick a quoted style where plain cannot be written.
        let implicit: Int32 = tag == nil ? 1 : 0
        guard let length = Int32(exactly: scalar.text.utf8.count) else {
            throw .unwritable(problem: "a scalar of \(scalar.text.utf8.count) bytes, more than libyaml takes")
        }
        try Self.withBytes(tag?.rawValue) { tagBytes throws(YAMLError) in
            try Self.withBytes(scalar.text) { valueBytes throws(YAMLError) in
                try emit {
                    yaml_scalar_event_initialize(
                        $0, nil, tagBytes, valueBytes, length, implicit, implicit, Self.libyamlStyle(style))
                }
            }
        }
    }

    /// Makes an event with `initialize` and hands it to the emitter, which frees it, written or not.
    private func emit(_ initialize: (UnsafeMutablePointer<yaml_event_t>) -> Int32) throws(YAMLError) {
        var event = yaml_event_t()
        guard initialize(&event) == 1 else { throw .unwritable(problem: "libyaml refused an event") }
        guard yaml_emitter_emit(emitter, &event) == 1 else {
            throw .unwritable(problem: emitter.pointee.problem.map { String(cString: $0) } ?? "libyaml failed")
        }
    }

    /// `text` as NUL-terminated bytes for libyaml (which copies them), or nil for no text.
    private static func withBytes(
        _ text: String?, _ body: (UnsafeMutablePointer<yaml_char_t>?) throws(YAMLError) -> Void
    ) throws(YAMLError) {
        guard let text else { return try body(nil) }
        let utf8 = text.utf8
        let pointer = UnsafeMutablePointer<yaml_char_t>.allocate(capacity: utf8.count + 1)
        defer { pointer.deallocate() }
        _ = UnsafeMutableBufferPointer(start: pointer, count: utf8.count).initialize(from: utf8)
        pointer[utf8.count] = 0
        try body(pointer)
    }

    private static func libyamlStyle(_ style: YAMLScalar.Style) -> yaml_scalar_style_t {
        switch style {
        case .plain: return YAML_PLAIN_SCALAR_STYLE
        case .singleQuoted: return YAML_SINGLE_QUOTED_SCALAR_STYLE
        case .doubleQuoted: return YAML_DOUBLE_QUOTED_SCALAR_STYLE
        case .literal: return YAML_LITERAL_SCALAR_STYLE
        case .folded: return YAML_FOLDED_SCALAR_STYLE
        }
    }
}
