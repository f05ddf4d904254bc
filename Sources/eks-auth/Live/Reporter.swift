import ArgumentParser
import EKSAuthPlatform
import EKSAuthSystem

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Writes errors, warnings and the `--verbose` trace to stderr.
struct Reporter: Sendable {
    let verbose: Bool

    /// The tracer handed to the core: prints only with `--verbose`.
    var tracer: Tracer {
        verbose ? Tracer { Reporter.writeStderr("eks-auth: \($0)") } : .silent
    }

    func warn(_ message: String) {
        Reporter.writeStderr("eks-auth: warning: \(message)")
    }

    /// Reports `error` on stderr (through `Failure`, the one place errors are worded) and returns the
    /// `ExitCode` to throw; ArgumentParser's own errors are returned unchanged.
    func fail(_ error: Error) -> Error {
        Failure.report(error).map { ExitCode($0) } ?? error
    }

    /// The longest line written to stderr; the rest is left out, saying so.
    static let maximumLineLength = 4_000

    /// Writes `line` with its control characters escaped (it may carry text from outside: a service's
    /// message, a cluster name, a file's contents) and at most `maximumLineLength` characters.
    static func writeStderr(_ line: String) {
        let safe = TerminalText.line(line, limit: maximumLineLength)
        LiveSystem.write(safe + "\n", to: STDERR_FILENO)
    }
}
