/// A node's tag: what type its text stands for.
///
/// The YAML 1.1 types have global tags under `tag:yaml.org,2002:` (written `!!str`, `!!int`, …; see
/// https://yaml.org/type/); a document may also name local tags of its own, such as `!Ref`.
public struct YAMLTag: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The full tag, e.g. `tag:yaml.org,2002:str` or `!Ref`.
    public var rawValue: String

    /// A tag from its full form.
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// A tag from its full form.
    public init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    /// The prefix of the YAML types, written `!!` (YAML 1.1's secondary tag handle).
    static let yamlPrefix = "tag:yaml.org,2002:"

    /// Text (https://yaml.org/type/str.html).
    public static let str = YAMLTag(yamlPrefix + "str")
    /// An integer (https://yaml.org/type/int.html).
    public static let int = YAMLTag(yamlPrefix + "int")
    /// A floating-point number (https://yaml.org/type/float.html).
    public static let float = YAMLTag(yamlPrefix + "float")
    /// A boolean (https://yaml.org/type/bool.html).
    public static let bool = YAMLTag(yamlPrefix + "bool")
    /// No value (https://yaml.org/type/null.html).
    public static let null = YAMLTag(yamlPrefix + "null")
    /// The merge key `<<` (https://yaml.org/type/merge.html).
    public static let merge = YAMLTag(yamlPrefix + "merge")
    /// A date or an instant (https://yaml.org/type/timestamp.html).
    public static let timestamp = YAMLTag(yamlPrefix + "timestamp")
    /// The value key `=` (https://yaml.org/type/value.html).
    public static let value = YAMLTag(yamlPrefix + "value")
    /// Base64 bytes (https://yaml.org/type/binary.html); never resolved from plain text.
    public static let binary = YAMLTag(yamlPrefix + "binary")
    /// A sequence (https://yaml.org/type/seq.html).
    public static let seq = YAMLTag(yamlPrefix + "seq")
    /// A mapping (https://yaml.org/type/map.html).
    public static let map = YAMLTag(yamlPrefix + "map")

    /// The tag in its short form: `!!str` for the YAML types, the full form otherwise.
    public var description: String {
        rawValue.hasPrefix(Self.yamlPrefix) ? "!!" + rawValue.dropFirst(Self.yamlPrefix.count) : rawValue
    }
}
