import EKSAuthTestSupport
import Testing

@testable import AWSConfiguration
@testable import AWSSigning
@testable import AWSTransport
@testable import EKSAuthCore
@testable import EKSAuthSystem

@Suite("INIFile")
struct INIFileTests {
    static let path = "/home/u/.aws/config"

    /// Parses `text` as if read from `path`.
    func parse(_ text: String) throws -> INIFile {
        try INIFile(parsing: text, path: Self.path)
    }

    /// The malformed-file error `text` gives, or nil when it parses or fails otherwise.
    func malformed(_ text: String) -> (path: String, line: Int, error: ConfigError)? {
        let error = #expect(throws: ConfigError.self) { try INIFile(parsing: text, path: Self.path) }
        guard let error, case .malformedFile(let path, let line, _) = error else { return nil }
        return (path, line, error)
    }

    @Test("reads sections and their keys in file order")
    func sections() throws {
        let ini = try parse(
            """
            [default]
            region = us-west-2
            output = json

            [profile dev]
            region = eu-west-1
            """)
        #expect(ini.sectionOrder == ["default", "profile dev"])
        #expect(ini.sections["default"] == ["region": .string("us-west-2"), "output": .string("json")])
        #expect(ini.sections["profile dev"] == ["region": .string("eu-west-1")])
    }

    @Test("an empty file and a file of comments have no sections")
    func emptyFiles() throws {
        #expect(try parse("") == INIFile())
        #expect(try parse("# only a comment\n; and another\n\n   \n") == INIFile())
    }

    @Test("keeps section names as written, trimmed inside the brackets")
    func sectionNamesAsWritten() throws {
        let ini = try parse("[ profile dev ]\na = 1\n[profile \"a b\"]\nb = 2\n[Default]\nc = 3\n")
        #expect(ini.sectionOrder == ["profile dev", "profile \"a b\"", "Default"])
        // Section names are case-sensitive, as in Python's RawConfigParser.
        #expect(ini.sections["default"] == nil)
    }

    @Test("maps config section headers to profile names as botocore does")
    func profileNamesOfSections() {
        #expect(SharedConfig.profileName(ofConfigSection: "default") == "default")
        #expect(SharedConfig.profileName(ofConfigSection: "profile default") == "default")
        #expect(SharedConfig.profileName(ofConfigSection: "profile dev") == "dev")
        #expect(SharedConfig.profileName(ofConfigSection: "profile \"a b\"") == "a b")
        #expect(SharedConfig.profileName(ofConfigSection: "profile 'a b'") == "a b")
        // Without the prefix, a config-file section is not a profile; with two words unquoted it is ignored.
        #expect(SharedConfig.profileName(ofConfigSection: "dev") == nil)
        #expect(SharedConfig.profileName(ofConfigSection: "profile a b") == nil)
        #expect(SharedConfig.profileName(ofConfigSection: "sso-session corp") == nil)
        #expect(SharedConfig.profileName(ofConfigSection: "services local") == nil)
    }

    @Test("splits section headers into shell-style words")
    func sectionWords() {
        #expect(SharedConfig.sectionWords("profile dev") == ["profile", "dev"])
        #expect(SharedConfig.sectionWords("profile   \"a b\"") == ["profile", "a b"])
        #expect(SharedConfig.sectionWords("profile \"\"") == ["profile", ""])
        #expect(SharedConfig.sectionWords("services local") == ["services", "local"])
    }

    @Test("skips full-line comments starting with # or ;, indented or not")
    func fullLineComments() throws {
        let ini = try parse(
            """
            # leading comment
            [default]
            ; semicolon comment
            region = us-west-2
                # indented comment after a key is not a continuation
            output = json
            """)
        #expect(ini.sections["default"] == ["region": .string("us-west-2"), "output": .string("json")])
    }

    @Test(
        "drops an inline comment only when whitespace precedes it",
        arguments: [
            ("region = us-west-2 # where the cluster is", "us-west-2"),
            ("region = us-west-2\t; tab before", "us-west-2"),
            ("region = us-west-2#not-a-comment", "us-west-2#not-a-comment"),
            ("region = a;b", "a;b"),
            ("region = # only a comment", ""),
            ("region =", ""),
        ])
    func inlineComments(line: String, expected: String) throws {
        let ini = try parse("[default]\n\(line)\n")
        #expect(ini.sections["default"]?["region"] == .string(expected))
    }

    @Test(
        "keeps # and ; inside the quotes of a credential_process command, and drops a comment after it",
        arguments: [
            (#"credential_process = sh -c "get-creds ; echo done""#, #"sh -c "get-creds ; echo done""#),
            ("credential_process = vault read 'secret #1' # the dev keys", "vault read 'secret #1'"),
            ("credential_process = get-creds ; comment", "get-creds"),
            ("region = 'a # b'", "'a"),
        ])
    func commandComments(line: String, expected: String) throws {
        let ini = try parse("[default]\n\(line)\n")
        let key = line.hasPrefix("region") ? "region" : "credential_process"
        #expect(ini.sections["default"]?[key] == .string(expected))
    }

    @Test("keeps an inline comment out of a section header")
    func commentAfterHeader() throws {
        let ini = try parse("[profile dev] # the dev account\nregion = eu-west-1\n")
        #expect(ini.sections["profile dev"]?["region"] == .string("eu-west-1"))
    }

    @Test("accepts ':' as well as '=' and splits at the first of them")
    func colonDelimiter() throws {
        let ini = try parse(
            """
            [default]
            region: us-west-2
            endpoint_url = http://localhost:4566
            role_arn: arn:aws:iam::123456789012:role/dev
            """)
        #expect(ini.sections["default"]?["region"] == .string("us-west-2"))
        #expect(ini.sections["default"]?["endpoint_url"] == .string("http://localhost:4566"))
        #expect(ini.sections["default"]?["role_arn"] == .string("arn:aws:iam::123456789012:role/dev"))
    }

    @Test("lower-cases key names and trims keys and values")
    func keyCase() throws {
        let ini = try parse("[default]\n  AWS_Access_Key_ID   =   AKIDEXAMPLE   \nRegion=us-west-2\n")
        #expect(
            ini.sections["default"] == ["aws_access_key_id": .string("AKIDEXAMPLE"), "region": .string("us-west-2")])
    }

