/// A command to run directly, without a shell, as `credential_process` runs.
public struct ProcessRequest: Sendable, Equatable {
    /// The argument vector; the first element is looked up in `PATH` when it has no `/`.
    public var arguments: [String]
    /// The most the command may take, in seconds; it is killed after that.
    public var timeout: Double
    /// Whether its stderr is also passed on to ours as it comes (so a person sees its prompts);
    /// it is captured either way.
    public var echoStderr: Bool
    /// Variables set (or replaced) in the command's environment, which is otherwise ours.
    public var environment: [String: String]
    /// Started and left to run on its own (a browser launcher): a new session, stdin, stdout and
    /// stderr on /dev/null, never waited for. Its result is status 0 once it started; `timeout` and
    /// `echoStderr` do not apply.
    public var detached: Bool

    /// A request from parts.
    public init(
        arguments: [String], timeout: Double, echoStderr: Bool = false, environment: [String: String] = [:],
        detached: Bool = false
    ) {
        self.arguments = arguments
        self.timeout = timeout
        self.echoStderr = echoStderr
        self.environment = environment
        self.detached = detached
    }
}

/// What a finished command left behind.
public struct ProcessResult: Sendable, Equatable {
    /// The exit status; 128 + N when killed by signal N.
    public var status: Int32
    /// Its standard output (at most `ProcessResult.outputLimit` bytes are kept).
    public var stdout: [UInt8]
    /// Its standard error (at most `ProcessResult.outputLimit` bytes are kept).
    public var stderr: [UInt8]

    /// The most output kept per stream; the rest is read and dropped.
    public static let outputLimit = 1 << 20

    /// A result from parts.
    public init(status: Int32, stdout: [UInt8] = [], stderr: [UInt8] = []) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }
}

/// Why a command gave no result.
public enum ProcessRunError: Error, Equatable, Sendable {
    /// It could not be started (not found, not executable…), in words.
    case cannotStart(String)
    /// It ran past its timeout and was killed.
    case timedOut
}

/// Runs commands; injected so tests decide what a command prints.
public protocol ProcessRunner: Sendable {
    /// Runs `request` to completion (stdin inherited, stdout and stderr captured).
    /// - Throws: `ProcessRunError`.
    func run(_ request: ProcessRequest) throws -> ProcessResult
}

/// A runner that starts nothing, for contexts that must not run commands.
public struct NoProcesses: ProcessRunner {
    /// The refusing runner.
    public init() {}

    public func run(_ request: ProcessRequest) throws -> ProcessResult {
        throw ProcessRunError.cannotStart("running commands is not possible in this context")
    }
}
