/// What the core needs of a file system; the live one is in the executable, tests use `InMemoryFileSystem`.
public protocol FileSystem: Sendable {
    /// The file's bytes, or nil when it does not exist.
    /// - Throws: `FileSystemError` when it exists but cannot be read.
    func read(_ path: String) throws -> [UInt8]?

    /// Owner and permission bits of `path`, or nil when it does not exist.
    func status(of path: String) throws -> FileStatus?

    /// The user id this process runs as.
    var currentUserID: UInt32 { get }

    /// Creates `path` and any missing parents with permission bits `mode`.
    func createDirectory(_ path: String, mode: UInt16) throws

    /// Replaces `path` with `bytes` so that a reader sees the old or the new file, never a part:
    /// a temporary file in the same directory, written, flushed, given `mode`, then renamed.
    func writeAtomically(_ bytes: [UInt8], to path: String, mode: UInt16) throws

    /// Removes the file at `path`; nothing happens when it does not exist.
    func remove(_ path: String) throws

    /// The names of the entries of `directory`; empty when it does not exist.
    func contents(of directory: String) throws -> [String]

    /// Runs `body` holding an exclusive lock on `lockPath` (created 0600 when missing, never through
    /// a symbolic link), waiting at most `timeout` seconds for it; returns nil without running `body`
    /// when the wait runs out.
    func withExclusiveLock<T>(_ lockPath: String, timeout: Double, _ body: () throws -> T) throws -> T?

    /// The file a write to `path` should replace: `path` with its symbolic links followed (to the
    /// end of the chain, even when the last target does not exist yet), else `path` itself. Files a
    /// person links elsewhere (a kubeconfig kept in a dotfiles repository) are written through, as
    /// kubectl writes them, instead of the link being replaced by a plain file.
    /// - Throws: `FileSystemError` for a chain of more than 40 links.
    func resolvingSymlinks(_ path: String) throws -> String

    /// Whether `path` itself is a symbolic link (not followed).
    func isSymbolicLink(_ path: String) -> Bool
}

extension FileSystem {
    /// No symbolic links (the in-memory file system has none): `path` itself.
    public func resolvingSymlinks(_ path: String) throws -> String { path }

    /// No symbolic links (the in-memory file system has none): false.
    public func isSymbolicLink(_ path: String) -> Bool { false }
}

/// Owner, permission bits and kind of a file.
public struct FileStatus: Sendable, Equatable {
    /// The owner's user id.
    public var ownerID: UInt32
    /// The permission bits (e.g. 0o600).
    public var mode: UInt16
    /// Whether it is a directory.
    public var isDirectory: Bool
    /// Whether it is a regular file (not a directory, device, FIFO or socket).
    public var isRegularFile: Bool

    /// A status from parts; a regular file unless `isDirectory` (or `isRegularFile: false`) says otherwise.
    public init(ownerID: UInt32, mode: UInt16, isDirectory: Bool = false, isRegularFile: Bool? = nil) {
        self.ownerID = ownerID
        self.mode = mode
        self.isDirectory = isDirectory
        self.isRegularFile = isRegularFile ?? !isDirectory
    }
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
