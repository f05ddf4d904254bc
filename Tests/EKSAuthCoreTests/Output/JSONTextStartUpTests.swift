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

    @Test("parse reads what JSONDecoder reads, in the kinds it knows")
    func parseReads() {
        let text =
            #" { "a" : "x\"y\\z\/\u00e9\ud83d\ude42\n", "n": -12, "zero": 0, "e": "", "t": true, "f": false, "z": null, "l": [1, "s", {"k": []}] } "#
        #expect(
            JSONText.parse(Array(text.utf8))
                == .object([
                    "a": .string("x\"y\\z/é🙂\n"), "n": .integer(-12), "zero": .integer(0), "e": .string(""),
                    "t": .bool(true), "f": .bool(false), "z": .null,
                    "l": .array([.integer(1), .string("s"), .object(["k": .array([])])]),
                ]))
        #expect(JSONText.parse(Array("{}".utf8)) == .object([:]))
    }

    @Test(
        "parse declines what it does not read exactly, leaving it to JSONDecoder",
        arguments: [
            "", "{", "{\"a\":1", "{\"a\":1}x", "{\"a\":1,}", "[1,]", "{\"a\":tru}", "{\"a\":nul}", "{\"a\":1.5}",
            "{\"a\":1e3}", "{\"a\":01}", "{\"a\":-}", "{\"a\":\"x\"\"b\":1}",
            "{\"a\":1,\"a\":2}", "{\"a\":\"\u{1}\"}", "{\"a\":\"\\x\"}", "{\"a\":\"\\ud800\"}", "{\"a\":\"\\udc00\"}",
            "{\"a\":\"\\u12\"}", "{\"a\":99999999999999999999}", "{a:1}", "{\"a\":\"unterminated}",
        ])
    func parseDeclines(text: String) {
        #expect(JSONText.parse(Array(text.utf8)) == nil)
    }

    @Test("parse declines invalid UTF-8 inside a string")
    func parseDeclinesInvalidUTF8() {
        #expect(JSONText.parse([0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xFF, 0x22, 0x7D]) == nil)
    }
}

@Suite("KUBERNETES_EXEC_INFO through the start-up reader")
struct ExecInfoStartUpTests {
    /// What the decoder alone made of `text` (the reading before the start-up reader).
    static func reference(_ text: String) -> (version: String?, interactive: Bool, readable: Bool) {
        struct Wire: Decodable {
            struct Spec: Decodable { var interactive: Bool? }
            var apiVersion: String?
            var spec: Spec?
        }
        guard let wire = try? JSONDecoder().decode(Wire.self, from: Data(text.utf8)) else { return (nil, false, false) }
        return (wire.apiVersion, wire.spec?.interactive ?? false, true)
    }

    @Test(
        "reads what kubectl sends, and agrees with the decoder on everything else",
        arguments: [
            #"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1","spec":{"interactive":false}}"#,
            #"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{"cluster":{"server":"https://x","certificate-authority-data":"AAAA","config":null},"interactive":true}}"#,
            #"{"apiVersion":"client.authentication.k8s.io/v1alpha1"}"#,
            #"{"apiVersion":null,"spec":null}"#, #"{"spec":{"interactive":null}}"#, #"{"spec":{}}"#,
            #"{"apiVersion":1}"#, #"{"spec":{"interactive":"yes"}}"#, #"{"spec":[]}"#, #"[]"#, #"{"a":1.5e3}"#,
            #"{"apiVersion":"client.authentication.k8s.io/v1beta1","apiVersion":"x"}"#, "not json", "{",
            #"{"apiVersion":"\u0063lient.authentication.k8s.io/v1beta1"}"#,
            String(repeating: "[", count: 40) + String(repeating: "]", count: 40),
        ])
    func agreesWithTheDecoder(text: String) {
        let info = ExecInfo.parse(text)
        let expected = Self.reference(text)
        #expect(info.interactive == expected.interactive)
        if expected.readable, let version = expected.version, let known = ExecAPIVersion(rawValue: version) {
            #expect(info.apiVersion == known)
        } else {
            #expect(info.apiVersion == .v1beta1)
            #expect(info.warning != nil)
        }
        #expect((info.warning?.contains("not valid JSON") ?? false) == !expected.readable)
    }

    @Test("parse declines nesting deeper than its bound instead of recursing without end")
    func depthBound() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(JSONText.parse(Array(deep.utf8)) == nil)
        let fine =
            String(repeating: "[", count: JSONText.maximumDepth) + String(repeating: "]", count: JSONText.maximumDepth)
        #expect(JSONText.parse(Array(fine.utf8)) != nil)
    }
}
