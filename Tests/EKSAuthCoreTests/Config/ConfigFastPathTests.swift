import EKSAuthTestSupport
import Testing

@testable import AWSConfiguration
@testable import AWSSigning
@testable import EKSAuthCore
@testable import EKSAuthSystem

/// The byte-level shortcuts the config reader takes for speed agree with the plain rules they replace.
@Suite("Config reader fast paths")
struct ConfigFastPathTests {
    static let configPath = "/home/u/.aws/config"

    static let headers = [
        "profile dev", "profile  dev", "profile\tdev", "profile 'dev'", "profile \"dev\"", "profile d\\ev",
        "profile \"d\"ev", "profile dev x", "profiledev", "Profile dev", "profile", "profile \"a b\"",
        "profile 'a b'", "profile a b", "profile \"unclosed", "profile d'e'v", "profile \\\"dev", "sso-session dev",
        "profile devx", "profile xdev", "profile dev\\", "profile 日本", "profile \"日本\"", "profiles dev",
        "profilex 'a b'", " profile dev", "profile dev ", "profile\t\tdev\t", "profile-dev x",
    ]
    static let names = ["dev", "a b", "devx", "xdev", "d\"ev", "\"dev", "日本", "unclosed", "dev\\", "x"]

    @Test(
        "a profile header matches a name exactly when botocore's rule does: starts with `profile`, two shell words, the second NAME",
        arguments: names)
    func headerMatchingAgreesWithShellWords(name: String) throws {
        for header in Self.headers {
            let files = InMemoryFileSystem([Self.configPath: "[\(header)]\nregion = r\n"])
            let shared = try SharedConfig.load(environment: ["HOME": "/home/u"], fileSystem: files)
            let words = SharedConfig.sectionWords(header)
            let expected = header.hasPrefix("profile") && words.count == 2 && words[1] == name
            #expect((shared.profile(named: name) != nil) == expected, "[\(header)] for '\(name)'")
        }
    }

    @Test("the first = or : ends the key wherever it falls in the eight-byte words")
    func delimiterAtEveryOffset() throws {
        for length in 1...25 {
            for delimiter in ["=", ":"] {
                let key = String(repeating: "k", count: length)
                for later in ["", " = later", " : later", "x=y"] {
                    let text = "[s]\n\(key)\(delimiter)v\(later)\n"
                    let ini = try INIFile(parsing: text, path: Self.configPath)
                    let keys = try #require(ini.keys(ofSection: "s"))
                    #expect(Array(keys.keys) == [key], "\(text)")
                    #expect(keys[key] == .string("v\(later)"), "\(text)")
                }
            }
            // No delimiter at all is the malformed line botocore also rejects, at any length.
            #expect(throws: ConfigError.self) {
                try INIFile(parsing: "[s]\n" + String(repeating: "k", count: length) + "\n", path: Self.configPath)
            }
        }
    }

    @Test("UTF-8 is recognised as String(validating:) recognises it, wherever the first non-ASCII byte is")
    func utf8Check() {
        let tails: [[UInt8]] = [
            [], [0xC3, 0xA9], [0xE6, 0x97, 0xA5], [0xF0, 0x9F, 0x99, 0x82], [0xFF], [0xC3], [0x80], [0xED, 0xA0, 0x80],
        ]
        for prefix in 0...70 {
            for tail in tails {
                let bytes = Array(repeating: UInt8(ascii: "a"), count: prefix) + tail + Array("bc".utf8)
                #expect(SharedConfig.isUTF8(bytes) == (String(validating: bytes, as: UTF8.self) != nil))
            }
        }
    }
}
