import EKSAuthTestSupport
import Testing

@testable import AWSConfiguration
@testable import AWSSigning
@testable import AWSTransport
@testable import EKSAuthCore
@testable import EKSAuthSystem

@Suite("ShellWords")
struct ShellWordsTests {
    struct Vector: Sendable, CustomTestStringConvertible {
        var name: String
        var command: String
        var words: [String]
        var testDescription: String { name }

        init(_ name: String, _ command: String, _ words: [String]) {
            self.name = name
            self.command = command
            self.words = words
        }
    }

    struct ErrorVector: Sendable, CustomTestStringConvertible {
        var name: String
        var command: String
        var unterminated: String
        var testDescription: String { name }

        init(_ name: String, _ command: String, _ unterminated: String) {
            self.name = name
            self.command = command
            self.unterminated = unterminated
        }
    }

    // Each expected value is what Python 3.11's `shlex.split(command)` returned, as botocore splits
    // credential_process.
    static let vectors: [Vector] = [
        Vector("a command and its arguments", "aws-vault exec dev --json", ["aws-vault", "exec", "dev", "--json"]),
        Vector("runs of spaces around words", "  leading  and   trailing  ", ["leading", "and", "trailing"]),
        Vector("tab, newline and carriage return separate", "a\tb\nc\rd", ["a", "b", "c", "d"]),
        Vector("CRLF is two separators", "a\r\nb", ["a", "b"]),
        Vector(
            "vertical tab, form feed and Unicode spaces do not separate", "a\u{b}b\u{c}c d\u{a0}e f\u{3000}g",
            ["a\u{b}b\u{c}c", "d\u{a0}e", "f\u{3000}g"]),
        Vector("single quotes keep spaces", "'single quoted' x", ["single quoted", "x"]),
        Vector("double quotes keep spaces", "\"double quoted\" x", ["double quoted", "x"]),
        Vector("backslash escapes a space", "a\\ b", ["a b"]),
        Vector("backslash escapes a double quote in double quotes", "\"a\\\"b\"", ["a\"b"]),
        Vector("backslash escapes a backslash in double quotes", "\"a\\\\b\"", ["a\\b"]),
        Vector("backslash before $ in double quotes is kept", "\"a\\$b\"", ["a\\$b"]),
        Vector("backslash before a backtick in double quotes is kept", "\"a\\`b\"", ["a\\`b"]),
        Vector("backslash before n in double quotes is kept", "\"a\\nb\"", ["a\\nb"]),
        Vector("backslash-newline outside quotes keeps the newline", "a\\\nb", ["a\nb"]),
        Vector("backslash-newline in double quotes keeps both", "\"a\\\nb\"", ["a\\\nb"]),
        Vector("backslash-newline alone is a word", "a \\\n b", ["a", "\n", "b"]),
        Vector("backslash in single quotes is literal", "'a\\b'", ["a\\b"]),
        Vector("escaped backslash outside quotes", "\\\\", ["\\"]),
        Vector("backslash before an ordinary character drops", "\\x41", ["x41"]),
        Vector("escaped single quote outside quotes", "\\'", ["'"]),
        Vector("backslash-single-quote in double quotes is kept", "\"\\'\"", ["\\'"]),
        Vector("double quote inside single quotes", "'\"'", ["\""]),
        Vector("single quote inside double quotes", "\"'\"", ["'"]),
        Vector("empty single quotes are a word", "''", [""]),
        Vector("empty quotes between words", "a '' b", ["a", "", "b"]),
        Vector("empty double quotes are a word", "\"\" a", ["", "a"]),
        Vector("two empty words", "'' \"\"", ["", ""]),
        Vector("empty quotes inside a word vanish", "a''b", ["ab"]),
        Vector("quotes open and close inside a word", "a\"b c\"d", ["ab cd"]),
        Vector("adjacent quoted parts join", "\"a\"'b'c", ["abc"]),
        Vector("# is ordinary at the start", "# c", ["#", "c"]),
        Vector("# is ordinary inside a word", "x #y a#b", ["x", "#y", "a#b"]),
        Vector("no expansion", "$HOME ~ * $(id) `id`", ["$HOME", "~", "*", "$(id)", "`id`"]),
        Vector("no operators", "a;b|c&&d >out", ["a;b|c&&d", ">out"]),
        Vector("nested shell command", "sh -c \"echo \\\"$X\\\"\"", ["sh", "-c", "echo \"$X\""]),
        Vector(
            "Windows-style path in single quotes", "'C:\\Program Files\\x.exe' --flag=\"a b\"",
            ["C:\\Program Files\\x.exe", "--flag=a b"]),
        Vector("accented letters and symbols", "héllo wörld \"ünïcode ✓\"", ["héllo", "wörld", "ünïcode ✓"]),
        Vector("emoji", "🙂 \"🙂 x\"", ["🙂", "🙂 x"]),
        Vector("a combining mark after a closing quote", "'e'\u{301} x", ["e\u{301}", "x"]),
        Vector("a combining mark after a backslash", "\\\u{301}", ["\u{301}"]),
        Vector("empty command", "", []),
        Vector("only whitespace", " \t\n ", []),
    ]

    // Each of these makes `shlex.split` raise ValueError: "No closing quotation" for the quotes,
    // "No escaped character" for the backslashes.
    static let errors: [ErrorVector] = [
        ErrorVector("an apostrophe", "it's", "single quote"),
        ErrorVector("an open double quote", "\"unterminated", "double quote"),
        ErrorVector("a single quote cannot be escaped in single quotes", "'\\''", "single quote"),
        ErrorVector("a backslash at the end of single quotes", "'a\\", "single quote"),
        ErrorVector("a trailing backslash", "trail\\", "backslash escape"),
        ErrorVector("a lone backslash", "\\", "backslash escape"),
        ErrorVector("a backslash at the end of double quotes", "\"a\\", "backslash escape"),
    ]

    @Test("splits as Python's shlex.split does", arguments: vectors)
    func split(_ vector: Vector) throws {
        let words = try ShellWords.split(vector.command)
        // Scalars, not Strings: String equality would let "é" match "e\u{301}", but argv carries bytes.
        #expect(words.map { Array($0.unicodeScalars) } == vector.words.map { Array($0.unicodeScalars) })
    }

    @Test("refuses a quote or escape left open", arguments: errors)
    func unterminated(_ vector: ErrorVector) {
        #expect(throws: ShellWordsError.unterminated(vector.unterminated)) {
            try ShellWords.split(vector.command)
        }
    }

    @Test("the error is bad input and never quotes the command")
    func errorMessage() {
        let error = #expect(throws: ShellWordsError.self) { try ShellWords.split("helper --secret 's3cr3t") }
        #expect(error?.kind == .badInput)
        #expect(error?.message == "unterminated single quote in credential_process command")
        #expect(error?.message.contains("s3cr3t") == false)
        #expect(error?.hint?.contains("s3cr3t") == false)
    }

    @Test("config section headers are split by the same rules, as botocore splits them with shlex")
    func sectionHeaders() {
        #expect(SharedConfig.sectionWords("profile a\\ b") == ["profile", "a b"])
        #expect(SharedConfig.profileName(ofConfigSection: "profile \"my dev\"") == "my dev")
        // botocore skips a header shlex cannot split (ValueError: No closing quotation).
        #expect(SharedConfig.sectionWords("profile \"dev") == [])
        #expect(SharedConfig.profileName(ofConfigSection: "profile 'dev") == nil)
    }
}
