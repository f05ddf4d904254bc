import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

/// Small helpers for writing JSON by hand where a fixed shape makes an encoder unnecessary.
public enum JSONText {
    /// `text` as a JSON string literal, quotes included: `"`, `\` and the control characters escaped
    /// (`\n`, `\r`, `\t`, else `\u00XX` in lower-case hex), everything else as it is (RFC 8259 §7).
    ///
    /// Works on UTF-8 bytes, written straight into the String's storage: every byte to escape is
    /// ASCII, and no byte of a multi-byte character is. Appending to `String.unicodeScalars` one
    /// scalar at a time cost about 440 instructions a scalar, 0.26 M on every token call and 0.4 M
    /// more for a cache key (callgrind).
    public static func quote(_ text: String) -> String {
        var text = text
        return text.withUTF8 { input in
            // The usual text (a token, an ARN) needs no escape: one copy between the quotes.
            if !input.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
                return "\"" + String(decoding: input, as: UTF8.self) + "\""
            }
            // At most six bytes out per byte in (`\u00XX`), plus the quotes.
            return String(unsafeUninitializedCapacity: input.count * 6 + 2) { out in
                let hex: StaticString = "0123456789abcdef"
                var count = 0
                func put(_ bytes: UInt8...) {
                    for byte in bytes {
                        out[count] = byte
                        count += 1
                    }
                }
                out[0] = UInt8(ascii: "\"")
                count = 1
                for byte in input {
                    switch byte {
                    case UInt8(ascii: "\""): put(UInt8(ascii: "\\"), UInt8(ascii: "\""))
                    case UInt8(ascii: "\\"): put(UInt8(ascii: "\\"), UInt8(ascii: "\\"))
                    case UInt8(ascii: "\n"): put(UInt8(ascii: "\\"), UInt8(ascii: "n"))
                    case UInt8(ascii: "\r"): put(UInt8(ascii: "\\"), UInt8(ascii: "r"))
                    case UInt8(ascii: "\t"): put(UInt8(ascii: "\\"), UInt8(ascii: "t"))
                    case 0..<0x20:
                        put(UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"))
                        put(hex.utf8Start[Int(byte >> 4)], hex.utf8Start[Int(byte & 0xF)])
                    default:
                        out[count] = byte
                        count += 1
                    }
                }
                out[count] = UInt8(ascii: "\"")
                return count + 1
            }
        }
    }
}

extension JSONText {
    /// A JSON value of the kinds the start-up path reads: no fractions or exponents.
    public enum Value: Sendable, Equatable {
        case string(String)
        case integer(Int)
        case bool(Bool)
        case null
        // Arrays are references already: no box, and none for the other cases either.
        case array([Value])
        case object(Object)

        /// The object's members; nil for other values.
        public var object: Object? {
            if case .object(let members) = self { return members }
            return nil
        }
    }

    /// A JSON object's members in the order written, looked up by a linear search: the objects of the
    /// start-up path hold a dozen members at most, and a dictionary's hashing and table cost more
    /// (about 20 K instructions for a cache entry) than the search. At most `maximumMembers`.
    public struct Object: Sendable, Equatable, ExpressibleByDictionaryLiteral {
        /// The members, keys unique.
        public var members: [Member]

        /// One member.
        public struct Member: Sendable, Equatable {
            public var key: String
            public var value: Value
        }

        /// An object of these members (keys unique).
        public init(dictionaryLiteral elements: (String, Value)...) {
            members = elements.map { Member(key: $0.0, value: $0.1) }
        }

        init(members: [Member]) {
            self.members = members
        }

        /// The value of `key`, or nil.
        public subscript(key: String) -> Value? {
            members.first { $0.key == key }?.value
        }

        /// The same members, whatever their order.
        public static func == (lhs: Object, rhs: Object) -> Bool {
            lhs.members.count == rhs.members.count && lhs.members.allSatisfy { rhs[$0.key] == $0.value }
        }
    }

    /// The most members an object may have before `parse` declines (checking keys are unique is
    /// quadratic in the count, so it stays bounded).
    public static let maximumMembers = 64

    /// How deep `parse` nests arrays and objects before it declines (`KUBERNETES_EXEC_INFO` and cache
    /// files are two levels deep).
    public static let maximumDepth = 32

    /// The JSON value in `bytes` (RFC 8259), or nil where this small reader declines: a number with a
    /// fraction or exponent or outside `Int`, a repeated key, nesting deeper than `maximumDepth`, or
    /// anything that is not JSON (text after the value, bad escapes, lone surrogates, raw control
    /// characters, invalid UTF-8). Callers fall back to `JSONDecoder` on nil, so it only needs to
    /// agree with it where it answers.
    ///
    /// Hand-written for the start-up path: kubectl sets `KUBERNETES_EXEC_INFO` on every call, and a
    /// cached `token --role-arn` reads a cache file; `JSONDecoder` spent about 1.3 M instructions on
    /// its first use (resolving its generic types at run time) to read the first, 0.6 M the second.
    public static func parse(_ bytes: [UInt8]) -> Value? {
        bytes.withUnsafeBufferPointer { all -> Value? in
            var reader = Reader(all: all)
            guard let value = reader.value(depth: 0) else { return nil }
            reader.skipSpace()
            return reader.index == all.count ? value : nil
        }
    }

