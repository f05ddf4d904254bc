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

    @Test("keeps section names as written inside the brackets, blanks and all (configparser)")
    func sectionNamesAsWritten() throws {
        let ini = try parse("[ profile dev ]\na = 1\n[profile \"a b\"]\nb = 2\n[Default]\nc = 3\n")
        #expect(ini.sectionOrder == [" profile dev ", "profile \"a b\"", "Default"])
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
        // A value of several lines is kept as botocore keeps it, comment and all.
        #expect(ini.sections["default"]?["ca_bundle"] == .string("first\nsecond\nthird # note"))
        #expect(ini.sections["default"]?["region"] == .string("us-west-2"))
    }

    @Test("reads a key with an empty value and indented 'k = v' lines as a nested block (botocore's _parse_nested)")
    func nestedSubsections() throws {
        let ini = try parse(
            """
            [profile dev]
            s3 =
              addressing_style = path
              Max_Concurrent_Requests = 10 # comment
            region = eu-west-1

            [services local]
            sts =
                endpoint_url = http://localhost:4566
            """)
        #expect(
            ini.sections["profile dev"]?["s3"]
                == .nested(["addressing_style": "path", "Max_Concurrent_Requests": "10 # comment"]))
        #expect(ini.sections["profile dev"]?["s3"]?.string == nil)
        #expect(ini.sections["profile dev"]?["region"] == .string("eu-west-1"))
        #expect(ini.sections["services local"]?["sts"] == .nested(["endpoint_url": "http://localhost:4566"]))
    }

    @Test(
        "refuses a file where a section, or a key of one section, appears twice (configparser's strict mode)",
        arguments: [
            ("[default]\nregion = a\n[profile dev]\nregion = b\n[default]\nregion = c\n", 5, 1, "section [default]"),
            ("[default]\nregion = a\noutput = json\nRegion = b\n", 4, 2, "key 'region' in [default]"),
            ("[a]\nx = 1\n[DEFAULT]\ny = 1\n[b]\n[DEFAULT]\nY: 2\n", 7, 4, "key 'y' in [DEFAULT]"),
            ("[a]\nÉté = 1\nété = 2\n", 3, 2, "key 'été' in [a]"),
        ])
    func duplicates(text: String, line: Int, firstLine: Int, what: String) throws {
        let error = #expect(throws: ConfigError.self) { try INIFile(parsing: text, path: Self.path) }
        #expect(error == .duplicateInFile(path: Self.path, line: line, what: what, firstLine: firstLine))
        #expect(error?.kind == .badInput)
        #expect(error?.hint?.contains("AWS CLI") == true)
    }

    @Test("a section of many keys finds a repeated key in linear time, wherever it is")
    func duplicateInLargeSection() throws {
        let keys = (0..<5_000).map { "key\($0) = v\n" }.joined()
        #expect(
            throws: ConfigError.duplicateInFile(path: Self.path, line: 5_002, what: "key 'key3' in [a]", firstLine: 5)
        ) {
            try INIFile(parsing: "[a]\n\(keys)KEY3 = again\n", path: Self.path)
        }
        #expect(
            throws: ConfigError.duplicateInFile(path: Self.path, line: 18, what: "key 'key15' in [a]", firstLine: 17)
        ) {
            try INIFile(parsing: "[a]\n\((0..<16).map { "key\($0) = v\n" }.joined())key15 = again\n", path: Self.path)
        }
        let sections = (0..<5_000).map { "[s\($0)]\nregion = a\n" }.joined()
        #expect(try INIFile(parsing: sections, path: Self.path).sectionOrder.count == 5_000)
        #expect(throws: ConfigError.duplicateInFile(path: Self.path, line: 10_001, what: "section [s7]", firstLine: 15))
        {
            try INIFile(parsing: sections + "[s7]\n", path: Self.path)
        }
    }

    @Test("the same key in two sections, a repeated [DEFAULT] header and sections differing in case are fine")
    func notDuplicates() throws {
        let ini = try parse("[a]\nx = 1\n[b]\nx = 2\n[DEFAULT]\n[A]\nx = 3\n[DEFAULT]\ny = 4\n")
        #expect(ini.sectionOrder == ["a", "b", "A"])
        #expect(ini.keys(ofSection: "A") == ["x": .string("3"), "y": .string("4")])
    }

    @Test("[DEFAULT] is no section: its keys are every section's defaults, the section's own keys winning")
    func defaultsSection() throws {
        let ini = try parse("[DEFAULT]\nregion = a\noutput = json\n[profile x]\nregion = b\n[other]\n")
        #expect(ini.sectionOrder == ["profile x", "other"])
        #expect(ini.keys(ofSection: "profile x") == ["region": .string("b"), "output": .string("json")])
        #expect(ini.keys(ofSection: "other") == ["region": .string("a"), "output": .string("json")])
        #expect(ini.keys(ofSection: "DEFAULT") == nil)
    }

    @Test(
        "a header runs to the last ']' of its line and the text after it is ignored (the issue's example)",
        arguments: [
            ("[profile legacy] (moved to the new account)", "profile legacy"),
            ("[profile dev] # the dev account", "profile dev"),
            ("[a]b]", "a]b"),
            ("[a] ]", "a] "),
            ("[]]", "]"),
        ])
    func textAfterHeader(line: String, name: String) throws {
        let ini = try parse("[default]\naws_access_key_id = AKIDEXAMPLE\n\(line)\nregion = eu-west-1\n")
        #expect(ini.sectionOrder == ["default", name])
        #expect(ini.keys(ofSection: name)?["region"] == .string("eu-west-1"))
        #expect(ini.ignoredText == (line.hasSuffix("]") ? [] : [3]))
    }

    @Test("blank lines inside a value are kept and trailing ones dropped; comment lines never end a value")
    func blankLinesInValues() throws {
        let ini = try parse("[a]\nx = 1\n\n  # note\n\n  y = 2\n\n\nz =\n\n  k = v\n")
        #expect(ini.keys(ofSection: "a") == ["x": .string("1\n\n\ny = 2"), "z": .nested(["k": "v"])])
    }

    @Test("whitespace is Python's: form feeds, U+00A0 and U+3000 indent and trim; indent counts characters")
    func pythonWhitespace() throws {
        let ini = try parse("[a]\u{0C}\nx = 1\u{A0}\n\u{3000}more\ny\u{2003}=\u{1F}2\n")
        #expect(ini.keys(ofSection: "a") == ["x": .string("1\nmore"), "y": .string("2")])
    }

    @Test(
        "reports a malformed line with the file path and its line number",
        arguments: [
            ("region = us-west-2\n", 1),
            ("# comment\n\nregion = us-west-2\n", 3),
            ("[default\nregion = us-west-2\n", 1),
            ("[]\n", 1),
            ("[default]\n[]\n", 2),
            ("[default]\ns3 =\n  a: b\n", 3),
            ("[default]\ns3 =\n  a = b\u{0B}c\n", 3),
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
            "[]wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n",
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
