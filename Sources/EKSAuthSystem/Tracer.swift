/// Receives the `--verbose` trace: which source, profile, region and endpoint were used. Never secrets.
public struct Tracer: Sendable {
    /// Called with each trace line.
    public var emit: @Sendable (String) -> Void

    /// A tracer calling `emit`.
    public init(emit: @escaping @Sendable (String) -> Void) {
        self.emit = emit
    }

    /// A tracer that drops everything.
    public static let silent = Tracer { _ in }

    /// Emits `line`.
    public func callAsFunction(_ line: @autoclosure () -> String) {
        emit(line())
    }
}
