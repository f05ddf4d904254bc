/// Receives the `--verbose` trace: which source, profile, region and endpoint were used. Never secrets.
///
/// Each line is a sentence for people; some also carry fields for machines (`--log-format json`), named
/// as aws-iam-authenticator's logs name them where the two overlap (`arn`, `accesskeyid`, `accountid`,
/// `session`, `role`, `cluster`) and in lowerCamelCase otherwise.
public struct Tracer: Sendable {
    /// Called with each trace line and its fields (in the order given; possibly none).
    public let emit: @Sendable (String, TraceFields) -> Void

    /// Whether lines are dropped unbuilt: without `--verbose` a token call builds none of its trace
    /// lines (one of them hashed a cache key again just to name the file).
    public let isSilent: Bool

    /// A tracer calling `emit` with each line; the fields are dropped.
    public init(emit: @escaping @Sendable (String) -> Void) {
        self.emit = { line, _ in emit(line) }
        self.isSilent = false
    }

    /// A tracer calling `emit` with each line and its fields.
    public init(structured emit: @escaping @Sendable (String, TraceFields) -> Void) {
        self.emit = emit
        self.isSilent = false
    }

    private init(droppingEverything: Void) {
        self.emit = { _, _ in }
        self.isSilent = true
    }

    /// A tracer that drops everything.
    public static let silent = Tracer(droppingEverything: ())

    /// Emits `line` and `fields`; a silent tracer evaluates neither.
    public func callAsFunction(_ line: @autoclosure () -> String, fields: @autoclosure () -> TraceFields = [:]) {
        guard !isSilent else { return }
        emit(line(), fields())
    }
}

/// A trace line's fields for machines: names and values, in order. Values are text; never secrets.
public typealias TraceFields = KeyValuePairs<String, String>
