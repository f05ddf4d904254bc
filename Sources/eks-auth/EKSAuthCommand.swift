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
        version: Version.report.text,
        subcommands: [
            Token.self, WhoAmI.self, Cache.self, Decode.self, Verify.self, Explain.self, Kubeconfig.self, Setup.self,
            Config.self, Doctor.self, Migrate.self, AWSAuth.self, CredentialProcess.self, Version.self,
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
            if invocation.logFormat != .text { Reporter.logFormat = invocation.logFormat }
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
        // Before parsing, so that an argument error is written in the format asked for too.
        Reporter.logFormat = LogFormat.requested(in: arguments)
        if let (message, hint) = unknownCommand(in: arguments) {
            Reporter.writeError(message, hint: hint, code: ExitCodes.usage)
            posixExit(ExitCodes.usage)
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

    /// The command words that start `arguments` (after a leading `help`), and the first word standing
    /// where a command name belongs that names none, with the names that would fit there.
    static func commandWords(_ arguments: [String]) -> (path: [String], unknown: (word: String, known: [String])?) {
        var command: ParsableCommand.Type = Self.self
        var path: [String] = []
        var words = arguments[...]
        let asksForHelp = words.first == "help"
        if asksForHelp { words = words.dropFirst() }
        while let word = words.first, !word.hasPrefix("-") {
            let configuration = command.configuration
            guard !configuration.subcommands.isEmpty, configuration.defaultSubcommand == nil else { break }
            let names = configuration.subcommands.map { [$0._commandName] + $0.configuration.aliases }
            guard let index = names.firstIndex(where: { $0.contains(word) }) else {
                // ArgumentParser's own help command, at the top only.
                if path.isEmpty, !asksForHelp, word == "help" { break }
                return (path, (word, names.flatMap { $0 } + (path.isEmpty && !asksForHelp ? ["help"] : [])))
            }
            command = configuration.subcommands[index]
            path.append(word)
            words = words.dropFirst()
        }
        return (path, nil)
    }

    /// `see 'eks-auth cache --help'`: the hint of a usage error, for the command `arguments` name.
    static func helpHint(for arguments: [String]) -> String {
        "see '\((["eks-auth"] + commandWords(arguments).path).joined(separator: " ")) --help'"
    }

    /// A word where a command name belongs that names no command (`eks-auth tokne`, `eks-auth cache lst`,
    /// `eks-auth help nosuch`), worded with the nearest name; nil when the words are commands. ArgumentParser
    /// would call the word an unexpected argument, or blame a later flag ("Unknown option '--cluster-name'"),
    /// and its help command shows the root help, exit 0, for a name it does not know.
    static func unknownCommand(in arguments: [String]) -> (message: String, hint: String)? {
        let (path, unknown) = commandWords(arguments)
        guard let (word, known) = unknown else { return nil }
        // Named as typed after `eks-auth`: 'cache lst', did you mean 'cache list'?
        let parent = path.map { $0 + " " }.joined()
        let nearest = Spelling.nearest(to: word, among: known).map { "; did you mean '\(parent)\($0)'?" } ?? ""
        return ("unknown command '\(parent)\(word)'\(nearest)", helpHint(for: arguments))
    }

    /// For a command line written for the AWS CLI or aws-iam-authenticator that eks-auth does not take as
    /// it is, what to write instead; nil for other mistakes.
    static func migrationHint(arguments: [String], message: String) -> String? {
        let path = commandWords(arguments).path
        let unknown = { (flags: [String]) in flags.contains { message.contains("Unknown option '\($0)'") } }
        if arguments.contains("eks"), arguments.contains("update-kubeconfig") {
            return "'aws eks update-kubeconfig --name N' is 'eks-auth kubeconfig --cluster-name N' "
                + "(see 'eks-auth kubeconfig --help')"
        }
        if path.first == "kubeconfig", unknown(["--name"]) || message.contains("'--cluster-name"),
            arguments.contains("--name") || arguments.contains(where: { $0.hasPrefix("--name=") })
        {
            return "aws eks update-kubeconfig's --name is --cluster-name here"
        }
        if path.first == "token" || path.first == "get-token", unknown(["-c", "--config", "-v", "--log-verbosity"]) {
            return "aws-iam-authenticator's global -c/--config and -v/--log-verbosity are not taken: drop them "
                + "(-l/--log-format is)"
        }
        return nil
    }

    /// Ends the run for an error a command threw: ours (and any stray one) through `Failure`, the one
    /// place errors are worded; ArgumentParser's own (`ValidationError`, `ExitCode`, …) as a parse error.
    private static func finish(with error: Error, arguments: [String]) -> Never {
        if let code = Failure.report(error, usageHint: helpHint(for: arguments)) { posixExit(code) }
        finishParsing(with: error, arguments: arguments)
    }

    /// Ends the run for ArgumentParser's outcomes: argument errors in the same one-line form as ours;
    /// help, `--version` and bare exit codes as ArgumentParser ends them.
    private static func finishParsing(with error: Error, arguments: [String]) -> Never {
        let code = exitCode(for: error)
        guard code != .success, !(error is ExitCode) else { exit(withError: error) }
        let message = message(for: error).split(separator: "\n").first.map(String.init) ?? "invalid arguments"
        Reporter.writeError(
            message.hasPrefix("Error: ") ? String(message.dropFirst(7)) : message,
            hint: migrationHint(arguments: arguments, message: message) ?? helpHint(for: arguments), code: code.rawValue
        )
        posixExit(code.rawValue)
    }
}
