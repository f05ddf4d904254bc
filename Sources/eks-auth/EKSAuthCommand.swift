import ArgumentParser
import EKSAuthCommandLine
import EKSAuthCore
import EKSAuthPlatform
import EKSAuthSystem

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
        subcommands: [
            Token.self, WhoAmI.self, Cache.self, Decode.self, Verify.self, Explain.self, Kubeconfig.self, Setup.self,
            Config.self,
        ],
        defaultSubcommand: nil
    )

    // Synchronous on purpose: an async main starts the concurrency runtime's threads on every
    // kubectl call, which costs more start-up time than the whole token takes to make.
    /// The most arguments read. No command of ours needs more than a few dozen, and ArgumentParser's
    /// handling of repeated flags grows with the square of their number (20,000 took minutes).
    /// (Each argument's length is bounded by the kernel: 128 KiB on Linux.)
    static let maximumArgumentCount = 1_000

    static func main() {
        // Nothing else runs first: core dumps stay off while credentials are in memory.
        disableCoreDumps()
        let given = CommandLine.arguments.dropFirst()
        if given.count > maximumArgumentCount {
            Reporter.writeStderr(
                "eks-auth: error: too many arguments (\(given.count); at most \(maximumArgumentCount))")
            posixExit(ExitCodes.usage)
        }
        let arguments = ForeignArguments.normalize(Array(given))
        if let first = arguments.first, first == "token" || first == "get-token",
            let invocation = TokenInvocation.scan(arguments.dropFirst())
        {
            do {
                try Token.run(invocation)
            } catch {
                finish(with: error, arguments: arguments)
            }
            return
        }
        // A shell asking for a flag's values (TAB): the completion closures read the real files.
        if arguments.first == "---completion" {
            let live = LiveSystem(verbose: false)
            ShellCompletion.install(
                CompletionCandidates(environment: live.environment, fileSystem: live.context.fileSystem))
        }
        var command: ParsableCommand
        do {
            command = try parseAsRoot(arguments)
        } catch {
            finishParsing(with: error, arguments: arguments)
        }
        do {
            try command.run()
        } catch {
            finish(with: error, arguments: arguments)
        }
    }

    /// Ends the run for an error a command threw: ours (and any stray one) through `Failure`, the one
    /// place errors are worded; ArgumentParser's own (`ValidationError`, `ExitCode`, …) as a parse error.
    private static func finish(with error: Error, arguments: [String]) -> Never {
        if let code = Failure.report(error) { posixExit(code) }
        finishParsing(with: error, arguments: arguments)
    }

    /// Ends the run for ArgumentParser's outcomes: argument errors in the same one-line form as ours;
    /// help, `--version` and bare exit codes as ArgumentParser ends them.
    private static func finishParsing(with error: Error, arguments: [String]) -> Never {
        let code = exitCode(for: error)
        guard code != .success, !(error is ExitCode) else { exit(withError: error) }
        let message = message(for: error).split(separator: "\n").first.map(String.init) ?? "invalid arguments"
        Reporter.writeStderr(
            "eks-auth: error: \(message.hasPrefix("Error: ") ? String(message.dropFirst(7)) : message)")
        let known = configuration.subcommands.flatMap {
            [$0._commandName] + $0.configuration.aliases
        }
        let subcommand = arguments.first.flatMap { known.contains($0) ? " \($0)" : nil } ?? ""
        Reporter.writeStderr("eks-auth: hint: see 'eks-auth\(subcommand) --help'")
        posixExit(code.rawValue)
    }
}
