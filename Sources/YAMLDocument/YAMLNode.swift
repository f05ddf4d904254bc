/// A node of a YAML document (a node of YAML 1.1's representation graph), with every alias replaced by
/// the node its anchor names.
public enum YAMLNode: Hashable, Sendable {
    /// Text, typed by its tag or its form: a string, number, boolean, null or timestamp.
    case scalar(YAMLScalar)
    /// An ordered list of nodes.
    case sequence(YAMLSequence)
    /// Ordered key–value pairs; the keys are nodes too.
    case mapping(YAMLMapping)

    /// A string scalar (`YAMLScalar(string:)`): written quoted when plain it would read as another type.
    public init(_ string: String) {
        self = .scalar(YAMLScalar(string: string))
    }

    /// The scalar, when the node is one.
    public var scalar: YAMLScalar? {
        if case .scalar(let scalar) = self { return scalar }
        return nil
    }

    /// The sequence, when the node is one.
    public var sequence: YAMLSequence? {
        if case .sequence(let sequence) = self { return sequence }
        return nil
    }

    /// The mapping, when the node is one.
    public var mapping: YAMLMapping? {
        if case .mapping(let mapping) = self { return mapping }
        return nil
    }

    /// The text of a string scalar (quoted, or plain text that resolves to `!!str`); nil otherwise.
    public var string: String? { scalar?.string }

    /// The value of a mapping's first key whose text is `key`; nil when there is none or the node is not a mapping.
    public subscript(key: String) -> YAMLNode? { mapping?[key] }

    /// A sequence's item at `index`; nil when it is out of range or the node is not a sequence.
    public subscript(index: Int) -> YAMLNode? {
        guard let sequence, sequence.indices.contains(index) else { return nil }
        return sequence[index]
    }
}

extension YAMLNode: ExpressibleByStringLiteral {
    /// A string scalar, as `YAMLNode(_:)` makes it.
    public init(stringLiteral value: String) {
        self.init(value)
    }
}
