import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthCore
import EKSAuthPlatform
import EKSAuthSystem

/// The real file system, through POSIX calls (FileManager costs start-up time we do not need).
struct LiveFileSystem: FileSystem {
    var currentUserID: UInt32 { getuid() }

    /// The most a file we read may hold: config, credentials, cache, token and kubeconfig files are
    /// kilobytes; a larger one is a mistake or an attack (`AWS_CONFIG_FILE=/dev/zero`).
    static let maximumFileSize = 16 << 20

    /// Reads a regular file (or `/dev/null`, as empty) in one `read(2)` of the size `fstat(2)` gives:
    /// growing an array 64 KB at a time cost about 3 instructions a byte, 0.9 M for a 2,000-profile
    /// config on every token call. Opened non-blocking, so a FIFO planted at the path cannot hang us.
    /// - Throws: `FileSystemError` for a file that cannot be read, is not a regular file, or is
    ///   larger than `maximumFileSize`.
    func read(_ path: String) throws -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        if fd < 0 {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw Self.error(path)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw Self.error(path) }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            var null = stat()
            if (info.st_mode & S_IFMT) == S_IFCHR, stat("/dev/null", &null) == 0, null.st_rdev == info.st_rdev {
                return []
            }
            throw FileSystemError(path: path, reason: "not a regular file")
        }
        let limit = Self.maximumFileSize
        guard Int(info.st_size) <= limit else {
            throw FileSystemError(path: path, reason: "larger than \(limit >> 20) MiB")
        }
        // One byte more than the size, to see whether the file grew since fstat; not zero-filled first
        // (memset cost another 0.3 M instructions on that config).
        var result = try [UInt8](unsafeUninitializedCapacity: Int(info.st_size) + 1) { buffer, initialized in
            initialized = try Self.readFully(fd, into: UnsafeMutableRawBufferPointer(buffer), path: path)
        }
        // It grew: read the rest, still bounded.
        while result.count > Int(info.st_size) {
            guard result.count <= limit else {
                throw FileSystemError(path: path, reason: "larger than \(limit >> 20) MiB")
            }
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let got = try chunk.withUnsafeMutableBytes { try Self.readFully(fd, into: $0, path: path) }
            if got == 0 { break }
            result += chunk[0..<got]
        }
        return result
    }

    /// Reads until `buffer` is full or the file ends; returns how many bytes were read.
    private static func readFully(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, path: String) throws -> Int {
        var count = 0
        while count < buffer.count {
            let got = posixRead(fd, buffer.baseAddress! + count, buffer.count - count)
            if got < 0 {
                if errno == EINTR { continue }
                throw Self.error(path)
            }
            if got == 0 { break }
            count += got
        }
        return count
    }

    func status(of path: String) throws -> FileStatus? {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw Self.error(path)
        }
        return FileStatus(
            ownerID: info.st_uid, mode: UInt16(info.st_mode & 0o7777), isDirectory: (info.st_mode & S_IFMT) == S_IFDIR,
            isRegularFile: (info.st_mode & S_IFMT) == S_IFREG)
    }

    func createDirectory(_ path: String, mode: UInt16) throws {
        var prefix = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            prefix += "/" + part
            if mkdir(prefix, mode_t(mode)) != 0, errno != EEXIST { throw Self.error(prefix) }
        }
    }

    func writeAtomically(_ bytes: [UInt8], to path: String, mode: UInt16) throws {
        let directory = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        var template = Array("\(directory.isEmpty ? "." : directory)/.eks-auth-tmp-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw Self.error(path) }
        let tempPath = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var committed = false
        defer {
            if !committed { unlink(tempPath) }
        }
        do {
            defer { close(fd) }
            guard fchmod(fd, mode_t(mode)) == 0 else { throw Self.error(tempPath) }
            var rest = bytes[...]
            while !rest.isEmpty {
                let written = rest.withUnsafeBytes { posixWrite(fd, $0.baseAddress, $0.count) }
                if written < 0 {
                    if errno == EINTR { continue }
                    throw Self.error(tempPath)
                }
                rest = rest.dropFirst(written)
            }
            guard fsync(fd) == 0 else { throw Self.error(tempPath) }
        }
        guard rename(tempPath, path) == 0 else { throw Self.error(path) }
        committed = true
    }

    func remove(_ path: String) throws {
        if unlink(path) != 0, errno != ENOENT { throw Self.error(path) }
    }

    func contents(of directory: String) throws -> [String] {
        guard let dir = opendir(directory) else {
            if errno == ENOENT || errno == ENOTDIR { return [] }
            throw Self.error(directory)
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Holds `flock(2)` on the lock file for `body`, then removes the file before letting go, so no
    /// lock file outlives its use. Safe because a waiter that gets the lock checks that the path still
    /// names the file it locked (same device and inode) and starts over when it does not: a lock on
    /// a file already removed guards nothing.
    func withExclusiveLock<T>(_ lockPath: String, timeout: Double, _ body: () throws -> T) throws -> T? {
        var waited = 0.0
        while true {
            // O_NOFOLLOW: a link planted at the lock path must not make us create or lock its target.
            let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
            guard fd >= 0 else { throw Self.error(lockPath) }
            while flock(fd, LOCK_EX | LOCK_NB) != 0 {
                guard errno == EWOULDBLOCK || errno == EINTR else {
                    let error = Self.error(lockPath)
                    close(fd)
                    throw error
                }
                guard waited < timeout else {
                    close(fd)
                    return nil
                }
                usleep(20_000)
                waited += 0.02
            }
            var held = stat()
            var named = stat()
            guard fstat(fd, &held) == 0, lstat(lockPath, &named) == 0, held.st_dev == named.st_dev,
                held.st_ino == named.st_ino
            else {
                // Removed (or replaced) by the holder we waited for: lock what the path names now.
                flock(fd, LOCK_UN)
                close(fd)
                continue
            }
            defer {
                unlink(lockPath)
                flock(fd, LOCK_UN)
                close(fd)
            }
            return try body()
        }
    }

    func isSymbolicLink(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK
    }

    func resolvingSymlinks(_ path: String) throws -> String {
        var current = path
        for _ in 0..<40 {
            var info = stat()
            guard lstat(current, &info) == 0, (info.st_mode & S_IFMT) == S_IFLNK else { return current }
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let count = readlink(current, &buffer, buffer.count - 1)
            guard count > 0 else { throw Self.error(current) }
            let target = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if target.hasPrefix("/") {
                current = target
            } else {
                // Relative to the directory holding the link.
                let parts = current.split(separator: "/", omittingEmptySubsequences: false).dropLast()
                let directory = parts.joined(separator: "/")
                current = parts.isEmpty ? target : (directory.isEmpty ? "/" : directory + "/") + target
            }
        }
        throw FileSystemError(path: path, reason: "too many levels of symbolic links")
    }

    static func error(_ path: String) -> FileSystemError {
        FileSystemError(path: path, reason: String(cString: strerror(errno)))
    }
}
