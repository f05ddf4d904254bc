import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

/// What `eks-auth aws-auth add|remove` was asked to do, and where.
public struct AWSAuthEditRequest: Sendable, Equatable {
    /// Where the ConfigMap is read from and written to.
    public enum Place: Sendable, Equatable {
        /// `--file PATH`, written to `out` (nil: PATH itself, in place; `-`: stdout).
        case file(path: String, out: String?)
        /// `--file -`: text read from stdin by the caller, written to `out` (nil or `-`: stdout).
        case text(String, source: String, out: String?)
        /// `--cluster-name`: live through the cluster's Kubernetes API.
        case cluster(name: String, region: String?, profile: String?)
    }

    /// The change.
    public var edit: AWSAuthEdit
    /// Where.
    public var place: Place
    /// `--dry-run`: return a diff of the list and write nothing.
    public var dryRun: Bool

    /// A request from parts.
    public init(edit: AWSAuthEdit, place: Place, dryRun: Bool = false) {
        self.edit = edit
        self.place = place
        self.dryRun = dryRun
    }
}

/// What `eks-auth aws-auth add|remove` did.
public struct AWSAuthEditReport: Sendable, Equatable {
    /// The edit.
    public var edited: AWSAuthEdited
    /// Where the result went: a path, `stdout`, or `configmap kube-system/aws-auth of cluster NAME`.
    public var destination: String
    /// Whether anything was written (a file, or the cluster).
    public var written: Bool
    /// What belongs on stdout: the document (`--out -`), or the diff (`--dry-run`); nil otherwise.
    public var output: String?
    /// Whether this was a dry run.
    public var dryRun = false

    /// One line: what changed, and where (or that nothing was written).
    public var summary: String {
        if written { return "\(edited.summary) in \(destination)" }
        if dryRun { return "dry run, \(destination) not written: \(edited.summary)" }
        if edited.outcome == .unchanged { return "\(edited.summary); \(destination) was not written" }
        return "\(edited.summary) on \(destination)"
    }
}

/// The core of `eks-auth aws-auth add|remove`: read the ConfigMap (a file, stdin's text, or the cluster),
/// edit it with `AWSAuthEditor`, and write it back (atomically keeping a file's mode, or PUT with the
/// resourceVersion read, or POST when the cluster has none).
public struct AWSAuthService: Sendable {
    let system: SystemContext

    /// A service working through `system`.
    public init(system: SystemContext) {
        self.system = system
    }

    /// Runs `request`.
    /// - Throws: `AWSAuthEditError`, `AWSAuthLiveError`, and on the way to a cluster `ConfigError`,
    ///   `CredentialError`, `EKSError`, `AWSServiceError`.
    public func run(_ request: AWSAuthEditRequest) throws -> AWSAuthEditReport {
        switch request.place {
        case .file(let path, let out):
            let text = try read(path)
            let edited = try AWSAuthEditor.apply(request.edit, to: text, source: path)
            return try finish(edited, request: request, input: path, out: out ?? path)
        case .text(let text, let source, let out):
            guard text.utf8.count <= AWSAuthEditor.maximumBytes else {
                throw AWSAuthEditError.tooLarge(
                    source: source, bytes: text.utf8.count, limit: AWSAuthEditor.maximumBytes)
            }
            let edited = try AWSAuthEditor.apply(request.edit, to: text, source: source)
            return try finish(edited, request: request, input: nil, out: out ?? "-")
        case .cluster(let name, let region, let profile):
            return try live(request, cluster: name, region: region, profile: profile)
        }
    }

    private func read(_ path: String) throws -> String {
        do {
            if let status = try system.fileSystem.status(of: path), !status.isRegularFile {
                throw AWSAuthEditError.file(path: path, reason: "not a regular file", writing: false)
            }
            guard let bytes = try system.fileSystem.read(path) else {
                throw AWSAuthEditError.file(path: path, reason: "No such file or directory", writing: false)
            }
            guard bytes.count <= AWSAuthEditor.maximumBytes else {
                throw AWSAuthEditError.tooLarge(source: path, bytes: bytes.count, limit: AWSAuthEditor.maximumBytes)
            }
            return String(decoding: bytes, as: UTF8.self)
        } catch let error as FileSystemError {
            throw AWSAuthEditError.file(path: error.path, reason: error.reason, writing: false)
        }
    }

    private func finish(_ edited: AWSAuthEdited, request: AWSAuthEditRequest, input: String?, out: String) throws
        -> AWSAuthEditReport
    {
        // The notes say what was written ("without the path"): nothing to say when an entry is removed.
        if case .add = request.edit.action { for note in edited.notes { system.warn(note) } }
        let destination = out == "-" ? "stdout" : out
        if request.dryRun {
            return AWSAuthEditReport(
                edited: edited, destination: destination, written: false,
                output: AWSAuthDiff.unified(edited.before, edited.after, name: edited.list), dryRun: true)
        }
        if out == "-" {
            return AWSAuthEditReport(edited: edited, destination: destination, written: false, output: edited.text)
        }
        // In place, an unchanged file is left alone; another output file is written all the same.
        if edited.outcome == .unchanged, out == input {
            return AWSAuthEditReport(edited: edited, destination: destination, written: false, output: nil)
        }
        try write(edited.text, to: out, modeFrom: input)
        return AWSAuthEditReport(edited: edited, destination: destination, written: true, output: nil)
    }

