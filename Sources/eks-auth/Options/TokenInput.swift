import ArgumentParser
import EKSAuthCore

/// A token given as an argument, or `-` (or nothing, when stdin is not a terminal) for stdin;
/// a bare token or an ExecCredential JSON.
struct TokenInput: ParsableArguments {
    @Argument(help: "The token or ExecCredential JSON; - or nothing reads stdin.")
    var token: String?

    @Option(help: "Output format: text or json.")
    var output: OutputFormat = .text

    enum OutputFormat: String, CaseIterable, ExpressibleByArgument {
        case text, json
    }

    /// The token text.
    func read() throws -> String {
        try Self.read(token)
    }

    /// The token text from an argument, `-` (stdin) or nothing (stdin when piped).
    /// - Throws: `TokenInputError` for no input, too much input or JSON that is not an ExecCredential.
    static func read(_ token: String?) throws -> String {
        if let token, token != "-" { return try TokenInspector.extractToken(from: token) }
        // With no argument, read stdin only when something is piped in; never wait on a terminal.
        if token == nil, StandardInput.isTerminal { throw TokenInputError.empty }
        do {
            return try TokenInspector.extractToken(from: StandardInput.read())
        } catch let error as StandardInput.TooLong {
            throw TokenInputError.tooLong(error.bytes)
        }
    }
}