    private struct Reader {
        let all: UnsafeBufferPointer<UInt8>
        var index = 0

        mutating func skipSpace() {
            while index < all.count,
                all[index] == 0x20 || all[index] == 0x09 || all[index] == 0x0A || all[index] == 0x0D
            {
                index += 1
            }
        }

        mutating func take(_ byte: UInt8) -> Bool {
            skipSpace()
            guard index < all.count, all[index] == byte else { return false }
            index += 1
            return true
        }

        mutating func take(_ word: StaticString) -> Bool {
            let count = word.utf8CodeUnitCount
            guard index + count <= all.count else { return false }
            for offset in 0..<count where all[index + offset] != word.utf8Start[offset] { return false }
            index += count
            return true
        }

        mutating func value(depth: Int) -> Value? {
            skipSpace()
            guard index < all.count, depth <= JSONText.maximumDepth else { return nil }
            switch all[index] {
            case UInt8(ascii: "\""): return string().map(Value.string)
            case UInt8(ascii: "{"): return object(depth: depth + 1).map(Value.object)
            case UInt8(ascii: "["): return array(depth: depth + 1).map(Value.array)
            case UInt8(ascii: "t"): return take("true") ? .bool(true) : nil
            case UInt8(ascii: "f"): return take("false") ? .bool(false) : nil
            case UInt8(ascii: "n"): return take("null") ? .null : nil
            default: return integer().map(Value.integer)
            }
        }

        mutating func object(depth: Int) -> Object? {
            guard take(UInt8(ascii: "{")) else { return nil }
            var members: [Object.Member] = []
            if take(UInt8(ascii: "}")) { return Object(members: members) }
            repeat {
                skipSpace()
                guard members.count < JSONText.maximumMembers, let key = string(), take(UInt8(ascii: ":")),
                    let value = value(depth: depth), !members.contains(where: { $0.key == key })
                else { return nil }
                members.append(Object.Member(key: key, value: value))
            } while take(UInt8(ascii: ","))
            return take(UInt8(ascii: "}")) ? Object(members: members) : nil
        }

        mutating func array(depth: Int) -> [Value]? {
            guard take(UInt8(ascii: "[")) else { return nil }
            var elements: [Value] = []
            if take(UInt8(ascii: "]")) { return elements }
            repeat {
                guard let value = value(depth: depth) else { return nil }
                elements.append(value)
            } while take(UInt8(ascii: ","))
            return take(UInt8(ascii: "]")) ? elements : nil
        }

        /// `-?(0|[1-9][0-9]*)` not followed by a fraction or exponent, within `Int`.
        mutating func integer() -> Int? {
            let negative = all[index] == UInt8(ascii: "-")
            if negative { index += 1 }
            let first = index
            var value = 0
            while index < all.count, all[index] >= UInt8(ascii: "0"), all[index] <= UInt8(ascii: "9") {
                let digit = Int(all[index] - UInt8(ascii: "0"))
                let (times, o1) = value.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times.addingReportingOverflow(digit)
                guard !o1, !o2 else { return nil }
                value = sum
                index += 1
            }
            let digits = index - first
            guard digits > 0, digits == 1 || all[first] != UInt8(ascii: "0") else { return nil }
            if index < all.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(all[index]) {
                return nil
            }
            return negative ? -value : value
        }

        /// A string at `index` (its opening quote), unescaped; nil for a control character, a bad
        /// escape or a lone surrogate.
        mutating func string() -> String? {
            guard index < all.count, all[index] == UInt8(ascii: "\"") else { return nil }
            index += 1
            // The usual string has no escapes: one String from its bytes.
            let start = index
            while index < all.count, all[index] != UInt8(ascii: "\""), all[index] != UInt8(ascii: "\\"),
                all[index] >= 0x20
            {
                index += 1
            }
            if index < all.count, all[index] == UInt8(ascii: "\"") {
                index += 1
                return String(validating: UnsafeBufferPointer(rebasing: all[start..<(index - 1)]), as: UTF8.self)
            }
            var out = Array(all[start..<index])
            while index < all.count {
                let byte = all[index]
                index += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return String(validating: out, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard index < all.count else { return nil }
                    let escape = all[index]
                    index += 1
                    switch escape {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "u"):
                        guard var scalar = hex4() else { return nil }
                        if (0xD800..<0xDC00).contains(scalar) {
                            guard take2(UInt8(ascii: "\\"), UInt8(ascii: "u")), let low = hex4(),
                                (0xDC00..<0xE000).contains(low)
                            else { return nil }
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        }
                        guard let unicode = Unicode.Scalar(scalar) else { return nil }
                        out.append(contentsOf: Array(String(Character(unicode)).utf8))
                    default: return nil
                    }
                case 0..<0x20: return nil
                default: out.append(byte)
                }
            }
            return nil
        }

        mutating func take2(_ a: UInt8, _ b: UInt8) -> Bool {
            guard index + 1 < all.count, all[index] == a, all[index + 1] == b else { return false }
            index += 2
            return true
        }

        mutating func hex4() -> UInt32? {
            guard index + 4 <= all.count else { return nil }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let c = all[index]
                let digit: UInt8
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = c - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = c - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = c - UInt8(ascii: "A") + 10
                default: return nil
                }
                value = value << 4 | UInt32(digit)
                index += 1
            }
            return value
        }
    }
}
