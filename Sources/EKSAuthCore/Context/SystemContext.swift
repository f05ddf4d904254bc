import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

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
    /// Where news of a long wait goes, `--verbose` or not (stderr in the executable): each retry, with
    /// its reason. A sentence and its fields; never a secret.
    public var notice: @Sendable (String, TraceFields) -> Void = { _, _ in }
    /// The network, for STS calls; made only when a call must go out.
    public var http: @Sendable () -> HTTPClient
    /// The terminal, for prompts.
    public var terminal: Terminal
    /// Sleeps between retries.
    public var sleep: @Sendable (Double) -> Void
    /// Random numbers in 0..<1, for retry jitter.
    public var random: @Sendable () -> Double
    /// Runs commands (`credential_process`).
    public var processes: ProcessRunner
    /// False with `--no-cache`: no cached credentials are read or written, of any source.
    public var useCache: Bool = true
    /// An MFA code given with `--token-code` but no role flag: it serves the `mfa_serial` of the
    /// selected profile's role chain (the hop that names one), as the prompt would.
    public var profileTokenCode: String?
    /// The clock skew `clock` is corrected by (learned earlier from AWS's replies), if any.
    public var clockCorrection: ClockSkew?
    /// Whether a due cached session is renewed by a detached process while this run answers at once
    /// (`token` and `credential-process` only); nil: renewed synchronously.
    public var backgroundRefresh: BackgroundRefresh?

    /// A context from its parts; `tracer` is silent, warnings are dropped, there is no network
    /// no terminal and no commands, and sleeps return at once unless given.
    public init(
        environment: Environment, clock: WallClock, fileSystem: FileSystem, tracer: Tracer = .silent,
        warn: @escaping @Sendable (String) -> Void = { _ in },
        http: @escaping @Sendable () -> HTTPClient = { NoNetwork() },
        terminal: Terminal = .none,
        sleep: @escaping @Sendable (Double) -> Void = { _ in },
        random: @escaping @Sendable () -> Double = { 0.5 },
        processes: ProcessRunner = NoProcesses()
    ) {
        self.environment = environment
        self.clock = clock
        self.fileSystem = fileSystem
        self.tracer = tracer
        self.warn = warn
        self.http = http
        self.terminal = terminal
        self.sleep = sleep
        self.random = random
        self.processes = processes
    }
}

extension SystemContext {
    /// The retry policy the environment asks for (`AWS_MAX_ATTEMPTS`, `EKS_AUTH_HTTP_TIMEOUT`), sleeping
    /// and drawing jitter through this context.
    /// - Throws: `ConfigError.invalidSetting` for values that are not positive numbers.
    public func retryPolicy() throws -> RetryPolicy {
        try RetryPolicy.from(environment: environment, sleep: sleep, random: random, notice: notice)
    }

    /// Whether a person can answer a prompt: when kubectl runs us, KUBERNETES_EXEC_INFO says so;
    /// run by hand, when stdin is a terminal.
    public var canPrompt: Bool {
        guard let info = environment.variables["KUBERNETES_EXEC_INFO"] else { return terminal.stdinIsTerminal }
        return ExecInfo.parse(info).interactive
    }
}

/// A transport that refuses every request, for contexts without a network.
public struct NoNetwork: HTTPClient {
    /// The refusing transport.
    public init() {}

    public func send(_ request: HTTPRequest) throws -> HTTPResponse {
        throw HTTPTransportError.connectionFailed("no network in this context")
    }
}
