import ArgumentParser
import EKSAuthCommandLine
import EKSAuthCore
import EKSAuthSystem

/// The one place an error becomes what the user sees: `eks-auth: error: …` and `eks-auth: hint: …` on
/// stderr, and a sysexits code. Every subcommand lets its errors reach here (through `EKSAuthCommand.main`).
enum Failure {
    /// The message, hint and exit code of `error`; nil for ArgumentParser's own outcomes (help,
    /// `--version`, a `ValidationError`, an `ExitCode` already reported), which ArgumentParser words.
    static func describe(_ error: Error) -> (message: String, hint: String?, code: Int32)? {
        if let error = error as? EKSAuthError {
            // The core names fields by type; the command line spells them as its flags.
            let (message, hint) = FlagSpelling.wording(of: error)
            return (message, hint, ExitCodes.code(for: error.kind))
        }
        if isArgumentParsers(error) { return nil }
        return ("internal error: \(type(of: error))", nil, ExitCodes.software)
    }

    /// Whether ArgumentParser made `error`. Its help command throws its internal `CommandError` from
    /// `run()`, so that one is recognised by its module's name.
    static func isArgumentParsers(_ error: Error) -> Bool {
        error is ExitCode || error is ValidationError || error is CleanExit
            || String(reflecting: type(of: error)).hasPrefix("ArgumentParser.")
    }

    /// Writes `error`'s message and hint to stderr and returns its exit code; nil (writing nothing)
    /// when ArgumentParser handles the error. A usage error without a hint of its own gets `usageHint`,
    /// the one ArgumentParser's errors get (`see 'eks-auth cache --help'`).
    static func report(_ error: Error, usageHint: @autoclosure () -> String) -> Int32? {
        guard let (message, hint, code) = describe(error) else { return nil }
        Reporter.writeError(message, hint: hint ?? (code == ExitCodes.usage ? usageHint() : nil), code: code)
        return code
    }
}
