import EKSAuthCore
import EKSAuthPlatform
import EKSAuthSystem

/// The background refresh of `token` and `credential-process` (Docs/caching.md, "Background refresh"):
/// a due cached session is answered at once and renewed by this executable run again, detached, with the
/// same arguments and `EKS_AUTH_BACKGROUND_REFRESH=1`.
enum LiveBackgroundRefresh {
    /// The longest the background process lives (an alarm ends it): its lock wait and its STS calls, with
    /// every retry (35 s each with the defaults), fit well inside; a hung `credential_process` does not
    /// keep it forever.
    static let maximumSeconds: UInt32 = 300

    /// Whether this process is the background one; when it is, first closes the descriptors it inherited
    /// and arms its alarm (`enterBackground`). Called before anything else of `token` or
    /// `credential-process`.
    static func enterIfBackground() -> Bool {
        guard let value = getenv(BackgroundRefresh.modeVariable), String(cString: value) == "1" else { return false }
        // Not passed on: a `credential_process` that is itself `eks-auth credential-process` must print.
        unsetenv(BackgroundRefresh.modeVariable)
        // Only the process `spawn` started, whose stdout is /dev/null: the marker exported by mistake
        // must not turn a kubectl call into one that prints nothing.
        var output = stat()
        var null = stat()
        guard fstat(STDOUT_FILENO, &output) == 0, stat("/dev/null", &null) == 0, output.st_rdev == null.st_rdev,
            output.st_mode & S_IFMT == S_IFCHR
        else { return false }
        enterBackground()
        return true
    }

    /// The mode for a run in `environment` that is not the background process: nil with
    /// `EKS_AUTH_NO_BACKGROUND_REFRESH=1`; otherwise `.available`, starting at most one process per run.
    static func mode(in environment: Environment) -> BackgroundRefresh? {
        if !(environment[BackgroundRefresh.disableVariable] ?? "").isEmpty { return nil }
        let once = SpawnOnce()
        return .available { once.pid(starting: spawn) }
    }

    /// The process id of the one background process of a run, started by the first call.
    ///
    /// A class with a pthread mutex rather than a `Mutex<(Bool, Int32?)>` in the closure: releasing a
    /// closure context that held the generic `Mutex` instantiated its metadata at run time, on every
    /// `token` run whether a refresh was due or not (0.28 M instructions, +10 % of a static-keys token).
    final class SpawnOnce: @unchecked Sendable {
        private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        private var done = false
        private var started: Int32?

        init() { pthread_mutex_init(mutex, nil) }

        deinit {
            pthread_mutex_destroy(mutex)
            mutex.deallocate()
        }

        func pid(starting start: () -> Int32?) -> Int32? {
            pthread_mutex_lock(mutex)
            defer { pthread_mutex_unlock(mutex) }
            if !done { (done, started) = (true, start()) }
            return started
        }
    }

    /// Called first thing in the background process: closes every descriptor above stderr it may have
    /// inherited (eks-auth's network sockets are not all close-on-exec, nor are those of whoever ran the
    /// parent), and arms the alarm that bounds its life.
    static func enterBackground() {
        alarm(maximumSeconds)
        for fd in openDescriptors() { close(fd) }
    }

    /// The open descriptors above stderr (from `/proc/self/fd`, `/dev/fd` on macOS; every one up to 1024
    /// when that cannot be listed).
    static func openDescriptors() -> [Int32] {
        #if os(Linux)
            let listing = "/proc/self/fd"
        #else
            let listing = "/dev/fd"
        #endif
        guard let directory = opendir(listing) else { return Array((STDERR_FILENO + 1)..<1024) }
        defer { closedir(directory) }
        let own = dirfd(directory)
        var open: [Int32] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if let fd = Int32(name), fd > STDERR_FILENO, fd != own { open.append(fd) }
        }
        return open
    }

    /// Starts this executable again, detached: a new session (no terminal, no signal from the parent's
    /// process group), stdin, stdout and stderr on /dev/null (kubectl waits until the plugin's pipes close:
    /// an inherited pipe would make it wait for the renewal), the same arguments, the environment without
    /// `KUBERNETES_EXEC_INFO` (no failure memo, no prompt) and with `EKS_AUTH_BACKGROUND_REFRESH=1`.
    /// Never waited for. Its process id, or nil when it could not be started.
    static func spawn() -> Int32? {
        guard let executable = executablePath() else { return nil }
        // argv[0] as we were given it, so that `ps` shows what the parent showed.
        let arguments = [CommandLine.arguments.first ?? executable] + CommandLine.arguments.dropFirst()
        var variables = processEnvironment()
        variables["KUBERNETES_EXEC_INFO"] = nil
        variables[BackgroundRefresh.modeVariable] = "1"
        return try? LiveProcessRunner.startDetached(arguments, executable: executable, environment: variables)
    }

    /// The running executable: `/proc/self/exe` on Linux (it names the binary even if it was replaced
    /// since), `_NSGetExecutablePath` on macOS.
    static func executablePath() -> String? {
        #if os(Linux)
            return "/proc/self/exe"
        #else
            var size: UInt32 = 4096
            var buffer = [CChar](repeating: 0, count: Int(size))
            guard _NSGetExecutablePath(&buffer, &size) == 0 else { return nil }
            return String(cString: buffer)
        #endif
    }
}

extension LiveSystem {
    /// `system` as `token` and `credential-process` use it: with background refresh (unless `--no-cache`
    /// or `EKS_AUTH_NO_BACKGROUND_REFRESH=1`); in the background process itself (`inBackground`, from
    /// `LiveBackgroundRefresh.enterIfBackground`), renewing here, with no terminal.
    func refreshingInBackground(_ system: SystemContext, inBackground: Bool) -> SystemContext {
        var system = system
        guard system.useCache else { return system }
        guard !inBackground else {
            system.backgroundRefresh = .running
            system.terminal = .none
            return system
        }
        system.backgroundRefresh = LiveBackgroundRefresh.mode(in: environment)
        return system
    }
}
