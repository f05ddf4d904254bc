#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The source of the current time, injected so tests can fix it.
public struct WallClock: Sendable {
    /// The current instant.
    public var now: @Sendable () -> Date

    /// A clock reading `now`.
    public init(now: @escaping @Sendable () -> Date) {
        self.now = now
    }

    /// A clock that always reads `date`.
    public static func fixed(_ date: Date) -> WallClock {
        WallClock { date }
    }
}
