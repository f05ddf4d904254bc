import EKSAuthCommandLine
import Testing

@Suite("--log-format found before parsing")
struct LogFormatTests {
    @Test(
        "the last --log-format before a -- wins; a value that is no format leaves the one before",
        arguments: [
            ([], LogFormat.text),
            (["token", "--log-format", "json"], .json),
            (["whoami", "--log-format=json"], .json),
            (["token", "--log-format", "json", "--log-format", "text"], .text),
            (["token", "--log-format", "json", "--log-format", "yaml"], .json),
            (["token", "--log-format"], .text),
            (["token", "--", "--log-format", "json"], .text),
            (["token", "--log-format=JSON"], .text),
            (["token", "-i", "prod", "-l", "json"], .json),
        ])
    func requested(_ arguments: [String], _ expected: LogFormat) {
        #expect(LogFormat.requested(in: arguments) == expected)
    }
}
