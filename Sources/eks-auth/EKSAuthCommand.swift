import ArgumentParser
import EKSAuthCore

@main
struct EKSAuthCommand: ParsableCommand {

    static let configuration = CommandConfiguration(
        commandName: "eks-auth",
        abstract: "A kubectl exec credential plugin for Amazon EKS.",
        discussion: """
            Prints an ExecCredential with an EKS bearer token for kubectl. Exit codes: 0 ok, 64 usage, \
            65 bad config, credentials or cache file, 69 STS unreachable or throttled, 70 internal error, \
            77 access denied or expired credentials, 78 no credentials or unsupported profile.
            """,
        version: EKSAuthVersion.current,
        subcommands: [Token.self, Cache.self, Decode.self, Verify.self],
        defaultSubcommand: nil
    )

    // Synchronous on purpose: an async main starts the concurrency runtime's threads on every
    // kubectl call, which costs more start-up time than the whole token takes to make.
    static func main() {
        let arguments = ForeignArguments.normalize(Array(CommandLine.arguments.dropFirst()))
        if let first = arguments.first, first == "token" || first == "get-token",
            let scanned = TokenArguments.scan(arguments.dropFirst())
        {
            do {
                try Token.run(scanned)
            } catch {
                exit(withError: error)
            }
            return
        }
        main(arguments)
    }
}
