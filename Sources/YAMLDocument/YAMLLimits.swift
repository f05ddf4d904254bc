/// The bounds `YAML.compose` holds a document to, so that a hostile or broken file costs at most a
/// few megabytes and milliseconds: aliases can make a small text stand for a huge tree ("billion laughs"),
/// and unbounded nesting would exhaust the stack of whatever walks the tree.
public struct YAMLLimits: Hashable, Sendable {
    /// The longest text read, in UTF-8 bytes.
    public var maxInputBytes: Int
    /// How deep sequences and mappings may nest.
    public var maxDepth: Int
    /// How many nodes the document may hold once every alias is replaced by its anchor's node.
    public var maxNodes: Int
    /// How many UTF-8 bytes of scalar text the document may hold once every alias is replaced.
    public var maxTextBytes: Int

    /// Bounds from parts; the defaults are `YAMLLimits.default`'s.
    public init(
        maxInputBytes: Int = 8 << 20, maxDepth: Int = 256, maxNodes: Int = 200_000, maxTextBytes: Int = 32 << 20
    ) {
        self.maxInputBytes = maxInputBytes
        self.maxDepth = maxDepth
        self.maxNodes = maxNodes
        self.maxTextBytes = maxTextBytes
    }

    /// 8 MiB of text, 256 levels, 200,000 nodes and 32 MiB of text after alias expansion: far above any
    /// kubeconfig or aws-auth ConfigMap (Kubernetes stores an object in at most 1.5 MiB).
    public static let `default` = YAMLLimits()
}
