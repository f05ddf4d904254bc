/// Text from outside (service messages, file contents, environment values) made safe to show on a
/// terminal and bounded in length.
public enum TerminalText {
    /// `text` with every control character written as an escape: C0 controls (newline and carriage
    /// return included, so a message cannot forge a line of its own), DEL, C1 controls, and the
    /// Unicode bidirectional overrides and isolates that reorder what a terminal shows (U+202A–U+202E,
    /// U+2066–U+2069). Tab stays. Escapes read `\n`, `\r`, `\e`, or `\u{XX}`.
    ///
    /// A reply holding `ESC[2J` and a fake "token OK" line was printed verbatim before this.
    public static func sanitized(_ text: String) -> String {
        // The usual line needs no change: checked on bytes, no copy.
        if !text.utf8.contains(where: { $0 < 0x20 && $0 != 0x09 || $0 == 0x7F || $0 >= 0xC2 }) { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x1B: out += "\\e"
            case 0x09: out.unicodeScalars.append(scalar)
            case 0x00..<0x20, 0x7F, 0x80..<0xA0, 0x202A...0x202E, 0x2066...0x2069:
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// `text` cut to at most `limit` characters, saying how many were left out:
    /// `first part… (1234 more characters)`.
    public static func excerpt(_ text: String, limit: Int) -> String {
        guard text.utf8.count > limit else { return text }
        let count = text.count
        guard count > limit else { return text }
        return String(text.prefix(limit)) + "… (\(count - limit) more characters)"
    }
}
