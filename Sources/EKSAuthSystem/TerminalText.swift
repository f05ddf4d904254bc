/// Text from outside (service messages, file contents, environment values) made safe to show on a
/// terminal and bounded in length.
public enum TerminalText {
    /// `text` with every control character written as an escape: C0 controls (newline and carriage
    /// return included, so a message cannot forge a line of its own), DEL, C1 controls, and the
    /// Unicode bidirectional controls that reorder what a terminal shows (the marks U+061C, U+200E,
    /// U+200F, the embeddings and overrides U+202A–U+202E, the isolates U+2066–U+2069) and the line
    /// and paragraph separators U+2028, U+2029. Tab stays. Escapes read `\n`, `\r`, `\e`, or `\u{XX}`.
    ///
    /// A reply holding `ESC[2J` and a fake "token OK" line was printed verbatim before this.
    public static func sanitized(_ text: String) -> String {
        line(text, limit: Int.max)
    }

    /// `text` sanitised as `sanitized` does and cut to at most `limit` Unicode scalars of output,
    /// saying how many scalars of the input were left out: `first part… (1234 more characters)`.
    /// Measured after escaping and in scalars, not characters: a run of combining marks is one
    /// character of any length, and `\u{1}` is six scalars for one.
    public static func line(_ text: String, limit: Int) -> String {
        // The usual line needs no change: checked on bytes, no copy.
        if text.utf8.count <= limit,
            !text.utf8.contains(where: { $0 < 0x20 && $0 != 0x09 || $0 == 0x7F || $0 >= 0xC2 })
        {
            return text
        }
        var out = String.UnicodeScalarView()
        var written = 0
        var scalars = text.unicodeScalars.makeIterator()
        while let scalar = scalars.next() {
            let escaped = escape(scalar)
            let length = escaped?.unicodeScalars.count ?? 1
            if written + length > limit {
                var left = 1
                while scalars.next() != nil { left += 1 }
                return String(out) + "… (\(left) more characters)"
            }
            if let escaped { out.append(contentsOf: escaped.unicodeScalars) } else { out.append(scalar) }
            written += length
        }
        return String(out)
    }

    /// The escape for `scalar`, or nil when it is shown as it is.
    static func escape(_ scalar: Unicode.Scalar) -> String? {
        switch scalar.value {
        case 0x0A: return "\\n"
        case 0x0D: return "\\r"
        case 0x1B: return "\\e"
        case 0x09: return nil
        case 0x00..<0x20, 0x7F, 0x80..<0xA0, 0x061C, 0x200E, 0x200F, 0x2028, 0x2029, 0x202A...0x202E,
            0x2066...0x2069:
            return "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
        default: return nil
        }
    }

    /// `text` cut to at most `limit` Unicode scalars, saying how many were left out:
    /// `first part… (1234 more characters)`.
    public static func excerpt(_ text: String, limit: Int) -> String {
        guard text.utf8.count > limit else { return text }
        let count = text.unicodeScalars.count
        guard count > limit else { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.prefix(limit)))
            + "… (\(count - limit) more characters)"
    }
}
