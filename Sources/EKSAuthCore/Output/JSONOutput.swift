#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// JSON for scripts (`--output json` of decode, verify, explain, setup): one compact object with
/// sorted keys, so the same report is the same text. Not for the token path, where
/// `ExecCredential.json()` writes its fixed shape by hand to keep the encoder out of start-up.
public enum JSONOutput {
    /// `value` as compact JSON with sorted keys and unescaped slashes.
    public static func compact<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain structs of strings, numbers and arrays cannot fail.
        guard let data = try? encoder.encode(value) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}

/// A value that is written as JSON `null` when absent. Synthesised `Encodable` leaves an absent
/// optional out; the reports for scripts keep every key, so a script can tell "none" from "unknown".
public struct OrNull<Wrapped: Encodable>: Encodable {
    /// The value, or nil for `null`.
    public var value: Wrapped?

    /// Wraps `value`.
    public init(_ value: Wrapped?) {
        self.value = value
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        if let value { try container.encode(value) } else { try container.encodeNil() }
    }
}
