import AWSConfiguration
import EKSAuthSystem
import YAMLDocument

/// The words a shell completes a flag's value with: profile names from the shared config and
/// credentials files, cluster, context and user names from the kubeconfig.
///
/// The files are read through the readers the commands use (`SharedConfig`, the kubeconfig's YAML
/// composer with its limits), so completion offers exactly the names `token` and `kubeconfig` would
/// accept. Completion runs on every TAB: a file that is missing, unreadable or malformed gives no
/// candidates and no message, and only names are returned, never a value (a secret key or token is
/// never a name). Candidates are bounded in count and length and hold no control characters, which
/// would break the newline-separated answer the shell reads, nor characters the shell would expand.
public struct CompletionCandidates: Sendable {
    /// The most candidates returned for one flag.
    public static let maximumCount = 1_000
    /// The longest candidate, in UTF-8 bytes; longer names are left out.
    public static let maximumLength = 512
    /// The most KUBECONFIG entries read, as kubectl merges them.
    static let maximumKubeconfigFiles = 16

    let environment: Environment
    let fileSystem: FileSystem

    /// Candidates read from `fileSystem`, with the paths and home that `environment` gives.
    public init(environment: Environment, fileSystem: FileSystem) {
        self.environment = environment
        self.fileSystem = fileSystem
    }

    /// Every profile name of `~/.aws/config` and `~/.aws/credentials` (or `AWS_CONFIG_FILE` and
    /// `AWS_SHARED_CREDENTIALS_FILE`), in the order `eks-auth config list-profiles` prints them.
    public func profiles() -> [String] {
        guard let config = try? SharedConfig.load(environment: environment, fileSystem: fileSystem) else { return [] }
        return Self.bounded(config.profileNames)
    }

    /// The EKS cluster names the kubeconfig knows: the last part of each cluster entry named by an EKS
    /// cluster ARN (`arn:aws:eks:REGION:ACCOUNT:cluster/NAME`, as `eks-auth kubeconfig` and
    /// `aws eks update-kubeconfig` name them), then the value of each exec block's `--cluster-name`,
    /// `--cluster-id` or `-i` argument.
    /// - Parameter kubeconfig: a `--kubeconfig` given on the command line, else KUBECONFIG's files or `~/.kube/config`.
    public func clusterNames(kubeconfig: String? = nil) -> [String] {
        var names: [String] = []
        for root in documents(kubeconfig: kubeconfig) {
            for entry in Self.entries(root, "clusters") {
                guard let name = entry["name"]?.scalar?.text, let arn = ARN(name), arn.service == "eks",
                    arn.resourceSegments.count == 2, arn.resourceSegments[0] == "cluster"
                else { continue }
                names.append(arn.resourceSegments[1])
            }
            for entry in Self.entries(root, "users") {
                let args = entry["user"]?["exec"]?["args"]?.sequence?.items.compactMap { $0.scalar?.text } ?? []
                names += Self.clusterArguments(args)
            }
        }
        return Self.bounded(names)
    }

    /// The context names of the kubeconfig (for `--alias`), in file order.
    /// - Parameter kubeconfig: as for `clusterNames(kubeconfig:)`.
    public func contextNames(kubeconfig: String? = nil) -> [String] {
        Self.bounded(
            documents(kubeconfig: kubeconfig).flatMap { root in
                Self.entries(root, "contexts").compactMap { $0["name"]?.scalar?.text }
            })
    }

    /// The user entry names of the kubeconfig (for `--user-alias`), in file order.
    /// - Parameter kubeconfig: as for `clusterNames(kubeconfig:)`.
    public func userNames(kubeconfig: String? = nil) -> [String] {
        Self.bounded(
            documents(kubeconfig: kubeconfig).flatMap { root in
                Self.entries(root, "users").compactMap { $0["name"]?.scalar?.text }
            })
    }

