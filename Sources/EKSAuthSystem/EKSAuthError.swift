/// What kind of failure an error is; the executable maps each to a sysexits exit code.
public enum FailureKind: Sendable, Equatable {
    /// A flag or argument is wrong (EX_USAGE).
    case usage
    /// A config, credentials, cache or input file is malformed (EX_DATAERR).
    case badInput
    /// A service could not be reached, timed out or throttled us (EX_UNAVAILABLE).
    case unavailable
    /// A bug or a libcrypto failure (EX_SOFTWARE).
    case `internal`
    /// Access was denied or the credentials are expired or invalid (EX_NOPERM).
    case denied
    /// No credentials were found, or the profile needs a feature not supported (EX_CONFIG).
    case configuration
}

/// An error the user sees as one line: what failed, which input, where it came from; plus an optional hint.
public protocol EKSAuthError: Error, CustomStringConvertible {
    /// One line naming what failed and the file, profile, flag or variable involved. Never a secret.
    var message: String { get }
    /// What to do about it, when there is something to say.
    var hint: String? { get }
    /// The kind of failure, for the exit code.
    var kind: FailureKind { get }
}

extension EKSAuthError {
    public var hint: String? { nil }
    public var description: String { message }
}
