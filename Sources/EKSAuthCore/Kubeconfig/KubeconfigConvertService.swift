import EKSAuthSystem
import YAMLDocument

/// What `eks-auth kubeconfig convert` was asked for.
public struct KubeconfigConvertRequest: Sendable, Equatable {
    /// `--kubeconfig`: only this file (default: every KUBECONFIG file, else ~/.kube/config).
    public var kubeconfigPath: String?
    /// `--user`: only these users (default: every user).
    public var users: [String]
    /// `--dry-run`: return the diff, write nothing.
    public var dryRun: Bool
    /// `--restore`: put the backup back instead.
    public var restore: Bool

    /// A request from parts.
    public init(kubeconfigPath: String? = nil, users: [String] = [], dryRun: Bool = false, restore: Bool = false) {
        self.kubeconfigPath = kubeconfigPath
        self.users = users
        self.dryRun = dryRun
        self.restore = restore
    }
}

/// What `convert` (or `--restore`) did to one file.
public struct KubeconfigConvertFileResult: Sendable, Equatable {
    /// The kubeconfig as named (a symbolic link stays its name).
    public var path: String
    /// The conversion (nil for a restore).
    public var conversion: KubeconfigConversion?
    /// The unified diff from the file to its converted text (empty when nothing changes).
    public var diff: String = ""
    /// Where the previous text was kept (after a write), or where it came from (after a restore).
    public var backup: String?
    /// Whether the file was written.
    public var written = false
}

/// The outcome of `convert` over every file it looked at.
public struct KubeconfigConvertResult: Sendable, Equatable {
    /// Each file, in KUBECONFIG order.
    public var files: [KubeconfigConvertFileResult] = []
    /// Whether this was `--restore`.
    public var restored = false

    /// The diffs of every file, one after the other (what `--dry-run` prints).
    public var diff: String { files.map(\.diff).joined() }

