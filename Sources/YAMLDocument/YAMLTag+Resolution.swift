// The plain-scalar resolver of YAML 1.1 (https://yaml.org/type/), as libyaml's users resolve it
// (PyYAML's and Yams' default resolvers, go-yaml v2): an untagged plain scalar is a null, a boolean,
// an integer, a float, a timestamp, the merge key or the value key when its whole text has that
// type's form, and a string otherwise. Where those readers differ the wider form is kept (y and n
// are booleans, as go-yaml and the YAML 1.1 type page have them; 1e3 and -.5 are floats), so that a
// string written unquoted is one that every one of them reads back as a string.
// The forms are short and fixed, so they are matched by hand on UTF-8 bytes, without a regex engine.

extension YAMLTag {
    /// The type YAML 1.1 gives an untagged plain scalar with this text: `.null`, `.bool`, `.int`,
    /// `.float`, `.timestamp`, `.merge`, `.value`, else `.str`.
    ///
    /// - `.null`: `~`, `null`, `Null`, `NULL` and the empty text.
    /// - `.bool`: `y`, `yes`, `true`, `on`, `n`, `no`, `false`, `off`, each also capitalised or upper case.
    /// - `.int`: decimal `[-+]?(0|[1-9][0-9_]*)`, binary `0b…`, octal `0…` or `0o…`, hexadecimal `0x…`,
    ///   sexagesimal `190:20:30`; `_` may separate digits.
    /// - `.float`: `1.5`, `1e3`, `6.8523015e+5`, `.5`, `190:20:30.15`, `.inf`, `-.Inf`, `.nan`.
    /// - `.timestamp`: `2001-12-14`, `2001-12-14t21:59:43.10-05:00`, `2001-12-14 21:59:43.10 Z`.
    /// - `.merge`: `<<`; `.value`: `=`.
    public static func resolving(plain text: String) -> YAMLTag {
        let bytes = Array(text.utf8)[...]
        if PlainForm.isNull(bytes) { return .null }
        if PlainForm.isBool(bytes) { return .bool }
        if PlainForm.isInt(bytes) { return .int }
        if PlainForm.isFloat(bytes) { return .float }
        if PlainForm.isTimestamp(bytes) { return .timestamp }
        if bytes.elementsEqual("<<".utf8) { return .merge }
        if bytes.elementsEqual("=".utf8) { return .value }
        return .str
    }
}

/// The forms of the YAML 1.1 scalar types, matched on UTF-8 bytes.
enum PlainForm {
    typealias Bytes = ArraySlice<UInt8>

    static let nulls = ["", "~", "null", "Null", "NULL"]
    static let trues = ["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"]
    static let falses = ["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"]
    static let infinities = ["inf", "Inf", "INF"]
    static let nans = ["nan", "NaN", "NAN"]

    static func isNull(_ s: Bytes) -> Bool { s.count <= 4 && oneOf(nulls, s) }
    static func isBool(_ s: Bytes) -> Bool { s.count <= 5 && (oneOf(trues, s) || oneOf(falses, s)) }

    static func oneOf(_ words: [String], _ s: Bytes) -> Bool {
        words.contains { $0.utf8.elementsEqual(s) }
    }

    static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
    static func isDigitOrSeparator(_ b: UInt8) -> Bool { isDigit(b) || b == UInt8(ascii: "_") }

    static func isHexDigit(_ b: UInt8) -> Bool {
        isDigit(b) || (b | 0x20 >= UInt8(ascii: "a") && b | 0x20 <= UInt8(ascii: "f"))
    }

    /// `s` without a leading `-` or `+`, and whether it had one.
    static func unsigned(_ s: Bytes) -> (Bytes, signed: Bool) {
        guard let first = s.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") else { return (s, false) }
        return (s.dropFirst(), true)
    }

    /// `[-+]?(0|[1-9][0-9_]*)`, `[-+]?0b[01_]+`, `[-+]?0o?[0-7_]+`, `[-+]?0x[0-9a-fA-F_]+`, or
    /// `[-+]?[1-9][0-9_]*(:[0-5]?[0-9])+`.
    static func isInt(_ s: Bytes) -> Bool {
        let (s, _) = unsigned(s)
        guard let first = s.first, isDigit(first) else { return false }
        if first == UInt8(ascii: "0") {
            let rest = s.dropFirst()
            guard let marker = rest.first else { return true }
            let digits = rest.dropFirst()
            switch marker {
            case UInt8(ascii: "b"):
                return !digits.isEmpty && digits.allSatisfy { $0 == 0x30 || $0 == 0x31 || $0 == UInt8(ascii: "_") }
            case UInt8(ascii: "x"):
                return !digits.isEmpty && digits.allSatisfy { isHexDigit($0) || $0 == UInt8(ascii: "_") }
            case UInt8(ascii: "o"):
                return !digits.isEmpty && digits.allSatisfy(isOctalOrSeparator)
            default:
                return rest.allSatisfy(isOctalOrSeparator)
            }
        }
        let head = s.prefix(while: isDigitOrSeparator)
        let tail = s.dropFirst(head.count)
        if tail.isEmpty { return true }
        return sexagesimalGroups(tail)?.isEmpty == true
    }