    /// Writes `text` to `path` atomically, through symbolic links as kubectl writes, keeping the mode of
    /// the file replaced (else of the input file, else 0644: a ConfigMap holds no secret).
    private func write(_ text: String, to path: String, modeFrom input: String?) throws {
        let fileSystem = system.fileSystem
        do {
            let target = (try? fileSystem.resolvingSymlinks(path)) ?? path
            let existing = try fileSystem.status(of: target)
            if let existing, !existing.isRegularFile {
                throw AWSAuthEditError.file(path: path, reason: "not a regular file", writing: true)
            }
            let mode = try existing?.mode ?? input.flatMap { try fileSystem.status(of: $0)?.mode } ?? 0o644
            try fileSystem.writeAtomically(Array(text.utf8), to: target, mode: mode & 0o7777)
        } catch let error as FileSystemError {
            throw AWSAuthEditError.file(path: error.path, reason: error.reason, writing: true)
        }
    }

    private func live(_ request: AWSAuthEditRequest, cluster name: String, region: String?, profile: String?) throws
        -> AWSAuthEditReport
    {
        let cluster = try AWSAuthCluster.connect(clusterName: name, region: region, profile: profile, system: system)
        let destination = "configmap kube-system/aws-auth of cluster \(cluster.name)"
        let edited: AWSAuthEdited
        let current = try cluster.read()
        if let current {
            edited = try AWSAuthEditor.apply(request.edit, to: current.text, source: current.source)
        } else {
            guard case .add = request.edit.action else {
                if case .remove(ignoreMissing: true) = request.edit.action {
                    let target = try AWSAuthTarget.of(request.edit.subject)
                    let nothing = AWSAuthEdited(
                        text: "", outcome: .unchanged, list: target.list, key: target.key, before: "", after: "",
                        notes: [])
                    return AWSAuthEditReport(edited: nothing, destination: destination, written: false, output: nil)
                }
                throw AWSAuthLiveError.noConfigMap(cluster: cluster.name)
            }
            // Created as `eksctl` and the EKS docs write it: kube-system/aws-auth with the one list.
            edited = try AWSAuthEditor.apply(request.edit, to: AWSAuthCluster.emptyConfigMap, source: destination)
        }
        // The notes say what was written ("without the path"): nothing to say when an entry is removed.
        if case .add = request.edit.action { for note in edited.notes { system.warn(note) } }
        if request.dryRun {
            return AWSAuthEditReport(
                edited: edited, destination: destination, written: false,
                output: AWSAuthDiff.unified(edited.before, edited.after, name: edited.list), dryRun: true)
        }
        guard edited.outcome != .unchanged else {
            return AWSAuthEditReport(edited: edited, destination: destination, written: false, output: nil)
        }
        if let current {
            try cluster.replace(edited.text, readAt: current.resourceVersion)
        } else {
            try cluster.create(edited.text)
        }
        return AWSAuthEditReport(edited: edited, destination: destination, written: true, output: nil)
    }
}

extension AWSAuthCluster {
    /// The ConfigMap a cluster without aws-auth gets, before the first entry is added to it.
    static let emptyConfigMap =
        #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"aws-auth","namespace":"kube-system"},"data":{}}"#
}

/// A unified-style diff of two texts, for `--dry-run`.
public enum AWSAuthDiff {
    /// Lines of context around a change.
    static let context = 3

    /// `--- a/NAME`, `+++ b/NAME`, then one hunk (`@@ -l,n +l,n @@`) covering the changed lines between
    /// the common start and the common end, with up to three lines of context; empty when equal.
    public static func unified(_ before: String, _ after: String, name: String) -> String {
        guard before != after else { return "" }
        func split(_ text: String) -> [Substring] {
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            if lines.last == "" { lines.removeLast() }
            return lines
        }
        let old = split(before)
        let new = split(after)
        var prefix = 0
        while prefix < old.count, prefix < new.count, old[prefix] == new[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < old.count - prefix, suffix < new.count - prefix,
            old[old.count - 1 - suffix] == new[new.count - 1 - suffix]
        {
            suffix += 1
        }
        let start = max(0, prefix - context)
        let oldEnd = min(old.count, old.count - suffix + context)
        let newEnd = min(new.count, new.count - suffix + context)
        func range(_ start: Int, _ end: Int) -> String {
            let count = end - start
            return "\(count == 0 ? start : start + 1),\(count)"
        }
        var lines = ["--- a/\(name)", "+++ b/\(name)", "@@ -\(range(start, oldEnd)) +\(range(start, newEnd)) @@"]
        lines += old[start..<prefix].map { " \($0)" }
        lines += old[prefix..<(old.count - suffix)].map { "-\($0)" }
        lines += new[prefix..<(new.count - suffix)].map { "+\($0)" }
        lines += old[(old.count - suffix)..<oldEnd].map { " \($0)" }
        return lines.map { TerminalText.sanitized(String($0)) }.joined(separator: "\n") + "\n"
    }
}
