// The one file that names a C library. Everything else imports EKSAuthPlatform and gets the POSIX
// calls of whichever libc this build targets: glibc (Debian, Ubuntu), musl (Alpine, static builds)
// or Darwin (macOS).
import CPlatformShims

#if canImport(Glibc)
    @_exported import Glibc
#elseif canImport(Musl)
    @_exported import Musl
#elseif canImport(Darwin)
    @_exported import Darwin
#else
    #error("eks-auth needs a POSIX C library: glibc, musl or Darwin")
#endif

// Where a type's own `read`, `write` or `exit` method hides the C function, callers use these names
// instead of a module-qualified `Glibc.read`, which would tie them to one C library.

/// read(2): up to `count` bytes into `buffer`; the count read, 0 at end of file, -1 with `errno` set.
@inlinable public func posixRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(fd, buffer, count)
}

/// write(2): up to `count` bytes from `buffer`; the count written, or -1 with `errno` set.
@inlinable public func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(fd, buffer, count)
}

/// exit(3): flushes C stdio and ends the process with `status`.
@inlinable public func posixExit(_ status: Int32) -> Never {
    exit(status)
}

/// memchr(3): the first `byte` in the `count` bytes at `start`, or nil. libc's version is vectorised,
/// so scanning a large file for line ends costs a fraction of a Swift byte loop.
@inlinable public func findByte(_ byte: UInt8, in start: UnsafeRawPointer, count: Int) -> UnsafeRawPointer? {
    guard count > 0 else { return nil }
    return UnsafeRawPointer(memchr(start, Int32(byte), count))
}

/// This user's home directory from the password database (getpwuid(3)), or nil. Called only when
/// `HOME` is unset or empty: the look-up may load NSS modules, which a token call should not pay for.
public func passwordDatabaseHome() -> String? {
    guard let entry = getpwuid(getuid()), let directory = entry.pointee.pw_dir else { return nil }
    let home = String(cString: directory)
    return home.isEmpty ? nil : home
}

/// The process environment, read from `environ` (on Darwin `_NSGetEnviron()`); where a name appears
/// twice the first wins, as getenv(3) finds it, and entries without `=` are skipped.
///
/// Hand-written for the start-up path: `ProcessInfo.processInfo.environment` cost about 0.25 M
/// instructions on every `token` call (setting up ProcessInfo itself and bridging), this about 30 K.
public func processEnvironment() -> [String: String] {
    #if canImport(Darwin)
        let table: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = _NSGetEnviron().pointee
    #else
        let table: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = environ
    #endif
    guard let entries = table else { return [:] }
    var variables: [String: String] = [:]
    var index = 0
    while let entry = entries[index] {
        index += 1
        guard let equals = strchr(entry, Int32(UInt8(ascii: "="))) else { continue }
        let nameLength = entry.distance(to: equals)
        let name = UnsafeRawBufferPointer(start: entry, count: nameLength)
        let key = String(decoding: name, as: UTF8.self)
        if variables[key] == nil { variables[key] = String(cString: equals + 1) }
    }
    return variables
}

/// Turns core dumps off for this process (setrlimit(2) RLIMIT_CORE to zero and, on Linux,
/// prctl(2) PR_SET_DUMPABLE to 0, which also keeps other processes of this user from attaching
/// to it): a crash while credentials are in memory must not write them to disk. Two system calls.
public func disableCoreDumps() {
    var none = rlimit(rlim_cur: 0, rlim_max: 0)
    _ = setrlimit(RLIMIT_CORE_VALUE, &none)
    _ = eks_auth_set_not_dumpable()
}

#if canImport(Glibc)
    // Glibc imports RLIMIT_CORE as an enum case of __rlimit_resource; setrlimit takes its raw value.
    private let RLIMIT_CORE_VALUE = __rlimit_resource_t(RLIMIT_CORE.rawValue)
#else
    private let RLIMIT_CORE_VALUE = RLIMIT_CORE
#endif

/// Seconds on a clock that counts time since boot, sleep included, and that nobody sets: Linux's
/// CLOCK_BOOTTIME, Darwin's CLOCK_MONOTONIC (which counts sleep). Nil when it cannot be read. Compared
/// with the wall clock it tells whether the wall clock was set (an NTP step) or the machine restarted.
public func bootClockSeconds() -> Double? {
    var time = timespec()
    #if canImport(Darwin)
        guard clock_gettime(CLOCK_MONOTONIC, &time) == 0 else { return nil }
    #else
        guard clock_gettime(CLOCK_BOOTTIME, &time) == 0 else { return nil }
    #endif
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}
