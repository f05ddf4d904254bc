/// A scalar node: its text as written (escapes and folding undone), how it was written, and its tag.
public struct YAMLScalar: Hashable, Sendable {
    /// How a scalar is written (YAML 1.1 chapter 9, "Scalar Styles"): the style decides, with the tag, what type it has.
    public enum Style: Hashable, Sendable {
        /// `text`: typed by its form when untagged (see `YAMLTag.resolving(plain:)`).
        case plain
        /// `'text'`: a string.
        case singleQuoted
        /// `"text"`, with backslash escapes: a string.
        case doubleQuoted
        /// `|` then indented lines, kept as written: a string.
        case literal
        /// `>` then indented lines, folded into one: a string.
        case folded
    }

    /// The text, after escapes, quoting and folding are undone.
    public var text: String
    /// The style it was written in, or is to be written in.
    public var style: Style
    /// The tag written on the node (`!!str 123`, `!Ref x`), or nil when none is: the type then follows from
    /// the style and the text (`resolvedTag`).
    public var tag: YAMLTag?

    /// A scalar from its parts; by default an untagged plain scalar, typed by its text.
    public init(_ text: String, style: Style = .plain, tag: YAMLTag? = nil) {
        self.text = text
        self.style = style
        self.tag = tag
    }

    /// A string scalar: it reads back as the text whatever the text looks like, because `YAML.serialize`
    /// writes it double-quoted when plain it would read as a number, boolean, null or date.
    public init(string: String) {
        self.init(string, tag: .str)
    }

    /// Its type: the tag when it has one; `!!str` for a quoted or block scalar; otherwise what YAML 1.1
    /// resolves the plain text to (`YAMLTag.resolving(plain:)`).
    public var resolvedTag: YAMLTag {
        if let tag { return tag }
        return style == .plain ? YAMLTag.resolving(plain: text) : .str
    }

    /// The text when the scalar is a string (`resolvedTag` is `!!str`); nil for a number, boolean, null, ….
    public var string: String? { resolvedTag == .str ? text : nil }

    /// Whether it is null: `~`, `null` or nothing, plain and untagged, or tagged `!!null`.
    public var isNull: Bool { resolvedTag == .null }

    /// Its value when it is a boolean (`true`, `yes`, `on`, `y`, and their opposites, in any of their cases).
    public var bool: Bool? {
        guard resolvedTag == .bool else { return nil }
        let bytes = Array(text.utf8)[...]
        if PlainForm.oneOf(PlainForm.trues, bytes) { return true }
        if PlainForm.oneOf(PlainForm.falses, bytes) { return false }
        return nil
    }

    /// Its value when it is an integer that fits an `Int`, in any YAML 1.1 form (`0x1F`, `0o17`, `017`,
    /// `0b11111`, `1_000`, `190:20:30`).
    public var int: Int? {
        guard resolvedTag == .int else { return nil }
        var digits = Substring(text.filter { $0 != "_" })
        let negative = digits.first == "-"
        if digits.first == "-" || digits.first == "+" { digits = digits.dropFirst() }
        let magnitude: Int?
        if digits.contains(":") {
            magnitude = Self.sexagesimal(digits.split(separator: ":", omittingEmptySubsequences: false))
        } else if digits.hasPrefix("0b") {
            magnitude = Int(digits.dropFirst(2), radix: 2)
        } else if digits.hasPrefix("0x") {
            magnitude = Int(digits.dropFirst(2), radix: 16)
        } else if digits.hasPrefix("0o") {
            magnitude = Int(digits.dropFirst(2), radix: 8)
        } else if digits.hasPrefix("0"), digits.count > 1 {
            magnitude = Int(digits.dropFirst(), radix: 8)
        } else {
            magnitude = Int(digits, radix: 10)
        }
        guard let magnitude else { return nil }
        return negative ? -magnitude : magnitude
    }

    /// Its value when it is a float (`1.5`, `1e3`, `.inf`, `-.inf`, `.nan`, `190:20:30.15`).
    public var double: Double? {
        guard resolvedTag == .float else { return nil }
        var digits = Substring(text.filter { $0 != "_" })
        let negative = digits.first == "-"
        if digits.first == "-" || digits.first == "+" { digits = digits.dropFirst() }
        let magnitude: Double?
        if PlainForm.oneOf(PlainForm.infinities, Array(digits.dropFirst().utf8)[...]) {
            magnitude = .infinity
        } else if PlainForm.oneOf(PlainForm.nans, Array(digits.dropFirst().utf8)[...]) {
            magnitude = .nan
        } else if digits.contains(":") {
            magnitude = Self.sexagesimal(digits.split(separator: ":", omittingEmptySubsequences: false))
        } else {
            magnitude = Double(digits.first == "." ? "0" + digits : String(digits))
        }
        guard let magnitude else { return nil }
        return negative ? -magnitude : magnitude
    }

    /// `a:b:c` in base 60 (YAML 1.1's sexagesimal form); nil when a part is not a number or the sum overflows.
    static func sexagesimal(_ parts: [Substring]) -> Int? {
        var total = 0
        for part in parts {
            guard let digit = Int(part, radix: 10) else { return nil }
            let (shifted, overflow) = total.multipliedReportingOverflow(by: 60)
            let (sum, carry) = shifted.addingReportingOverflow(digit)
            guard !overflow, !carry else { return nil }
            total = sum
        }
        return total
    }

    /// `a:b:c.d` in base 60 (YAML 1.1's sexagesimal form); nil when a part is not a number.
    static func sexagesimal(_ parts: [Substring]) -> Double? {
        var total = 0.0
        for part in parts {
            guard let digit = Double(part) else { return nil }
            total = total * 60 + digit
        }
        return total
    }
}
