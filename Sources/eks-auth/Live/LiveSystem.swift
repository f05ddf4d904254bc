import EKSAuthCore
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The real environment, clock and disk; the only code that reads them.
struct LiveSystem {
    let environment: Environment
    let reporter: Reporter
    let context: SystemContext

    init(verbose: Bool) {
        let environment = Environment(ProcessInfo.processInfo.environment)
        let reporter = Reporter(verbose: verbose)
        self.environment = environment
        self.reporter = reporter
        self.context = SystemContext(
            environment: environment, clock: WallClock { Date() }, fileSystem: LiveFileSystem(),
            tracer: reporter.tracer, warn: { reporter.warn($0) })
    }

    /// Writes `text` and a newline to stdout.
    func writeStdout(_ text: String) {
        Self.write(text + "\n", to: STDOUT_FILENO)
    }

    /// Writes all of `text` to file descriptor `fd`, retrying short writes and EINTR.
    static func write(_ text: String, to fd: Int32) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            bytes = bytes.dropFirst(written)
        }
    }
}

/// The real file system, through POSIX calls (FileManager costs start-up time we do not need).
struct LiveFileSystem: FileSystem {
    func read(_ path: String) throws -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw FileSystemError(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw FileSystemError(path: path, reason: String(cString: strerror(errno)))
            }
            if count == 0 { break }
            result.append(contentsOf: buffer[0..<count])
        }
        return result
    }
}
