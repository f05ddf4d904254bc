import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem
import YAMLDocument

/// The `users[].user.exec` block that runs eks-auth.
public struct ExecPlugin: Sendable, Equatable {
    /// The program kubectl runs.
    public var command: String
    /// Its arguments.
    public var args: [String]
    /// `IfAvailable` lets an MFA prompt reach the terminal when kubectl has one.
    public var interactiveMode: String
    /// What kubectl prints when the program is missing.
    public var installHint: String

    /// A block from parts.
    public init(command: String, args: [String], interactiveMode: String = "IfAvailable", installHint: String) {
        self.command = command
        self.args = args
        self.interactiveMode = interactiveMode
        self.installHint = installHint
    }
}

/// Names of the three kubeconfig entries written for a cluster.
public struct KubeconfigNames: Sendable, Equatable {
    /// The `clusters[]` entry.
    public var cluster: String
    /// The `users[]` entry.
    public var user: String
    /// The `contexts[]` entry, made current.
    public var context: String

    /// Names from parts.
    public init(cluster: String, user: String, context: String) {
        self.cluster = cluster
        self.user = user
        self.context = context
    }
}

/// Adds or updates a cluster's entries in a kubeconfig, keeping every other entry, key and order.
public enum KubeconfigWriter {
    /// The exec API version written: accepted by every kubectl still in support.
    public static let execAPIVersion = ExecAPIVersion.v1beta1.rawValue

    /// `existing` (nil or empty for a new file) with the cluster, user and context entries for
    /// `cluster` added or replaced by name, and the context made current.
    /// - Throws: `KubeconfigError.malformed` when `existing` is not a kubeconfig.
    public static func merge(
        existing: String?, path: String, cluster: ClusterInfo, names: KubeconfigNames, exec: ExecPlugin
    ) throws -> String {
        var replaced: [String] = []
        return try merge(
            existing: existing, path: path, cluster: cluster, names: names, exec: exec, replaced: &replaced)
    }

    /// As `merge(existing:path:cluster:names:exec:)`, adding to `replaced` each existing entry that
    /// had the same name but different contents (`users entry 'NAME'`), so that the caller can say so:
    /// a context elsewhere in the file may use it.
    public static func merge(
        existing: String?, path: String, cluster: ClusterInfo, names: KubeconfigNames, exec: ExecPlugin,
        replaced: inout [String]
    ) throws -> String {
        var outcome = Outcome.added
        return try merge(
            existing: existing, path: path, cluster: cluster, names: names, exec: exec, replaced: &replaced,
            outcome: &outcome)
    }

    /// The kubeconfig's root mapping: a new, empty kubeconfig for a missing or blank file.
    /// - Throws: `KubeconfigError.malformed` when the text is not YAML, or not a mapping.
    static func root(of existing: String?, path: String) throws -> YAMLMapping {
        guard let existing, !existing.trimmingWhitespace().isEmpty else {
            return [
                "apiVersion": "v1", "kind": "Config", "preferences": .mapping([:]), "clusters": .sequence([]),
                "contexts": .sequence([]), "users": .sequence([]),
            ]
        }
        let node: YAMLNode?
        do {
            node = try YAML.compose(existing)
        } catch {
            throw KubeconfigError.malformed(path: path, reason: "not YAML: \(error.message)")
        }
        guard let mapping = node?.mapping else {
            throw KubeconfigError.malformed(path: path, reason: "not a YAML mapping")
        }
        return mapping
    }

    /// Whether the user `name` of `root` runs eks-auth (its exec command's last path part): an entry
    /// eks-auth wrote.
    static func runsEKSAuth(user name: String, in root: YAMLMapping) -> Bool {
        guard let user = (root["users"]?.sequence ?? []).first(where: { $0["name"]?.scalar?.text == name }),
            let command = user["user"]?["exec"]?["command"]?.scalar?.text
        else { return false }
        return command.split(separator: "/").last == "eks-auth"
    }

