import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthCore
import EKSAuthSystem

/// sysexits(3) codes, one per kind of failure; documented in the README and Docs/reference.md.
enum ExitCodes {
    static let usage: Int32 = 64  // EX_USAGE: argument-parser's own validation failures use it too
    static let dataError: Int32 = 65  // EX_DATAERR: malformed config, credentials or cache input
    static let unavailable: Int32 = 69  // EX_UNAVAILABLE: STS unreachable, timed out or throttled
    static let software: Int32 = 70  // EX_SOFTWARE: a bug or a libcrypto failure
    static let noPermission: Int32 = 77  // EX_NOPERM: AccessDenied, expired or invalid credentials
    static let configuration: Int32 = 78  // EX_CONFIG: no credentials, unsupported profile

    static func code(for kind: FailureKind) -> Int32 {
        switch kind {
        case .usage: return usage
        case .badInput: return dataError
        case .unavailable: return unavailable
        case .internal: return software
        case .denied: return noPermission
        case .configuration: return configuration
        }
    }
}
