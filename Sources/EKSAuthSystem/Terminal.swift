/// The terminal, for the MFA prompt: whether stdin is one, and a way to ask for a line.
public struct Terminal: Sendable {
    /// Whether stdin is a terminal.
    public var stdinIsTerminal: Bool
    /// Writes the prompt to stderr and reads one line from stdin; nil at end of input.
    public var readLine: @Sendable (_ prompt: String) -> String?

    /// A terminal from parts.
    public init(stdinIsTerminal: Bool, readLine: @escaping @Sendable (_ prompt: String) -> String?) {
        self.stdinIsTerminal = stdinIsTerminal
        self.readLine = readLine
    }

    /// No terminal: nothing can be asked.
    public static let none = Terminal(stdinIsTerminal: false) { _ in nil }
}