    static func isOctalOrSeparator(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "7")) || b == UInt8(ascii: "_")
    }

    /// What follows `(:[0-5]?[0-9])+` at the start of `s`, or nil when `s` does not start with one such group.
    static func sexagesimalGroups(_ s: Bytes) -> Bytes? {
        var s = s
        var groups = 0
        while s.first == UInt8(ascii: ":") {
            let digits = s.dropFirst().prefix(while: isDigit)
            guard digits.count == 1 || (digits.count == 2 && digits.first! <= UInt8(ascii: "5")) else { return nil }
            s = s.dropFirst(1 + digits.count)
            groups += 1
        }
        return groups > 0 ? s : nil
    }

    /// `[-+]?[0-9][0-9_]*(\.[0-9_]*)?([eE][-+]?[0-9]+)?`, `[-+]?\.[0-9_]+([eE][-+]?[0-9]+)?`,
    /// `[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*`, `[-+]?\.(inf|Inf|INF)` or `\.(nan|NaN|NAN)`.
    static func isFloat(_ s: Bytes) -> Bool {
        let (s, signed) = unsigned(s)
        guard let first = s.first else { return false }
        if first == UInt8(ascii: ".") {
            let rest = s.dropFirst()
            if oneOf(infinities, rest) || (!signed && oneOf(nans, rest)) { return true }
            let fraction = rest.prefix(while: isDigitOrSeparator)
            return !fraction.isEmpty && isExponentOrNothing(rest.dropFirst(fraction.count))
        }
        guard isDigit(first) else { return false }
        var rest = s.drop(while: isDigitOrSeparator)
        if rest.first == UInt8(ascii: ":") {
            guard let afterGroups = sexagesimalGroups(rest), afterGroups.first == UInt8(ascii: ".") else {
                return false
            }
            return afterGroups.dropFirst().allSatisfy(isDigitOrSeparator)
        }
        if rest.first == UInt8(ascii: ".") { rest = rest.dropFirst().drop(while: isDigitOrSeparator) }
        return isExponentOrNothing(rest)
    }

    /// `([eE][-+]?[0-9]+)?` and nothing after.
    static func isExponentOrNothing(_ s: Bytes) -> Bool {
        guard let first = s.first else { return true }
        guard first | 0x20 == UInt8(ascii: "e") else { return false }
        let (digits, _) = unsigned(s.dropFirst())
        return !digits.isEmpty && digits.allSatisfy(isDigit)
    }

    /// `[0-9]{4}-[0-9]{2}-[0-9]{2}`, or `[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}`
    /// then `(\.[0-9]*)?([ \t]*(Z|[-+][0-9]{1,2}(:[0-9]{2})?))?`.
    static func isTimestamp(_ s: Bytes) -> Bool {
        var s = s
        func digits(_ allowed: ClosedRange<Int>) -> Bool {
            let run = s.prefix(while: isDigit).count
            guard allowed.contains(run) else { return false }
            s = s.dropFirst(run)
            return true
        }
        func take(_ ascii: Unicode.Scalar) -> Bool {
            guard s.first == UInt8(ascii: ascii) else { return false }
            s = s.dropFirst()
            return true
        }
        func isBlank(_ b: UInt8) -> Bool { b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") }

        guard s.count >= 8, digits(4...4), take("-") else { return false }
        let monthStart = s.startIndex
        guard digits(1...2), take("-") else { return false }
        let dayStart = s.startIndex
        guard digits(1...2) else { return false }
        if s.isEmpty { return dayStart - monthStart == 3 && s.startIndex - dayStart == 2 }
        if !take("T") && !take("t") {
            let blanks = s.prefix(while: isBlank).count
            guard blanks > 0 else { return false }
            s = s.dropFirst(blanks)
        }
        guard digits(1...2), take(":"), digits(2...2), take(":"), digits(2...2) else { return false }
        if take(".") { s = s.drop(while: isDigit) }
        if s.isEmpty { return true }
        s = s.drop(while: isBlank)
        if take("Z") { return s.isEmpty }
        guard take("-") || take("+"), digits(1...2) else { return false }
        if take(":") { guard digits(2...2) else { return false } }
        return s.isEmpty
    }
}
