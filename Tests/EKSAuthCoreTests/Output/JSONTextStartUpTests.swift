import EKSAuthTestSupport
import Foundation
import Testing

@testable import AWSConfiguration
@testable import AWSSigning
@testable import EKSAuthCore
@testable import EKSAuthSystem

@Suite("JSONText: the hand-written writer and flat reader of the start-up path")
struct JSONTextStartUpTests {
    /// Strings with every kind of byte the writer treats apart.
    static let samples = [
        "", "plain", "with \"quotes\" and \\ backslash", "line\nfeed\r\ttab", "\u{1}\u{1F}\u{7F}",
        "slash / stays", "é ü 日本 🙂", "k8s-aws-v1.aHR0cHM6Ly9zdHM", String(repeating: "x\"", count: 300),
    ]

    @Test("quote writes what JSONSerialization reads back, escaping as it always has", arguments: samples)
    func quoteRoundTripsLong(text: String) throws {
        let quoted = JSONText.quote(text)
        let back = try JSONDecoder().decode(String.self, from: Data(quoted.utf8))
        #expect(back == text)
    }

    @Test("quote keeps its exact escapes (cache file names hash this text)")
    func quoteIsStable() {
        #expect(JSONText.quote("a\"b\\c\nd\re\tf\u{1}g/h") == #""a\"b\\c\nd\re\tf\u0001g/h""#)
        #expect(JSONText.quote("\u{1F}") == #""\u001f""#)
        #expect(JSONText.quote("日本") == "\"日本\"")
    }

    @Test("flatObject reads string and integer members as JSONDecoder does")
    func flatObjectReads() {
        let text = #" { "a" : "x\"y\\z\/\u00e9\ud83d\ude42\n", "n": -12, "zero": 0, "e": "" } "#
        #expect(
            JSONText.flatObject(Array(text.utf8)) == [
                "a": .string("x\"y\\z/é🙂\n"), "n": .integer(-12), "zero": .integer(0), "e": .string(""),
            ])
        #expect(JSONText.flatObject(Array("{}".utf8)) == [:])
    }

    @Test(
        "flatObject declines what it does not read exactly, leaving it to JSONDecoder",
        arguments: [
            "", "[]", "{", "{\"a\":1", "{\"a\":1}x", "{\"a\":1,}", "{\"a\":{}}", "{\"a\":[1]}", "{\"a\":true}",
            "{\"a\":null}", "{\"a\":1.5}", "{\"a\":1e3}", "{\"a\":01}", "{\"a\":-}", "{\"a\":\"x\"\"b\":1}",
            "{\"a\":1,\"a\":2}", "{\"a\":\"\u{1}\"}", "{\"a\":\"\\x\"}", "{\"a\":\"\\ud800\"}", "{\"a\":\"\\udc00\"}",
            "{\"a\":\"\\u12\"}", "{\"a\":99999999999999999999}", "{a:1}", "{\"a\":\"unterminated}",
        ])
    func flatObjectDeclines(text: String) {
        #expect(JSONText.flatObject(Array(text.utf8)) == nil)
    }

    @Test("flatObject declines invalid UTF-8 inside a string")
    func flatObjectDeclinesInvalidUTF8() {
        #expect(JSONText.flatObject([0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xFF, 0x22, 0x7D]) == nil)
    }
}
