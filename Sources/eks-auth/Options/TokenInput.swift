import ArgumentParser
import EKSAuthCore

/// A token given as an argument, or `-` (or nothing, when stdin is not a terminal) for stdin;
/// a bare token or an ExecCredential JSON.
struct TokenInput: ParsableArguments {
    @Argument(help: "The token or ExecCredential JSON; - or nothing reads stdin.")
    var token: String?

    @Option(help: "Output format: text or json.")
    var output: OutputFormat = .text

    enum OutputFormat: String, ExpressibleByArgument {
        case text, json
    }

    /// The token text.
    func read() throws -> String {
        if let token, token != "-" { return try TokenInspector.extractToken(from: token) }
        var text = ""
        while let line = Swift.readLine(strippingNewline: false) {
            text += line
            if text.utf8.count > 65_536 { throw TokenInputError.tooLong(text.utf8.count) }
        }
        return try TokenInspector.extractToken(from: text)
    }
}
