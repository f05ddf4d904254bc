#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// How this run may renew a cached session that is due (inside its refresh window) but still valid for
/// more than `CredentialCache.backgroundRefreshFloor`: `SystemContext.backgroundRefresh`, nil (renew it
/// synchronously, as every command but `token` and `credential-process` does) by default.
public enum BackgroundRefresh: Sendable {
    /// This run answers at once with the cached session and has a detached process renew it: `start`
    /// starts that process (the first call of a run; later calls give the same one) and returns its
    /// process id, or nil when none could be started (then the session is renewed synchronously).
    case available(start: @Sendable () -> Int32?)
    /// This run is that detached process: due sessions are renewed here, synchronously, and a key whose
    /// lock is still held after the bounded wait is given up (`BackgroundRefreshSkipped`), never renewed
    /// without the lock.
    case running

    /// Set (to `1`) in the environment of the detached process; internal, not for users.
    public static let modeVariable = "EKS_AUTH_BACKGROUND_REFRESH"
    /// `1` turns background refresh off: due sessions are renewed while the caller waits, as before.
    public static let disableVariable = "EKS_AUTH_NO_BACKGROUND_REFRESH"
}

/// Thrown in the background process when another process holds a key's lock for the whole bounded
/// wait: that process is renewing the session, so this one stops (quietly: its output goes nowhere).
public struct BackgroundRefreshSkipped: Error, Equatable {
    /// The lock file that stayed held.
    public var lockPath: String
}
