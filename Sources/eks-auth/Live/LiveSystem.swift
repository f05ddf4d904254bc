import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthCommandLine
import EKSAuthCore
import EKSAuthPlatform
import EKSAuthSystem
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The real environment, clock, disk, network and terminal; the only code that reads them.
struct LiveSystem {
    let environment: Environment
    let reporter: Reporter
    private(set) var context: SystemContext
    private let http: LazyHTTPClient
    private let observed: LazyObservedHTTPClient

    init(verbose: Bool) {
        let variables = processEnvironment()
        // With HOME unset or empty, the password database names the home directory, as botocore's
        // os.path.expanduser does; never the working directory.
        let environment = Environment(
            variables, passwordDatabaseHome: (variables["HOME"] ?? "").isEmpty ? passwordDatabaseHome() : nil)
        let reporter = Reporter(verbose: verbose)
        let http = LazyHTTPClient(environment: environment, tracer: reporter.tracer)
        self.environment = environment
        self.reporter = reporter
        self.http = http
        let rawClock = WallClock { Date() }
        var context = SystemContext(
            environment: environment, clock: rawClock, fileSystem: LiveFileSystem(),
            tracer: reporter.tracer, warn: { reporter.warn($0) }, http: { http.client },
            terminal: Terminal(stdinIsTerminal: isatty(STDIN_FILENO) == 1) { prompt in
                LiveSystem.write(TerminalText.sanitized(prompt), to: STDERR_FILENO)
                return Swift.readLine(strippingNewline: true)
            },
            sleep: { seconds in usleep(useconds_t(max(0, min(seconds, 60)) * 1_000_000)) },
            random: { Double.random(in: 0..<1) }, processes: LiveProcessRunner())
        context.notice = { Reporter.write(level: .info, $0, fields: $1) }
        // A clock skew learned earlier corrects every signature and expiry check of this run.
        let stored = ClockSkew.load(system: context)
        if let stored, stored.applies(at: rawClock.now(), boot: bootClockSeconds()) {
            let offset = Double(stored.offset)
            context.clock = WallClock { Date().addingTimeInterval(offset) }
            context.clockCorrection = stored
            reporter.tracer(
                "clock: this machine's clock is \(stored.direction) AWS's (learned from \(stored.host) at "
                    + "\(Timestamp.rfc3339(stored.learnedAt))): signing with the corrected time",
                fields: ["offset": "\(stored.offset)", "host": stored.host])
        }
        let base = context
        let observed = LazyObservedHTTPClient {
            ClockSkewObserver(
                inner: http, system: base, rawClock: rawClock, bootClock: { bootClockSeconds() }, stored: stored)
        }
        context.http = { observed.client }
        self.observed = observed
        self.context = context
    }

    /// The clock skew measured from an AWS reply during this run, if any.
    var measuredClockSkew: ClockSkew? { observed.latest }

    /// Releases the network client, if one was made.
    func shutdown() {
        http.shutdown()
    }

    /// Writes `text` and a newline to stdout. On a terminal each line has its control characters
    /// escaped, as on stderr: `decode`, `explain` and `cache list` show text from tokens, ConfigMaps
    /// and files. Into a pipe (kubectl reading the ExecCredential, `| jq`) the text goes unchanged.
    func writeStdout(_ text: String) {
        guard isatty(STDOUT_FILENO) == 1 else { return Self.write(text + "\n", to: STDOUT_FILENO) }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        Self.write(lines.map { TerminalText.sanitized(String($0)) }.joined(separator: "\n") + "\n", to: STDOUT_FILENO)
    }

    /// Writes all of `text` to file descriptor `fd`, retrying short writes and EINTR.
    static func write(_ text: String, to fd: Int32) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { posixWrite(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            bytes = bytes.dropFirst(written)
        }
    }
}

/// Makes the `LiveHTTPClient` on the first request for it, so a token that needs no call never
/// makes one. Creating and destroying the client eagerly cost about 1.0 M instructions per
/// static-key token (measured with callgrind), most of it in instantiating the metadata of the
/// client's table of clients.
final class LazyHTTPClient: HTTPClient {
    private let environment: Environment
    private let made = Mutex<LiveHTTPClient?>(nil)

