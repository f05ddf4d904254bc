/// Everything the core reaches outside itself, passed in as values: environment, clock, disk, trace.
public struct SystemContext: Sendable {
    /// The process environment.
    public var environment: Environment
    /// The clock.
    public var clock: WallClock
    /// The file system.
    public var fileSystem: FileSystem
    /// Where `--verbose` lines go.
    public var tracer: Tracer
    /// Where warnings go (stderr in the executable).
    public var warn: @Sendable (String) -> Void

    /// A context from its parts; `tracer` is silent and warnings are dropped unless given.
    public init(
        environment: Environment, clock: WallClock, fileSystem: FileSystem, tracer: Tracer = .silent,
        warn: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.environment = environment
        self.clock = clock
        self.fileSystem = fileSystem
        self.tracer = tracer
        self.warn = warn
    }
}
