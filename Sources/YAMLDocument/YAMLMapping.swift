/// A mapping node: its key–value pairs in the order written and its tag.
///
/// The keys are nodes. Lookup by a string (`mapping["name"]`) finds the first pair whose key is a
/// scalar with that text. `YAML.compose` refuses a mapping that repeats a key, so for a composed
/// mapping "first" is "only".
public struct YAMLMapping: Hashable, Sendable {
    /// One key and its value.
    public struct Pair: Hashable, Sendable {
        /// The key.
        public var key: YAMLNode
        /// The value.
        public var value: YAMLNode

        /// A pair from its parts.
        public init(key: YAMLNode, value: YAMLNode) {
            self.key = key
            self.value = value
        }
    }

    /// The pairs, in order.
    public var pairs: [Pair]
    /// The tag written on it, or nil (the usual case: `!!map`).
    public var tag: YAMLTag?

    /// A mapping from its parts; by default without a tag.
    public init(_ pairs: [Pair] = [], tag: YAMLTag? = nil) {
        self.pairs = pairs
        self.tag = tag
    }

    /// The value of the first pair whose key is a scalar with the text `key`. Setting a value replaces
    /// that pair's value in place, or appends a pair with `key` as a string scalar; setting nil removes the pair.
    public subscript(key: String) -> YAMLNode? {
        get { index(forKey: key).map { pairs[$0].value } }
        set {
            switch (index(forKey: key), newValue) {
            case (let index?, let value?): pairs[index].value = value
            case (let index?, nil): pairs.remove(at: index)
            case (nil, let value?): pairs.append(Pair(key: YAMLNode(key), value: value))
            case (nil, nil): break
            }
        }
    }

    /// The position of the first pair whose key is a scalar with the text `key`.
    public func index(forKey key: String) -> Int? {
        pairs.firstIndex { $0.key.scalar?.text == key }
    }

    /// The mapping with its merge keys applied (https://yaml.org/type/merge.html): each `<<` pair is
    /// removed and the pairs of the mapping it names (or of each mapping of the sequence it names, the
    /// earlier first) are appended where their key is not already present, as YAML 1.1 readers build
    /// mappings. Merged mappings have their own merge keys applied first. A `<<` whose value is not a
    /// mapping or a sequence of mappings is kept as an ordinary pair.
    public func applyingMergeKeys() -> YAMLMapping {
        guard pairs.contains(where: Self.isMergeKey) else { return self }
        var result = YAMLMapping(tag: tag)
        var merged: [YAMLMapping] = []
        for pair in pairs {
            guard Self.isMergeKey(pair) else {
                result.pairs.append(pair)
                continue
            }
            switch pair.value {
            case .mapping(let mapping): merged.append(mapping)
            case .sequence(let sequence) where sequence.allSatisfy({ $0.mapping != nil }):
                merged += sequence.compactMap(\.mapping)
            default: result.pairs.append(pair)
            }
        }
        var present = Set(result.pairs.map { KeyIdentity($0.key) })
        for mapping in merged {
            for pair in mapping.applyingMergeKeys().pairs where present.insert(KeyIdentity(pair.key)).inserted {
                result.pairs.append(pair)
            }
        }
        return result
    }

    private static func isMergeKey(_ pair: Pair) -> Bool {
        pair.key.scalar?.resolvedTag == .merge
    }
}

extension YAMLMapping: RandomAccessCollection {
    /// The position of the first pair: 0.
    public var startIndex: Int { pairs.startIndex }
    /// The position after the last pair: the pair count.
    public var endIndex: Int { pairs.endIndex }
    /// The pair at `position`.
    public subscript(position: Int) -> Pair { pairs[position] }
}

extension YAMLMapping: ExpressibleByDictionaryLiteral {
    /// A mapping of these pairs in the order written, each key a string scalar.
    public init(dictionaryLiteral elements: (String, YAMLNode)...) {
        self.init(elements.map { Pair(key: YAMLNode($0.0), value: $0.1) })
    }
}

/// When two keys are the same key: scalars of the same type and text (`a` and `"a"` are; `1` and
/// `"1"` are not), other nodes when they are equal.
struct KeyIdentity: Hashable {
    private enum Form: Hashable {
        case scalar(YAMLTag, String)
        case node(YAMLNode)
    }
    private let form: Form

    init(_ key: YAMLNode) {
        if case .scalar(let scalar) = key {
            form = .scalar(scalar.resolvedTag, scalar.text)
        } else {
            form = .node(key)
        }
    }
}
