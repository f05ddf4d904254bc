import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Base64 with the URL-safe alphabet (RFC 4648 §5) and no padding, as the token uses.
public enum Base64URL {
    /// The URL-safe alphabet, indexed by six-bit value.
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// Encodes `bytes`. Written out over bytes, once per token: `Data.base64EncodedString()` followed by a
    /// `map` over characters instantiated generic metadata whose first use scans every conformance record
    /// in the binary (0.77 M instructions on a cached assumed-role token, measured with callgrind).
    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= bytes.count {
            let group = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            append(group, characters: 4, to: &out)
            index += 3
        }
        switch bytes.count - index {
        case 1: append(UInt32(bytes[index]) << 16, characters: 2, to: &out)
        case 2: append(UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8, characters: 3, to: &out)
        default: break
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the first `characters` six-bit digits of the 24-bit `group`, without padding.
    private static func append(_ group: UInt32, characters: Int, to out: inout [UInt8]) {
        for position in 0..<characters {
            out.append(alphabet[Int(group >> UInt32(18 - 6 * position) & 0x3f)])
        }
    }

    /// Decodes base64url with or without padding; nil for any character outside the alphabet.
    public static func decode(_ text: String) -> [UInt8]? {
        let alphabet: (Character) -> Bool = {
            $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "=")
        }
        guard text.allSatisfy(alphabet) else { return nil }
        var standard = String(text.map { $0 == "-" ? "+" : $0 == "_" ? "/" : $0 })
        while standard.count % 4 != 0 { standard.append("=") }
        return Data(base64Encoded: standard).map { Array($0) }
    }
}
