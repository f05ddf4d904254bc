/// A sequence node: its items in order and its tag.
public struct YAMLSequence: Hashable, Sendable {
    /// The items, in order.
    public var items: [YAMLNode]
    /// The tag written on it, or nil (the usual case: `!!seq`).
    public var tag: YAMLTag?

    /// A sequence from its parts; by default without a tag.
    public init(_ items: [YAMLNode] = [], tag: YAMLTag? = nil) {
        self.items = items
        self.tag = tag
    }
}

extension YAMLSequence: RandomAccessCollection, MutableCollection, RangeReplaceableCollection {
    /// An empty sequence.
    public init() { self.init([]) }
    /// The position of the first item: 0.
    public var startIndex: Int { items.startIndex }
    /// The position after the last item: the item count.
    public var endIndex: Int { items.endIndex }

    /// The item at `position`.
    public subscript(position: Int) -> YAMLNode {
        get { items[position] }
        set { items[position] = newValue }
    }

    /// Replaces the items in `subrange` with `newElements`.
    public mutating func replaceSubrange<C: Collection>(_ subrange: Range<Int>, with newElements: C)
    where C.Element == YAMLNode {
        items.replaceSubrange(subrange, with: newElements)
    }
}

extension YAMLSequence: ExpressibleByArrayLiteral {
    /// A sequence of these items.
    public init(arrayLiteral elements: YAMLNode...) {
        self.init(elements)
    }
}
