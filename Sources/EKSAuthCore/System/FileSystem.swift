import Synchronization

/// What the core needs of a file system; the live one is in the executable, tests use `InMemoryFileSystem`.
public protocol FileSystem: Sendable {
    /// The file's bytes, or nil when it does not exist.
    /// - Throws: `FileSystemError` when it exists but cannot be read.
    func read(_ path: String) throws -> [UInt8]?
}

/// A failure of the file system, with the OS reason in words.
public struct FileSystemError: Error, Equatable, Sendable {
    /// The path involved.
    public var path: String
    /// Why, e.g. "Permission denied".
    public var reason: String

    /// An error for `path`.
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
}

/// A file system held in memory, for tests and for composing fixtures.
public final class InMemoryFileSystem: FileSystem, Sendable {
    private struct State {
        var files: [String: [UInt8]]
        var unreadable: Set<String> = []
    }
    private let state: Mutex<State>

    /// A file system holding `files` (path to text).
    public init(_ files: [String: String] = [:]) {
        self.state = Mutex(State(files: files.mapValues { Array($0.utf8) }))
    }

    /// Adds or replaces a file.
    public func write(_ text: String, to path: String) {
        state.withLock { $0.files[path] = Array(text.utf8) }
    }

    /// Makes `path` fail to read, as a file without read permission would.
    public func makeUnreadable(_ path: String) {
        state.withLock { _ = $0.unreadable.insert(path) }
    }

    public func read(_ path: String) throws -> [UInt8]? {
        try state.withLock { state in
            if state.unreadable.contains(path) { throw FileSystemError(path: path, reason: "Permission denied") }
            return state.files[path]
        }
    }
}
