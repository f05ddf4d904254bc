import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem
import ArgumentParser
import EKSAuthCore

import EKSAuthPlatform
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

    /// Reports `error` on stderr and returns the `ExitCode` to throw.
    func fail(_ error: Error) -> Error {
        if let error = error as? EKSAuthError {
            Reporter.writeStderr("eks-auth: error: \(error.message)")
            if let hint = error.hint { Reporter.writeStderr("eks-auth: hint: \(hint)") }
            return ExitCode(ExitCodes.code(for: error.kind))
        }
        if error is ExitCode || error is ValidationError || error is CleanExit { return error }
        Reporter.writeStderr("eks-auth: error: internal error: \(type(of: error))")
        return ExitCode(ExitCodes.software)
    }

    static func writeStderr(_ line: String) {
        LiveSystem.write(line + "\n", to: STDERR_FILENO)
    }
}