    private let tracer: Tracer

    init(environment: Environment, tracer: Tracer) {
        self.environment = environment
        self.tracer = tracer
    }

    /// The client, made on the first call.
    var client: LiveHTTPClient {
        made.withLock { made in
            if let client = made { return client }
            let client = LiveHTTPClient(environment: environment, tracer: tracer)
            made = client
            return client
        }
    }

    /// Shuts the client down, if one was made.
    func shutdown() {
        made.withLock { $0 }?.shutdown()
    }

    func send(_ request: HTTPRequest) throws -> HTTPResponse {
        try client.send(request)
    }
}

/// The clock-skew observer around the network client, made on first use like the client itself.
final class LazyObservedHTTPClient: Sendable {
    private let made = Mutex<ClockSkewObserver?>(nil)
    private let make: @Sendable () -> ClockSkewObserver

    init(make: @escaping @Sendable () -> ClockSkewObserver) {
        self.make = make
    }

    /// The observer, made on the first call.
    var client: ClockSkewObserver {
        made.withLock { made in
            if let client = made { return client }
            let client = make()
            made = client
            return client
        }
    }

    /// What the observer measured, if it was made.
    var latest: ClockSkew? { made.withLock { $0 }?.latest }
}

extension LiveSystem {
    /// The context and role the credential flags ask for (`whoami`, `doctor`): the cache on unless
    /// `--no-cache`, a `--token-code` given without a role serving the profile's `mfa_serial`, and the
    /// role of `--role-arn` or `DEFAULT_ROLE`.
    /// - Throws: `RoleRequestError`, `ConfigError` for a bad `DEFAULT_ROLE`.
    func context(for invocation: CredentialInvocation) throws -> (system: SystemContext, role: RoleRequest?) {
        let role = try invocation.roleRequest(defaultRole: environment["DEFAULT_ROLE"])
        var system = context
        system.useCache = !invocation.noCache
        if role == nil { system.profileTokenCode = invocation.tokenCode }
        return (system, role)
    }
}

extension LiveSystem {
    /// `system` for a command whose stderr another program captures (`credential-process`: the AWS
    /// CLI, the SDKs and Terraform read it only after a failure): the prompts (MFA code) and the news
    /// meant for a person (an IAM Identity Center login's link and code, retries) go to the controlling
    /// terminal, `/dev/tty`, as well. With no controlling terminal nobody is asked anything: no prompt,
    /// no login. A `KUBERNETES_EXEC_INFO` inherited through the calling program is not ours and is
    /// ignored. When stderr is itself a terminal (run by hand), nothing changes but that.
    func promptingOnControllingTerminal(_ system: SystemContext) -> SystemContext {
        var system = system
        system.environment.variables["KUBERNETES_EXEC_INFO"] = nil
        if isatty(STDERR_FILENO) == 1 { return system }
        let tty = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY)
        guard tty >= 0 else {
            system.terminal = Terminal(stdinIsTerminal: false) { _ in nil }
            return system
        }
        // Kept open for the rest of the run (one descriptor; closed at exit).
        system.terminal = Terminal(stdinIsTerminal: true) { prompt in
            LiveSystem.write(TerminalText.sanitized(prompt), to: tty)
            return LiveSystem.readLine(from: tty)
        }
        let notice = system.notice
        system.notice = { message, fields in
            notice(message, fields)
            LiveSystem.write("eks-auth: " + TerminalText.line(message, limit: 2048) + "\n", to: tty)
        }
        return system
    }

    /// One line read from `fd` (at most 1 KiB, without its newline); nil at end of input.
    static func readLine(from fd: Int32) -> String? {
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while line.count < 1024 {
            let count = read(fd, &byte, 1)
            if count < 0, errno == EINTR { continue }
            guard count == 1 else { return line.isEmpty ? nil : String(decoding: line, as: UTF8.self) }
            if byte == UInt8(ascii: "\n") { break }
            line.append(byte)
        }
        return String(decoding: line, as: UTF8.self)
    }
}