    /// One line per converted user, and per file what was written and where its backup is.
    public var summary: String {
        var lines: [String] = []
        for file in files {
            if restored {
                if let backup = file.backup {
                    lines.append(
                        file.written
                            ? "Restored \(file.path) from \(backup)" : "\(file.path) is already as \(backup) has it")
                }
                continue
            }
            guard let conversion = file.conversion else { continue }
            for user in conversion.converted {
                lines.append(
                    "Converted user \(Self.shown(user.user)) in \(Self.shown(file.path)) (was \(user.peer.rawValue))")
            }
            if file.written, let backup = file.backup {
                lines.append("Wrote \(file.path); the previous file is kept at \(backup)")
            } else if conversion.converted.isEmpty {
                lines.append("Nothing to convert in \(file.path)")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// A name or reason from the file, made safe for a terminal and bounded.
    static func shown(_ text: String) -> String { TerminalText.line(text, limit: 300) }

    /// One line per user left alone, with why: the caller shows them on stderr.
    public var notes: [String] {
        files.flatMap { file in
            (file.conversion?.leftAlone ?? []).map {
                "left user \(Self.shown($0.user)) in \(Self.shown(file.path)) as it is: \(Self.shown($0.reason))"
            }
        }
    }
}

/// The core of `eks-auth kubeconfig convert`: read each kubeconfig, convert its peer exec blocks, and
/// write it back (backup first), or put the backup back.
///
/// Files: `--kubeconfig`, else every file of KUBECONFIG (the missing ones skipped, as kubectl skips
/// them), else ~/.kube/config. The backup is `FILE.eks-auth-convert.bak` next to the name given (one
/// per file; a later convert that changes the file replaces it). `--restore` writes the backup back
/// only when the file is still exactly what converting the backup gives (nothing changed since, so
/// nothing is lost), and otherwise refuses and names both files.
public struct KubeconfigConvertService: Sendable {
    /// The suffix of the backup file.
    public static let backupSuffix = ".eks-auth-convert.bak"

    let system: SystemContext

    /// A service over `system`.
    public init(system: SystemContext) {
        self.system = system
    }

    /// Converts (or restores) the files of `request`.
    /// - Throws: `KubeconfigConvertError`.
    public func run(_ request: KubeconfigConvertRequest) throws -> KubeconfigConvertResult {
        let paths = try self.paths(request.kubeconfigPath)
        var result = KubeconfigConvertResult(restored: request.restore)
        if request.restore {
            for path in paths { if let file = try restore(path) { result.files.append(file) } }
            if result.files.isEmpty {
                throw KubeconfigConvertError.noBackup(paths: paths.map { $0 + Self.backupSuffix })
            }
            return result
        }
        let only = request.users.isEmpty ? nil : Set(request.users)
        var texts: [(path: String, target: String, text: String, conversion: KubeconfigConversion)] = []
        var seen: Set<String> = []
        for path in paths {
            guard let (target, text) = try read(path, required: request.kubeconfigPath != nil) else { continue }
            let conversion = try KubeconfigConverter.convert(text, path: path, users: only)
            seen.formUnion(conversion.converted.map(\.user) + conversion.leftAlone.map(\.user))
            seen.formUnion(conversion.alreadyEKSAuth)
            seen.formUnion(Self.userNames(text))
            texts.append((path, target, text, conversion))
        }
        if texts.isEmpty {
            throw KubeconfigConvertError.cannotRead(path: paths.joined(separator: ", "), reason: "no such file")
        }
        let missing = request.users.filter { !seen.contains($0) }
        if !missing.isEmpty { throw KubeconfigConvertError.userNotFound(names: missing, paths: paths) }
        for entry in texts {
            var file = KubeconfigConvertFileResult(path: entry.path, conversion: entry.conversion)
            file.diff = UnifiedDiff.diff(
                entry.text, entry.conversion.text, oldLabel: entry.path, newLabel: entry.path + " (converted)")
            if !request.dryRun, entry.conversion.text != entry.text {
                let backup = entry.path + Self.backupSuffix
                try write(entry.text, to: backup, mode: 0o600)
                try write(entry.conversion.text, to: entry.target, mode: mode(of: entry.target))
                file.backup = backup
                file.written = true
            }
            result.files.append(file)
        }
        return result
    }

    /// Puts `path`'s backup back; nil when it has none.
    func restore(_ path: String) throws -> KubeconfigConvertFileResult? {
        let backup = path + Self.backupSuffix
        guard let saved = try readText(backup) else { return nil }
        let target = (try? system.fileSystem.resolvingSymlinks(path)) ?? path
        let current = try readText(path)
        var file = KubeconfigConvertFileResult(path: path, backup: backup)
        if current == saved { return file }
        // Safe only when the file is what converting the backup gives (every user, or the users the
        // file has in eks-auth's form and the backup has not, for `convert --user`): then it holds
        // nothing the backup lacks.
        var reconverted: [String] = []
        if let all = try? KubeconfigConverter.convert(saved, path: backup) {
            reconverted.append(all.text)
            if let current, let now = try? KubeconfigConverter.convert(current, path: path) {
                let chosen = Set(now.alreadyEKSAuth).subtracting(all.alreadyEKSAuth)
                if !chosen.isEmpty, let some = try? KubeconfigConverter.convert(saved, path: backup, users: chosen) {
                    reconverted.append(some.text)
                }
            }
        }
        guard let current, reconverted.contains(current) else {
            throw KubeconfigConvertError.changedSinceConvert(path: path, backup: backup)
        }
        try write(saved, to: target, mode: mode(of: target))
        file.written = true
        return file
    }

    /// The files to convert: `--kubeconfig`, else each KUBECONFIG entry (once each), else ~/.kube/config.
    func paths(_ flag: String?) throws -> [String] {
        let environment = system.environment
        if let flag, !flag.isEmpty { return [environment.expandingTilde(flag)] }
        if let list = environment["KUBECONFIG"] {
            var paths: [String] = []
            for entry in list.split(separator: ":") where !entry.isEmpty {
                let path = environment.expandingTilde(String(entry))
                if !paths.contains(path) { paths.append(path) }
            }
            if !paths.isEmpty { return paths }
        }
        return ["\(environment.homeForFiles)/.kube/config"]
    }

    /// The file's link target and text; nil for a missing file unless `required` (then an error).
    func read(_ path: String, required: Bool) throws -> (String, String)? {
        let target = (try? system.fileSystem.resolvingSymlinks(path)) ?? path
        if let status = try? system.fileSystem.status(of: target), !status.isRegularFile {
            throw KubeconfigConvertError.cannotRead(path: path, reason: "not a regular file")
        }
        guard let text = try readText(path) else {
            if required { throw KubeconfigConvertError.cannotRead(path: path, reason: "no such file") }
            return nil
        }
        return (target, text)
    }

    func readText(_ path: String) throws -> String? {
        do {
            return try system.fileSystem.read(path).map { String(decoding: $0, as: UTF8.self) }
        } catch let error as FileSystemError {
            throw KubeconfigConvertError.cannotRead(path: path, reason: error.reason)
        }
    }

    /// The file's permission bits (kept when it is replaced); 0600 when it cannot be read.
    func mode(of path: String) -> UInt16 {
        ((try? system.fileSystem.status(of: path))?.mode).map { $0 & 0o7777 } ?? 0o600
    }

    func write(_ text: String, to path: String, mode: UInt16) throws {
        do {
            try system.fileSystem.writeAtomically(Array(text.utf8), to: path, mode: mode)
        } catch let error as FileSystemError {
            throw KubeconfigConvertError.cannotWrite(path: error.path, reason: error.reason)
        }
    }

    /// Every `users[].name` of a kubeconfig text (for `--user` names that match nothing).
    static func userNames(_ text: String) -> [String] {
        let node = (try? YAML.compose(text)) ?? nil
        let items = node?["users"]?.sequence ?? []
        return items.compactMap { $0["name"]?.scalar?.text }
    }
}

/// Problems of `eks-auth kubeconfig convert`.
public enum KubeconfigConvertError: EKSAuthError, Equatable {
    /// The file is not a kubeconfig.
    case malformed(path: String, reason: String)
    /// The file could not be read.
    case cannotRead(path: String, reason: String)
    /// A file could not be written.
    case cannotWrite(path: String, reason: String)
    /// `--user` names a user no file has.
    case userNotFound(names: [String], paths: [String])
    /// `--restore` found no backup.
    case noBackup(paths: [String])
    /// `--restore`: the file changed since convert wrote it; putting the backup back would lose that.
    case changedSinceConvert(path: String, backup: String)

    public var message: String {
        switch self {
        case .malformed(let path, let reason): return "cannot convert \(path): \(reason)"
        case .cannotRead(let path, let reason): return "cannot read \(path): \(reason)"
        case .cannotWrite(let path, let reason): return "cannot write \(path): \(reason)"
        case .userNotFound(let names, let paths):
            return "no user \(names.joined(separator: ", ")) in \(paths.joined(separator: ", ")) (--user)"
        case .noBackup(let paths): return "no backup to restore: \(paths.joined(separator: ", ")) does not exist"
        case .changedSinceConvert(let path, let backup):
            return "\(path) changed since it was converted; restoring \(backup) would lose those changes"
        }
    }

    public var hint: String? {
        switch self {
        case .malformed: return "check it with 'kubectl config view --kubeconfig FILE'"
        case .cannotRead, .cannotWrite:
            return "name another file with --kubeconfig PATH, or see the change with --dry-run"
        case .userNotFound: return "list the users with 'kubectl config get-users'"
        case .noBackup: return "a backup is written only when convert changes a file"
        case .changedSinceConvert(let path, let backup):
            return "compare them with 'diff \(backup) \(path)' and copy what you need by hand"
        }
    }

    public var kind: FailureKind { .badInput }
}
