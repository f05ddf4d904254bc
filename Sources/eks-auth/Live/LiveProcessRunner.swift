import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthCore
import EKSAuthPlatform
import EKSAuthSystem

/// Runs commands with `posix_spawnp` (Foundation's `Process` would cost start-up time we do not need):
/// stdin inherited, stdout and stderr read through pipes, the whole run bounded by the request's timeout.
struct LiveProcessRunner: EKSAuthSystem.ProcessRunner {
    func run(_ request: ProcessRequest) throws -> ProcessResult {
        guard let command = request.arguments.first else { throw ProcessRunError.cannotStart("empty command") }
        // A C argument vector ends each string at NUL; running a silently shortened argument would be worse.
        guard !request.arguments.contains(where: { $0.utf8.contains(0) }) else {
            throw ProcessRunError.cannotStart("\(command): an argument contains a NUL character")
        }
        if request.detached {
            _ = try Self.startDetached(request.arguments)
            return ProcessResult(status: 0)
        }
        let deadline = Self.now() + (request.timeout.isNaN ? 0 : max(0, request.timeout))

        let stdoutPipe = try Self.makePipe(for: command)
        let stderrPipe: (read: Int32, write: Int32)
        do {
            stderrPipe = try Self.makePipe(for: command)
        } catch {
            Self.closeAll(stdoutPipe.read, stdoutPipe.write)
            throw error
        }
        let pid: pid_t
        do {
            pid = try Self.spawn(
                request.arguments, environment: request.environment, stdout: stdoutPipe, stderr: stderrPipe)
        } catch {
            Self.closeAll(stdoutPipe.read, stdoutPipe.write, stderrPipe.read, stderrPipe.write)
            throw error
        }
        // Only the child writes; keeping our copies open would hold back EOF forever.
        Self.closeAll(stdoutPipe.write, stderrPipe.write)
        defer { Self.closeAll(stdoutPipe.read, stderrPipe.read) }

        guard
            let output = Self.readToEnd(
                stdout: stdoutPipe.read, stderr: stderrPipe.read, until: deadline, echoStderr: request.echoStderr),
            let status = try Self.waitForExit(pid, until: deadline, command: command)
        else {
            // Not waiting for EOF after the kill: a grandchild may still hold the pipes open.
            kill(pid, SIGKILL)
            _ = try? Self.waitForExit(pid, until: .infinity, command: command)
            throw ProcessRunError.timedOut
        }
        return ProcessResult(status: status, stdout: output.stdout, stderr: output.stderr)
    }

    // MARK: - Starting

