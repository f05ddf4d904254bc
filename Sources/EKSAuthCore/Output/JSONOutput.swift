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
