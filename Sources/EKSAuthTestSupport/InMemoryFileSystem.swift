import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthCore
import EKSAuthSystem
import Synchronization

/// A file system held in memory, for tests and for composing fixtures.
public final class InMemoryFileSystem: FileSystem, Sendable {
    private struct Entry {
        var bytes: [UInt8]
        var status: FileStatus
    }

    private struct State {
        var files: [String: Entry] = [:]
        var directories: [String: FileStatus] = [:]
        var unreadable: Set<String> = []
        var failingWrites: Set<String> = []
        var lockCount = 0
    }

    private let state: Mutex<State>
    /// The user id the fake reports as this process's.
    public let currentUserID: UInt32

    /// A file system holding `files` (path to text), owned by `userID` with mode 0600.
    public init(_ files: [String: String] = [:], userID: UInt32 = 1000) {
        self.currentUserID = userID
        var initial = State()
        for (path, text) in files {
            initial.files[path] = Entry(bytes: Array(text.utf8), status: FileStatus(ownerID: userID, mode: 0o600))
        }
        self.state = Mutex(initial)
    }

    /// Adds or replaces a file, by default owned by the current user with mode 0600.
    public func write(_ text: String, to path: String, mode: UInt16 = 0o600, ownerID: UInt32? = nil) {
        let status = FileStatus(ownerID: ownerID ?? currentUserID, mode: mode)
        state.withLock { $0.files[path] = Entry(bytes: Array(text.utf8), status: status) }
    }

    /// Makes `path` fail to read, as a file without read permission would.
    public func makeUnreadable(_ path: String) {
        state.withLock { _ = $0.unreadable.insert(path) }
    }

    /// Makes writes to `path` fail, as on a full or read-only disk.
    public func makeWritesFail(_ path: String) {
        state.withLock { _ = $0.failingWrites.insert(path) }
    }

    /// The text of `path`, for assertions.
    public func text(of path: String) -> String? {
        state.withLock { $0.files[path].map { String(decoding: $0.bytes, as: UTF8.self) } }
    }

    /// How many times a lock was taken.
    public var lockCount: Int { state.withLock { $0.lockCount } }

    public func read(_ path: String) throws -> [UInt8]? {
        try state.withLock { state in
            if state.unreadable.contains(path) { throw FileSystemError(path: path, reason: "Permission denied") }
            return state.files[path]?.bytes
        }
    }

    public func status(of path: String) throws -> FileStatus? {
        state.withLock { state in
            if let dir = state.directories[path] { return dir }
            return state.files[path]?.status
        }
    }

    public func createDirectory(_ path: String, mode: UInt16) throws {
        let uid = currentUserID
        state.withLock { state in
            var prefix = ""
            for part in path.split(separator: "/") {
                prefix += "/" + part
                if state.directories[prefix] == nil {
                    state.directories[prefix] = FileStatus(ownerID: uid, mode: mode, isDirectory: true)
                }
            }
        }
    }

    /// Sets the owner and mode of a directory, for permission tests.
    public func setDirectory(_ path: String, mode: UInt16, ownerID: UInt32) {
        state.withLock { $0.directories[path] = FileStatus(ownerID: ownerID, mode: mode, isDirectory: true) }
    }

    public func writeAtomically(_ bytes: [UInt8], to path: String, mode: UInt16) throws {
        let uid = currentUserID
        try state.withLock { state in
            if state.failingWrites.contains(path) {
                throw FileSystemError(path: path, reason: "No space left on device")
            }
            state.files[path] = Entry(bytes: bytes, status: FileStatus(ownerID: uid, mode: mode))
            state.unreadable.remove(path)
        }
    }

    public func remove(_ path: String) throws {
        state.withLock { _ = $0.files.removeValue(forKey: path) }
    }

    public func contents(of directory: String) throws -> [String] {
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        return state.withLock { state in
            state.files.keys.filter { $0.hasPrefix(prefix) && !$0.dropFirst(prefix.count).contains("/") }
                .map { String($0.dropFirst(prefix.count)) }.sorted()
        }
    }

    /// Runs `body` and, as the live file system does when it lets go, removes the lock file.
    public func withExclusiveLock<T>(_ lockPath: String, timeout: Double, _ body: () throws -> T) throws -> T? {
        state.withLock { $0.lockCount += 1 }
        defer { state.withLock { _ = $0.files.removeValue(forKey: lockPath) } }
        return try body()
    }
}
