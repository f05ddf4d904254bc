import EKSAuthPlatform

/// The one reader of stdin (tokens, ExecCredentials and aws-auth ConfigMaps piped in), bounded so a
/// runaway pipe cannot fill memory.
enum StandardInput {
    /// The most a token reader accepts (`TokenInspector` refuses more anyway): any EKS token or
    /// ExecCredential is far smaller.
    static let tokenLimit = 65_536
    /// The most an aws-auth reader accepts: Kubernetes caps a ConfigMap at 1 MiB.
    static let configMapLimit = 1_048_576

    /// Input longer than the limit; `bytes` is how much had been read when that was found.
    struct TooLong: Error {
        /// Bytes read so far (more than the limit).
        let bytes: Int
    }

    /// Whether stdin is a terminal (so reading it would wait on the user).
    static var isTerminal: Bool { isatty(STDIN_FILENO) == 1 }

    /// All of stdin, read a line at a time.
    /// - Throws: `TooLong` as soon as more than `limit` bytes have been read.
    static func read(limit: Int = tokenLimit) throws(TooLong) -> String {
        var text = ""
        while let line = Swift.readLine(strippingNewline: false) {
            text += line
            if text.utf8.count > limit { throw TooLong(bytes: text.utf8.count) }
        }
        return text
    }
}