    /// As `merge(existing:path:cluster:names:exec:replaced:)`, also setting `outcome`: `added` when the
    /// context is new, `unchanged` when every entry and the current context were already as written
    /// (styles, quoting and key order aside), else `updated`.
    public static func merge(
        existing: String?, path: String, cluster: ClusterInfo, names: KubeconfigNames, exec: ExecPlugin,
        replaced: inout [String], outcome: inout Outcome
    ) throws -> String {
        var root = try Self.root(of: existing, path: path)
        // Every value but provideClusterInfo is a string node: written quoted where plain it would read
        // as a number, boolean or null (kubectl's decoder rejects those where it expects strings).
        let clusterEntry: YAMLNode = .mapping([
            "name": YAMLNode(names.cluster),
            "cluster": .mapping([
                "certificate-authority-data": YAMLNode(cluster.certificateAuthorityData),
                "server": YAMLNode(cluster.endpoint),
            ]),
        ])
        let userEntry: YAMLNode = .mapping([
            "name": YAMLNode(names.user),
            "user": .mapping([
                "exec": .mapping([
                    "apiVersion": YAMLNode(execAPIVersion),
                    "command": YAMLNode(exec.command),
                    "args": .sequence(YAMLSequence(exec.args.map { YAMLNode($0) })),
                    "interactiveMode": YAMLNode(exec.interactiveMode),
                    "installHint": YAMLNode(exec.installHint),
                    "provideClusterInfo": .scalar(YAMLScalar("false", tag: .bool)),
                ])
            ]),
        ])
        let contextEntry: YAMLNode = .mapping([
            "name": YAMLNode(names.context),
            "context": .mapping(["cluster": YAMLNode(names.cluster), "user": YAMLNode(names.user)]),
        ])
        var changed = root["current-context"]?.scalar?.text != names.context
        outcome = .updated
        for (entry, name, list) in [
            (clusterEntry, names.cluster, "clusters"), (userEntry, names.user, "users"),
            (contextEntry, names.context, "contexts"),
        ] {
            switch try upsert(entry, named: name, into: list, of: &root, path: path) {
            case .same: continue
            case .appended: if list == "contexts" { outcome = .added }
            case .replaced: replaced.append("\(list) entry '\(name)'")
            }
            changed = true
        }
        if !changed { outcome = .unchanged }
        root["current-context"] = YAMLNode(names.context)
        do {
            return try YAML.serialize(.mapping(root))
        } catch {
            throw KubeconfigError.malformed(path: path, reason: "cannot be written back as YAML")
        }
    }

    /// What `upsert` did.
    enum Upsert { case appended, replaced, same }

    /// Replaces the entry of `list` whose `name` is `name`, or appends it; says whether it appended, replaced
    /// an entry of that name with other contents, or found the same one.
    static func upsert(
        _ entry: YAMLNode, named name: String, into list: String, of root: inout YAMLMapping, path: String
    ) throws -> Upsert {
        var items: YAMLSequence
        switch root[list] {
        case nil: items = []
        case .some(.scalar(let scalar)) where ["", "null", "~"].contains(scalar.text): items = []
        case .some(.sequence(let sequence)): items = sequence
        default: throw KubeconfigError.malformed(path: path, reason: "'\(list)' is not a list")
        }
        // By text, whatever type it reads as: a cluster named 123 is the entry written `name: 123`.
        let result: Upsert
        if let index = items.firstIndex(where: { $0["name"]?.scalar?.text == name }) {
            result = sameEntry(items[index], entry) ? .same : .replaced
            items[index] = entry
        } else {
            items.append(entry)
            result = .appended
        }
        root[list] = .sequence(items)
        return result
    }

    /// What a merge did, for the message: the context is new, it (or its cluster or user) changed, or the
    /// file already said all of it (then nothing is written).
    public enum Outcome: Sendable, Equatable {
        case added, updated, unchanged
    }

    /// Whether two entries say the same: the same keys with the same texts, styles and order aside.
    static func sameEntry(_ a: YAMLNode, _ b: YAMLNode) -> Bool {
        switch (a, b) {
        case (.scalar(let x), .scalar(let y)): return x.text == y.text
        case (.sequence(let x), .sequence(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { sameEntry($0, $1) }
        case (.mapping(let x), .mapping(let y)):
            let xKeys = x.map { $0.key.scalar?.text ?? "" }, yKeys = y.map { $0.key.scalar?.text ?? "" }
            guard Set(xKeys) == Set(yKeys), xKeys.count == yKeys.count else { return false }
            return x.allSatisfy { pair in
                guard let key = pair.key.scalar?.text, let other = y[key] else { return false }
                return sameEntry(pair.value, other)
            }
        default: return false
        }
    }
}

/// Problems with the kubeconfig file.
public enum KubeconfigError: EKSAuthError, Equatable {
    /// The file is not a kubeconfig we can merge into.
    case malformed(path: String, reason: String)
    /// The existing file could not be read (to merge into).
    case cannotRead(path: String, reason: String)
    /// It could not be written.
    case cannotWrite(path: String, reason: String)

    public var message: String {
        switch self {
        case .malformed(let path, let reason): return "cannot merge into \(path): \(reason)"
        case .cannotRead(let path, let reason): return "cannot read \(path) to merge into it: \(reason)"
        case .cannotWrite(let path, let reason): return "cannot write \(path): \(reason)"
        }
    }

    /// Where else the kubeconfig can go, and how to look at it first.
    public var hint: String? {
        switch self {
        case .malformed:
            return "check it with 'kubectl config view --kubeconfig FILE', or write another file with --kubeconfig"
        case .cannotRead, .cannotWrite:
            return "write another file with --kubeconfig PATH (or the first file of KUBECONFIG), "
                + "or see the result with --dry-run"
        }
    }

    public var kind: FailureKind { .badInput }
}
