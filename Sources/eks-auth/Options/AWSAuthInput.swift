import AWSConfiguration
import EKSAuthCore
import EKSAuthSystem

/// The aws-auth ConfigMap text an `--aws-auth` flag names (`explain`, `doctor`): a file, or `-` for stdin.
enum AWSAuthInput {
    /// The text of `path`, or of stdin for `-`.
    /// - Throws: `ConfigError.unreadableFile` when it cannot be read (or stdin is over 1 MiB).
    static func read(_ path: String, _ live: LiveSystem) throws -> String {
        if path == "-" {
            do {
                return try StandardInput.read(limit: StandardInput.configMapLimit)
            } catch {
                throw ConfigError.unreadableFile(
                    path: "stdin", reason: "longer than \(StandardInput.configMapLimit) bytes (a ConfigMap holds 1 MiB)"
                )
            }
        }
        do {
            guard let bytes = try live.context.fileSystem.read(path) else {
                throw ConfigError.unreadableFile(path: path, reason: "No such file or directory")
            }
            return String(decoding: bytes, as: UTF8.self)
        } catch let error as FileSystemError {
            throw ConfigError.unreadableFile(path: error.path, reason: error.reason)
        }
    }
}