    /// A pipe with both ends close-on-exec (so no other spawned process inherits them), each above the
    /// standard streams so that the child's `dup2` onto 1 and 2 cannot collide with them.
    private static func makePipe(for command: String) throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        guard openPipe(&fds) == 0 else { throw startError(command, "cannot create a pipe", errno) }
        for index in fds.indices where fds[index] <= STDERR_FILENO {
            let moved = fcntl(fds[index], F_DUPFD_CLOEXEC, STDERR_FILENO + 1)
            let error = errno
            close(fds[index])
            fds[index] = moved
            if moved < 0 {
                closeAll(fds[0], fds[1])
                throw startError(command, "cannot create a pipe", error)
            }
        }
        // Non-blocking on our side only: a read after poll must never stall the deadline.
        _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
        return (fds[0], fds[1])
    }

    /// `pipe2(fds, O_CLOEXEC)`. The C library module hides pipe2 (it is declared only under _GNU_SOURCE), so it is
    /// looked up in libc; where it cannot be (a fully static binary) the flag is set right after `pipe`.
    private static func openPipe(_ fds: inout [Int32]) -> Int32 {
        typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>?, Int32) -> Int32
        // A nil handle is RTLD_DEFAULT, which is also behind _GNU_SOURCE.
        if let symbol = dlsym(nil, "pipe2") {
            return unsafeBitCast(symbol, to: Pipe2.self)(&fds, O_CLOEXEC)
        }
        guard pipe(&fds) == 0 else { return -1 }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return 0
    }

    /// Starts `arguments` (the first looked up in PATH) with the current environment (`environment`'s
    /// variables set or replaced), stdout and stderr going to the pipes' write ends.
    private static func spawn(
        _ arguments: [String], environment: [String: String], stdout: (read: Int32, write: Int32),
        stderr: (read: Int32, write: Int32)
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // dup2 clears close-on-exec on 1 and 2; every pipe descriptor itself closes on exec anyway.
        posix_spawn_file_actions_adddup2(&actions, stdout.write, STDOUT_FILENO)
        posix_spawn_file_actions_adddup2(&actions, stderr.write, STDERR_FILENO)
        posix_spawn_file_actions_addclose(&actions, stdout.read)
        posix_spawn_file_actions_addclose(&actions, stderr.read)

        // An ignored SIGPIPE survives exec; the child gets the default back (as from a shell) without
        // changing our own disposition, and no blocked signals.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        guard let file = argv[0], !argv.dropLast().contains(nil) else {
            throw startError(arguments[0], nil, ENOMEM)
        }
        var pid: pid_t = 0
        var envp: [UnsafeMutablePointer<CChar>?] = []
        if !environment.isEmpty {
            var variables = processEnvironment()
            variables.merge(environment) { _, new in new }
            envp = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        }
        defer { envp.forEach { free($0) } }
        let result =
            environment.isEmpty
            ? posix_spawnp(&pid, file, &actions, &attributes, argv, environ)
            : posix_spawnp(&pid, file, &actions, &attributes, argv, envp)
        guard result == 0 else { throw startError(arguments[0], nil, result) }
        return pid
    }

    /// Starts `arguments` detached and does not wait: a session of its own (no terminal, no signal from
    /// our process group), stdin, stdout and stderr on /dev/null (kubectl waits until the plugin's output
    /// pipes close; a browser launcher may keep the browser in the foreground), no other descriptor of
    /// ours (the network's sockets are not all close-on-exec), and the signals we may ignore back to their
    /// defaults. `executable` is run as it is; without it, `arguments[0]` is looked up in PATH.
    /// `environment` replaces ours when given. Its process id.
    /// - Throws: `ProcessRunError.cannotStart`.
    static func startDetached(_ arguments: [String], executable: String? = nil, environment: [String: String]? = nil)
        throws -> pid_t
    {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0)
        #if os(Linux)
            // (macOS: POSIX_SPAWN_CLOEXEC_DEFAULT below.)
            for fd in LiveBackgroundRefresh.openDescriptors() { posix_spawn_file_actions_addclose(&actions, fd) }
        #endif
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGHUP, SIGINT, SIGTERM, SIGALRM] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        #if os(Linux)
            // POSIX_SPAWN_SETSID (glibc 2.26 and musl), declared only under _GNU_SOURCE, which the C
            // library module is not built with.
            let detach: Int32 = 0x80
        #else
            let detach = Int32(POSIX_SPAWN_SETSID | POSIX_SPAWN_CLOEXEC_DEFAULT)
        #endif
        posix_spawnattr_setflags(&attributes, Int16(Int32(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK) | detach))
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] =
            environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] } ?? []
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        guard let file = argv.first ?? nil, !argv.dropLast().contains(nil), !envp.dropLast().contains(nil) else {
            throw startError(arguments.first ?? "", nil, ENOMEM)
        }
        var pid: pid_t = 0
        let result: Int32
        if let executable {
            result =
                envp.isEmpty
                ? posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
                : posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        } else {
            result =
                envp.isEmpty
                ? posix_spawnp(&pid, file, &actions, &attributes, argv, environ)
                : posix_spawnp(&pid, file, &actions, &attributes, argv, envp)
        }
        guard result == 0 else { throw startError(arguments[0], nil, result) }
        return pid
    }

    /// "`command`: `what`: `strerror`", or without `what`, as `cannotStart`.
    static func startError(_ command: String, _ what: String?, _ code: Int32) -> ProcessRunError {
        let reason = String(cString: strerror(code))
        return .cannotStart([command, what, reason].compactMap { $0 }.joined(separator: ": "))
    }

    // MARK: - Reading and waiting

    /// Reads both descriptors to EOF, keeping at most `ProcessResult.outputLimit` bytes of each; nil when
    /// `deadline` passes first.
    private static func readToEnd(stdout: Int32, stderr: Int32, until deadline: Double, echoStderr: Bool) -> (
        stdout: [UInt8], stderr: [UInt8]
    )? {
        var streams = [(fd: stdout, kept: [UInt8](), open: true), (fd: stderr, kept: [UInt8](), open: true)]
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while streams.contains(where: { $0.open }) {
            guard let wait = milliseconds(until: deadline) else { return nil }
            var fds = streams.map { pollfd(fd: $0.open ? $0.fd : -1, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&fds, nfds_t(fds.count), wait)
            if ready < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                // poll cannot fail on two valid descriptors short of running out of memory; give up on both.
                break
            }
            for index in streams.indices where streams[index].open && fds[index].revents != 0 {
                // Read until the pipe is empty for now; POLLHUP without data is EOF, read returns 0.
                while true {
                    let count = buffer.withUnsafeMutableBytes { read(streams[index].fd, $0.baseAddress, $0.count) }
                    if count > 0 {
                        if index == 1 && echoStderr {
                            LiveSystem.write(String(decoding: buffer[0..<count], as: UTF8.self), to: STDERR_FILENO)
                        }
                        let room = ProcessResult.outputLimit - streams[index].kept.count
                        streams[index].kept.append(contentsOf: buffer[0..<min(count, room)])
                        continue
                    }
                    if count < 0 && errno == EINTR { continue }
                    if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { break }
                    streams[index].open = false
                    break
                }
            }
        }
        return (streams[0].kept, streams[1].kept)
    }

    /// The exit status of `pid` (128 + N when killed by signal N); nil when `deadline` passes first.
    /// Polled rather than blocking: a child may close its output and keep running.
    private static func waitForExit(_ pid: pid_t, until deadline: Double, command: String) throws -> Int32? {
        var pause: UInt32 = 100
        while true {
            var status: Int32 = 0
            let result = waitpid(pid, &status, deadline.isInfinite ? 0 : WNOHANG)
            if result == pid {
                // The wait(2) status macros, which the C library module does not import: low 7 bits are the signal, 0 for exit.
                let signal = status & 0x7f
                return signal == 0 ? (status >> 8) & 0xff : 128 + signal
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw startError(command, "cannot collect its exit status", errno)
            }
            if now() >= deadline { return nil }
            usleep(pause)
            pause = min(pause * 2, 10_000)
        }
    }

    /// What is left until `deadline`, in whole milliseconds rounded up for `poll`; nil when it has passed.
    private static func milliseconds(until deadline: Double) -> Int32? {
        let left = deadline - now()
        guard left > 0 else { return nil }
        return Int32(min((left * 1000).rounded(.up), Double(Int32.max)))
    }

    /// Seconds on the monotonic clock, which neither NTP nor the user can move.
    private static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// Closes each valid descriptor.
    private static func closeAll(_ fds: Int32...) {
        for fd in fds where fd >= 0 {
            close(fd)
        }
    }
}
