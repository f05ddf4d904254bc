/// Receives the `--verbose` trace: which source, profile, region and endpoint were used. Never secrets.
public struct Tracer: Sendable {
    /// Called with each trace line.
    public var emit: @Sendable (String) -> Void

    /// Whether lines are dropped unbuilt: without `--verbose` a token call builds none of its trace
    /// lines (one of them hashed a cache key again just to name the file).
    public let isSilent: Bool

    /// A tracer calling `emit`.
    public init(emit: @escaping @Sendable (String) -> Void) {
        self.emit = emit
        self.isSilent = false
    }

    private init(droppingEverything: Void) {
        self.emit = { _ in }
        self.isSilent = true
    }

    /// A tracer that drops everything.
    public static let silent = Tracer(droppingEverything: ())

    /// Emits `line`; a silent tracer does not evaluate it.
    public func callAsFunction(_ line: @autoclosure () -> String) {
        guard !isSilent else { return }
        emit(line())
    }
}
