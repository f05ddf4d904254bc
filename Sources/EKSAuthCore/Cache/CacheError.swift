import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

/// Failures of the cache commands (the token path never fails because of the cache).
public enum CacheError: EKSAuthError, Equatable {
    /// A cache file could not be removed.
    case cannotClear(path: String, reason: String)
    /// The cache directory could not be listed.
    case cannotRead(path: String, reason: String)

    /// What could not be done, with the path.
    public var message: String {
        switch self {
        case .cannotClear(let path, let reason): return "cannot clear \(path): \(reason)"
        case .cannotRead(let path, let reason): return "cannot read the cache at \(path): \(reason)"
        }
    }

    /// Bad input: a cache directory or file the user must fix.
    public var kind: FailureKind { .badInput }
}
