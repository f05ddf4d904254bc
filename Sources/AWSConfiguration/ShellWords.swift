import EKSAuthSystem

/// Splits a command line into words exactly as Python's `shlex.split` does (POSIX mode, no comments), which
/// is how botocore turns `credential_process` into an argument vector and a config section header
/// (`[profile "my dev"]`) into its words. The project's one shell-word splitter. No shell runs: nothing is expanded,
/// and `$`, `~`, `*`, `;`, `|` and `#` are ordinary characters.
///
/// The rules (Lib/shlex.py `read_token`, checked against `python3 -c 'import shlex; …'`):
/// - space, tab, CR and LF separate words; nothing else does (not `\v`, `\f` or Unicode spaces);
/// - single quotes keep everything up to the next `'` literally;
/// - in double quotes a backslash escapes only `"` and `\`; before anything else it is kept;
/// - outside quotes a backslash makes the next character literal, a newline included (it is kept, not
///   removed as a POSIX shell's line continuation would be);
/// - quotes may open and close anywhere in a word, and `''` or `""` on its own is an empty word.
public enum ShellWords {
    /// shlex's `whitespace`; splitting on Unicode spaces too would break words botocore keeps whole.
    static let separators: Set<Unicode.Scalar> = [" ", "\t", "\r", "\n"]

    /// The words of `command`, quotes and escapes removed.
    /// - Throws: `ShellWordsError.unterminated` when a quote is never closed or the command ends in a
    ///   backslash that escapes nothing.
    public static func split(_ command: String) throws -> [String] {
        var words: [String] = []
        var word = String.UnicodeScalarView()
        // A word has begun even when it is still empty: `''` is a word.
        var inWord = false
        var scalars = command.unicodeScalars.makeIterator()

        // Code points, not Characters, as Python reads them: "\r\n" is two separators, and a combining mark
        // after a backslash or quote stays a character of its own.
        while let scalar = scalars.next() {
            switch scalar {
            case _ where separators.contains(scalar):
                if inWord {
                    words.append(String(word))
                    word = String.UnicodeScalarView()
                    inWord = false
                }
            case "\\":
                guard let escaped = scalars.next() else { throw ShellWordsError.unterminated("backslash escape") }
                word.append(escaped)
                inWord = true
            case "'":
                inWord = true
                while true {
                    guard let quoted = scalars.next() else { throw ShellWordsError.unterminated("single quote") }
                    if quoted == "'" { break }
                    word.append(quoted)
                }
            case "\"":
                inWord = true
                while true {
                    guard let quoted = scalars.next() else { throw ShellWordsError.unterminated("double quote") }
                    if quoted == "\"" { break }
                    guard quoted == "\\" else {
                        word.append(quoted)
                        continue
                    }
                    guard let escaped = scalars.next() else {
                        throw ShellWordsError.unterminated("backslash escape")
                    }
                    // shlex: "only the quote itself or the escape character may be escaped within quotes".
                    if escaped != "\"" && escaped != "\\" { word.append("\\") }
                    word.append(escaped)
                }
            default:
                word.append(scalar)
                inWord = true
            }
        }
        if inWord { words.append(String(word)) }
        return words
    }
}

/// A command line that cannot be split into words.
public enum ShellWordsError: EKSAuthError, Equatable {
    /// A quote or escape left open at the end; the value names it, e.g. "single quote".
    /// The command itself is never quoted back: it may hold a secret.
    case unterminated(String)

    /// What is unterminated, without the command.
    public var message: String {
        switch self {
        case .unterminated(let what):
            return "unterminated \(what) in credential_process command"
        }
    }

    /// How to quote the command so it splits.
    public var hint: String? {
        "credential_process is split into words as the AWS CLI does, without a shell: close every quote, and "
            + "write a literal backslash at the end as \\\\"
    }

    /// Bad input: the configured command.
    public var kind: FailureKind { .badInput }
}
