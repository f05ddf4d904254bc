import EKSAuthTestSupport
import Testing

@testable import AWSConfiguration

/// Profile and section look-up compares section headers on their bytes (a generated config has
/// thousands); these pin that it finds exactly what the word splitter (botocore's shlex) finds.
@Suite("Profile look-up over section headers")
struct ProfileLookupTests {
    static func config(_ text: String) throws -> SharedConfig {
        SharedConfig(
            configPath: "/c", credentialsPath: "/k", config: try INIFile(parsing: text, path: "/c"),
            credentials: INIFile())
    }

    @Test(
        "a header names the profile when it starts with 'profile' and its two shell words end with the name",
        arguments: [
            ("profile dev", "dev", true), ("profile  dev", "dev", true), ("profile\tdev", "dev", true),
            ("profile \"a b\"", "a b", true), ("profile 'a b'", "a b", true), ("profile \"dev\"", "dev", true),
            ("profile a b", "a b", false), ("profile a b", "a", false), ("profiledev", "dev", false),
            ("profile dev extra", "dev", false), ("profile", "", false), ("profile xdev", "dev", false),
            ("profile dev", "de", false), ("profile dev", "ev", false), ("profiles dev", "dev", true),
            ("profile dev ", "dev", true), (" profile dev", "dev", false),
            ("profilex\t 'dev'", "dev", true),
            ("Profile dev", "dev", false), ("profile \"unclosed", "unclosed", false),
        ])
    func headers(header: String, name: String, matches: Bool) throws {
        let shared = try Self.config("[\(header)]\nregion = eu-west-1\n")
        #expect((shared.profile(named: name) != nil) == matches)
        #expect((SharedConfig.profileName(ofConfigSection: header) == name) == matches)
    }

    @Test("[default] and [profile default] both make the default profile, the later section winning whole")
    func defaultProfile() throws {
        let shared = try Self.config("[default]\nregion = a\noutput = json\n[profile default]\nregion = b\n")
        let profile = try #require(shared.profile(named: "default"))
        #expect(profile["region"] == "b")
        #expect(profile["output"] == nil)
        let reversed = try Self.config("[profile default]\nregion = b\n[default]\nregion = a\noutput = json\n")
        #expect(reversed.profile(named: "default")?.values == ["region": .string("a"), "output": .string("json")])
        let spellings = try Self.config("[profile dev]\nregion = a\n[profile \"dev\"]\noutput = json\n")
        #expect(spellings.profile(named: "dev")?.values == ["output": .string("json")])
    }

    @Test("other sections are found by kind and name the same way")
    func sections() throws {
        let shared = try Self.config(
            "[sso-session  corp]\nsso_region = eu-west-1\n[services 'local x']\nsts =\n  endpoint_url = http://h\n")
        #expect(shared.section(kind: "sso-session", named: "corp")?["sso_region"] == .string("eu-west-1"))
        #expect(shared.section(kind: "services", named: "local x")?["sts"] == .nested(["endpoint_url": "http://h"]))
        #expect(shared.section(kind: "sso-session", named: "cor") == nil)
    }

    @Test("keys of a missing section are nil")
    func missing() throws {
        let ini = try INIFile(parsing: "[a]\nx = 1\ny = 1\n[b]\nx = 2\n", path: "/c")
        #expect(ini.sectionOrder == ["a", "b"])
        #expect(ini.keys(ofSection: "c") == nil)
    }

    @Test("a malformed line in a profile nobody asks for is still reported, with its line")
    func wholeFileChecked() {
        let text = "[profile used]\nregion = a\n[profile unused]\nregion = b\njust words\n"
        #expect(
            throws: ConfigError.malformedFile(path: "/c", line: 5, reason: "expected 'key = value' in [profile unused]")
        ) {
            try INIFile(parsing: text, path: "/c")
        }
    }

    @Test("a generated config of 2,000 profiles reads the one asked for, whatever its place")
    func manyProfiles() throws {
        var text = ""
        for i in 0..<2000 { text += "[profile p\(i)]\nsso_account_id = \(i)\nregion = eu-west-1\n\n" }
        let shared = try Self.config(text)
        #expect(shared.profile(named: "p1999")?["sso_account_id"] == "1999")
        #expect(shared.profile(named: "p0")?["sso_account_id"] == "0")
        #expect(shared.profile(named: "p2000") == nil)
        #expect(shared.config.sectionOrder.count == 2000)
    }
}