    /// The value of `--kubeconfig` (or `--kubeconfig=FILE`) among the shell words of a command line,
    /// with surrounding quotes taken off; nil when none is given.
    public static func kubeconfigFlag(in words: [String]) -> String? {
        var found: String?
        for (index, word) in words.enumerated() {
            if word == "--kubeconfig", index + 1 < words.count {
                found = words[index + 1]
            } else if word.hasPrefix("--kubeconfig=") {
                found = String(word.dropFirst("--kubeconfig=".count))
            }
        }
        guard var path = found else { return nil }
        // The shell hands the words over as typed: quotes around a path are still there.
        if path.count >= 2, let first = path.first, first == "'" || first == "\"", path.last == first {
            path = String(path.dropFirst().dropLast())
        }
        return path.isEmpty ? nil : path
    }

    /// The kubeconfig files' top-level mappings: `kubeconfig`, else each KUBECONFIG entry, else
    /// `~/.kube/config`. Files that cannot be read or are not YAML mappings are left out.
    func documents(kubeconfig: String?) -> [YAMLMapping] {
        kubeconfigPaths(kubeconfig).compactMap { path in
            guard let bytes = try? fileSystem.read(path),
                let text = String(validating: bytes, as: UTF8.self),
                let node = try? YAML.compose(text)
            else { return nil }
            return node.mapping
        }
    }

    /// The files kubectl would read (`--kubeconfig`, else KUBECONFIG's entries, else `~/.kube/config`).
    func kubeconfigPaths(_ flag: String?) -> [String] {
        if let flag, !flag.isEmpty { return [environment.expandingTilde(flag)] }
        if let list = environment["KUBECONFIG"], !list.isEmpty {
            let entries = list.split(separator: ":").prefix(Self.maximumKubeconfigFiles)
            return entries.map { environment.expandingTilde(String($0)) }
        }
        return ["\(environment.homeForFiles)/.kube/config"]
    }

    /// The mappings of the list `key` of a kubeconfig (`clusters`, `contexts`, `users`).
    static func entries(_ root: YAMLMapping, _ key: String) -> [YAMLNode] {
        root[key]?.sequence?.items.filter { $0.mapping != nil } ?? []
    }

    /// The values following `--cluster-name`, `--cluster-id` and `-i` (or joined with `=`) in an
    /// exec block's arguments: eks-auth's, `aws eks get-token`'s and aws-iam-authenticator's spelling.
    static func clusterArguments(_ args: [String]) -> [String] {
        let flags = ["--cluster-name", "--cluster-id", "-i"]
        var names: [String] = []
        for (index, arg) in args.enumerated() {
            if flags.contains(arg), index + 1 < args.count {
                names.append(args[index + 1])
            } else if let flag = flags.first(where: { arg.hasPrefix($0 + "=") }) {
                names.append(String(arg.dropFirst(flag.count + 1)))
            }
        }
        return names
    }

    /// Characters no candidate may hold. The bash script of `--generate-completion-script` hands the
    /// candidates to `compgen -W`, which expands each word as the shell would: `$(…)`, backquotes and
    /// `<(…)` would run a command named in a config or kubeconfig file on TAB, `{a,b}` and `~` would
    /// offer other words. A name holding one is left out (the flag still takes it, typed by hand).
    static let shellExpanded: Set<Unicode.Scalar> = ["$", "`", "\\", "\"", "'", "{", "}", "<", ">", "~"]

    /// `names` without duplicates, empty names, over-long names, names holding a control character
    /// (C0, DEL or C1) or one the shell would expand, at most `maximumCount` of them, in their first order.
    static func bounded(_ names: [String]) -> [String] {
        var seen: Set<String> = []
        var result: [String] = []
        for name in names where !name.isEmpty && name.utf8.count <= maximumLength && !seen.contains(name) {
            guard
                !name.unicodeScalars.contains(where: {
                    $0.value < 0x20 || (0x7f...0x9f).contains($0.value) || shellExpanded.contains($0)
                })
            else { continue }
            seen.insert(name)
            result.append(name)
            if result.count == maximumCount { break }
        }
        return result
    }
}
