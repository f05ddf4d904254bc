/// Reading and writing YAML with libyaml: a text becomes a `YAMLNode` tree and back.
///
/// YAML 1.1 (https://yaml.org/spec/1.1/) as libyaml implements it, with the types resolved as
/// YAML 1.1 readers resolve them (`YAMLTag.resolving(plain:)`). Comments, anchors and the layout of
/// the input are not kept (flow collections are written back in block style); the order of keys, the
/// style of every scalar, and tags are.
public enum YAML {
    /// The node tree of the one document in `text`; nil when the text holds no document (it is empty,
    /// blank or only comments).
    ///
    /// Built from libyaml's event parser. Each alias is replaced by the node its anchor names (the
    /// copies share storage, but count at their full size against `limits`). A mapping key may appear
    /// only once (`YAMLMapping`'s key identity), and only one document may follow: a second `---` is
    /// an error rather than silently dropped, since a caller writing the tree back would lose it.
    /// Merge keys (`<<`) are kept as pairs; `YAMLMapping.applyingMergeKeys()` applies them.
    /// - Throws: `YAMLError`: `.syntax` (with libyaml's problem and line and column) or `.unreadable`
    ///   for text that is not YAML; `.undefinedAlias`, `.duplicateKey`, `.multipleDocuments`; and
    ///   `.tooLarge`, `.tooDeep`, `.tooManyNodes`, `.tooMuchText` past `limits`.
    public static func compose(_ text: String, limits: YAMLLimits = .default) throws(YAMLError) -> YAMLNode? {
        try YAMLComposer.compose(text, limits: limits)
    }

    /// `node` as a YAML document, written by libyaml's emitter as kubectl writes kubeconfigs: block
    /// collections (empty ones as `{}` and `[]`) indented by 2, a sequence in a mapping not indented
    /// under its key, lines never wrapped, non-ASCII characters written as themselves, a final line break.
    ///
    /// Each scalar keeps its style, except that a string (`!!str`) that plain would read as another type
    /// (`"true"`, `"123"`, `"null"`, `"0x1F"`, `"1e3"`, `"~"`, `""`) is written double-quoted, and libyaml
    /// quotes text that cannot be written plain (`": "`, leading spaces, …). A tag is written only when
    /// the text and style do not already give that type. Anchors are not written: a node reached
    /// through an alias is written out in full each time.
    /// - Throws: `YAMLError.unwritable` when libyaml refuses the tree, or it nests deeper than `maxDepth`.
    public static func serialize(_ node: YAMLNode, maxDepth: Int = YAMLLimits.default.maxDepth) throws(YAMLError)
        -> String
    {
        try YAMLEmitter.serialize(node, maxDepth: maxDepth)
    }
}
