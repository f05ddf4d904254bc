import Testing

@testable import EKSAuthSystem

@Suite("TerminalText: outside text made safe for a terminal")
struct TerminalTextTests {
    @Test(
        "escapes control characters, DEL, C1 controls and bidi overrides; keeps tabs and other text",
        arguments: [
            ("plain text", "plain text"),
            ("tab\tstays", "tab\tstays"),
            ("\u{1B}[2J", "\\e[2J"),
            ("a\nb\rc", "a\\nb\\rc"),
            ("\u{0}\u{7}\u{7F}", "\\u{0}\\u{7}\\u{7F}"),
            ("\u{85}\u{9B}", "\\u{85}\\u{9B}"),
            ("x\u{202E}y\u{2066}z", "x\\u{202E}y\\u{2066}z"),
            ("\u{200F}\u{061C}\u{200E}\u{2028}\u{2029}", "\\u{200F}\\u{61C}\\u{200E}\\u{2028}\\u{2029}"),
            ("é 日本 🙂 \u{A0}", "é 日本 🙂 \u{A0}"),
        ])
    func sanitized(input: String, expected: String) {
        #expect(TerminalText.sanitized(input) == expected)
    }

    @Test("cuts long text to an excerpt that says how much was left out")
    func excerpt() {
        #expect(TerminalText.excerpt("short", limit: 10) == "short")
        #expect(TerminalText.excerpt(String(repeating: "a", count: 15), limit: 10) == "aaaaaaaaaa… (5 more characters)")
        #expect(TerminalText.excerpt(String(repeating: "é", count: 8), limit: 10) == String(repeating: "é", count: 8))
    }

    @Test("a line is bounded after escaping and in scalars: combining marks and escapes cannot stretch it")
    func lineBound() {
        let combining = TerminalText.line("A" + String(repeating: "\u{301}", count: 10_000), limit: 100)
        #expect(combining.unicodeScalars.count <= 100 + 30)
        #expect(combining.hasSuffix("… (9901 more characters)"))
        let controls = TerminalText.line(String(repeating: "\u{1}", count: 3_000), limit: 30)
        #expect(controls == String(repeating: "\\u{1}", count: 6) + "… (2994 more characters)")
        #expect(TerminalText.line("plain", limit: 30) == "plain")
    }
}
