import Foundation
import Testing

/// Every command's help, pinned: each has an EXAMPLES section, and its text is the file in `Help/` (so a
/// change of wording is a reviewed change). `EKS_AUTH_UPDATE_HELP=1 swift test --filter HelpTests` rewrites
/// the files from the binary.
@Suite("eks-auth help pages (the built binary)")
struct HelpTests {
    static let commands = [
        "", "token", "whoami", "cache", "cache list", "cache clear", "decode", "verify", "explain", "kubeconfig",
        "kubeconfig convert", "setup", "config", "config list-profiles", "config show", "doctor", "migrate",
        "aws-auth", "aws-auth add", "aws-auth remove", "credential-process", "version",
    ]

    static let directory = EKSAuthBinary.packageRoot.appendingPathComponent("Tests/EKSAuthCLITests/Help")

    @Test("each help page has examples and is the pinned text", arguments: commands)
    func page(_ command: String) throws {
        let words = command.split(separator: " ").map(String.init)
        let run = try EKSAuthBinary.run(["help"] + words)
        #expect(run.status == 0)
        #expect(run.stderr.isEmpty)
        if !command.isEmpty {
            #expect(run.stdout.contains("\nEXAMPLES:\n"), "no examples in 'help \(command)'")
            // Each example line fits the 80 columns the page is wrapped to, so none is broken mid-command.
            let examples =
                run.stdout.components(separatedBy: "\nEXAMPLES:\n").last?
                .prefix { $0 != "U" }.split(separator: "\n").filter { !$0.isEmpty } ?? []
            for line in examples { #expect(line.hasPrefix("  "), "a wrapped example in 'help \(command)': \(line)") }
        }
        let file = Self.directory.appendingPathComponent(
            (command.isEmpty ? "eks-auth" : command.replacing(" ", with: "-")) + ".txt")
        if ProcessInfo.processInfo.environment["EKS_AUTH_UPDATE_HELP"] == "1" {
            try Data(run.stdout.utf8).write(to: file)
        }
        let pinned = try String(contentsOf: file, encoding: .utf8)
        #expect(run.stdout == pinned, "help \(command) changed; rerun with EKS_AUTH_UPDATE_HELP=1 and review the diff")
        // `help X` and `X --help` are the same page.
        #expect(try EKSAuthBinary.run(words + ["--help"]).stdout == run.stdout)
    }

    @Test("the flags that serve several commands speak of what they do for each, not of one")
    func sharedFlagWording() throws {
        let whoami = try EKSAuthBinary.run(["help", "whoami"]).stdout
        // --role-arn once said "Assume this IAM role for the token only" under whoami too.
        #expect(!whoami.contains("for the token only"), "\(whoami)")
        #expect(whoami.contains("The IAM role to assume, through the session cache"), "\(whoami)")
        let token = try EKSAuthBinary.run(["help", "token"]).stdout
        #expect(token.contains("--output <output>"))
        #expect(token.contains("--log-format"))
    }
}
