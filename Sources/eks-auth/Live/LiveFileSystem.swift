import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem
import EKSAuthCore

import EKSAuthPlatform

/// The real file system, through POSIX calls (FileManager costs start-up time we do not need).
struct LiveFileSystem: FileSystem {
    var currentUserID: UInt32 { getuid() }

    func read(_ path: String) throws -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw Self.error(path)
        }
        defer { close(fd) }
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { posixRead(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw Self.error(path)
            }
            if count == 0 { break }
            result.append(contentsOf: buffer[0..<count])
        }
        return result
    }

    func status(of path: String) throws -> FileStatus? {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw Self.error(path)
        }
        return FileStatus(
            ownerID: info.st_uid, mode: UInt16(info.st_mode & 0o7777), isDirectory: (info.st_mode & S_IFMT) == S_IFDIR)
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

    func withExclusiveLock<T>(_ lockPath: String, timeout: Double, _ body: () throws -> T) throws -> T? {
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Self.error(lockPath) }
        defer { close(fd) }
        var waited = 0.0
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else { throw Self.error(lockPath) }
            if waited >= timeout { return nil }
            usleep(20_000)
            waited += 0.02
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }

    static func error(_ path: String) -> FileSystemError {
        FileSystemError(path: path, reason: String(cString: strerror(errno)))
    }
}