    @Test("keeps '=' inside a value")
    func equalsInValue() throws {
        let ini = try parse("[default]\naws_session_token = FQoGZXIvYXdz+token==\n")
        #expect(ini.sections["default"]?["aws_session_token"] == .string("FQoGZXIvYXdz+token=="))
    }

    // "\r\n" is a single Character in Swift, so a parser that splits on "\n" never splits a CRLF file.
    @Test("reads CRLF line ends")
    func crlf() throws {
        let ini = try parse("[default]\r\nregion = us-west-2\r\noutput = json\r\n")
        #expect(ini.sections["default"] == ["region": .string("us-west-2"), "output": .string("json")])
    }

    @Test("reads a file that mixes LF, CRLF and lone CR line ends")
    func mixedLineEnds() throws {
        let ini = try parse("[default]\nregion = us-west-2\r\n[profile dev]\r\nregion = eu-west-1\routput = json\n")
        #expect(ini.sections["default"] == ["region": .string("us-west-2")])
        #expect(ini.sections["profile dev"] == ["region": .string("eu-west-1"), "output": .string("json")])
    }

    @Test("reads CRLF continuation lines and nested blocks")
    func crlfContinuations() throws {
        let ini = try parse("[default]\r\nca_bundle = a\r\n  b\r\ns3 =\r\n  addressing_style = path\r\n")
        #expect(ini.sections["default"]?["ca_bundle"] == .string("a\nb"))
        #expect(ini.sections["default"]?["s3"] == .nested(["addressing_style": "path"]))
    }

    @Test("skips a UTF-8 byte order mark")
    func byteOrderMark() throws {
        let ini = try parse("\u{FEFF}[default]\nregion = us-west-2\n")
        #expect(ini.sectionOrder == ["default"])
        #expect(ini.sections["default"]?["region"] == .string("us-west-2"))
    }

    @Test("joins indented lines to the previous value with newlines")
    func continuationLines() throws {
        let ini = try parse(
            """
            [default]
            ca_bundle = first
                second
              third # note
            region = us-west-2
            """)
        #expect(ini.sections["default"]?["ca_bundle"] == .string("first\nsecond\nthird"))
        #expect(ini.sections["default"]?["region"] == .string("us-west-2"))
    }

    @Test("reads a key with an empty value and indented 'k = v' lines as a nested block")
    func nestedSubsections() throws {
        let ini = try parse(
            """
            [profile dev]
            s3 =
              addressing_style = path
              Max_Concurrent_Requests: 10 # comment
            region = eu-west-1

            [services local]
            sts =
                endpoint_url = http://localhost:4566
            """)
        #expect(
            ini.sections["profile dev"]?["s3"]
                == .nested(["addressing_style": "path", "max_concurrent_requests": "10"]))
        #expect(ini.sections["profile dev"]?["s3"]?.string == nil)
        #expect(ini.sections["profile dev"]?["region"] == .string("eu-west-1"))
        #expect(ini.sections["services local"]?["sts"] == .nested(["endpoint_url": "http://localhost:4566"]))
    }

    @Test("merges a repeated section and lets a repeated key's later value win")
    func duplicateSections() throws {
        let ini = try parse(
            """
            [default]
            region = us-west-2
            output = json
            [profile dev]
            region = eu-west-1
            [default]
            region = us-east-2
            region = ap-south-1
            """)
        #expect(ini.sectionOrder == ["default", "profile dev"])
        #expect(ini.sections["default"] == ["region": .string("ap-south-1"), "output": .string("json")])
    }

    @Test(
        "reports a malformed line with the file path and its line number",
        arguments: [
            ("region = us-west-2\n", 1),
            ("# comment\n\nregion = us-west-2\n", 3),
            ("[default\nregion = us-west-2\n", 1),
            ("[default] extra\n", 1),
            ("[default]\nregion = us-west-2\njust some words\n", 3),
            ("[default]\n= value without key\n", 2),
            ("\u{FEFF}[default]\nno delimiter\n", 2),
            ("[default]\r\nregion = us-west-2\r\n\r\nno delimiter here\r\n", 4),
            ("[profile dev]\ns3 =\n  addressing_style = path\n  no delimiter\n", 4),
        ])
    func malformedLines(text: String, line: Int) throws {
        let found = try #require(malformed(text))
        #expect(found.path == Self.path)
        #expect(found.line == line)
        #expect(found.error.message.hasPrefix("\(Self.path):\(line): "))
        #expect(found.error.kind == .badInput)
        #expect(found.error.hint != nil)
    }

    @Test(
        "never repeats the text of a malformed line, which may be a pasted secret",
        arguments: [
            "[default]\nwJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n[default]\n",
            "[default] wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n",
            "[wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n",
            "[default]\n=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n",
            "[default]\ns3 =\n  x = 1\n  wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n",
        ])
    func malformedLineNotEchoed(text: String) throws {
        let found = try #require(malformed(text))
        let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
        #expect(!found.error.message.contains(secret))
        #expect(!found.error.description.contains(secret))
        #expect(!(found.error.hint ?? "").contains(secret))
        #expect(!found.error.message.contains("K7MDENG"))
    }
}
