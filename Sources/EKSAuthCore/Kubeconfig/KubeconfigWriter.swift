import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem
import Yams

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
        var root: Node.Mapping
        if let existing, !existing.trimmingWhitespace().isEmpty {
            guard let node = try? Yams.compose(yaml: existing), let mapping = node.mapping else {
                throw KubeconfigError.malformed(path: path, reason: "not a YAML mapping")
            }
            // An alias bomb would be written out node by node.
            guard node.isWithinExpansionLimit else {
                throw KubeconfigError.malformed(
                    path: path, reason: "more than \(Node.maxExpandedNodes) YAML nodes once aliases are expanded")
            }
            root = mapping
        } else {
            root = [
                "apiVersion": "v1", "kind": "Config", "preferences": .mapping([:]), "clusters": .sequence([]),
                "contexts": .sequence([]), "users": .sequence([]),
            ]
        }
        let clusterEntry: Node = .mapping([
            "name": text(names.cluster),
            "cluster": .mapping([
                "certificate-authority-data": text(cluster.certificateAuthorityData),
                "server": text(cluster.endpoint),
            ]),
        ])
        let userEntry: Node = .mapping([
            "name": text(names.user),
            "user": .mapping([
                "exec": .mapping([
                    "apiVersion": text(execAPIVersion),
                    "command": text(exec.command),
                    "args": .sequence(Node.Sequence(exec.args.map(text))),
                    "interactiveMode": text(exec.interactiveMode),
                    "installHint": text(exec.installHint),
                    "provideClusterInfo": Node("false", Tag(.bool)),
                ])
            ]),
        ])
        let contextEntry: Node = .mapping([
            "name": text(names.context),
            "context": .mapping(["cluster": text(names.cluster), "user": text(names.user)]),
        ])
        try upsert(clusterEntry, named: names.cluster, into: "clusters", of: &root, path: path)
        try upsert(userEntry, named: names.user, into: "users", of: &root, path: path)
        try upsert(contextEntry, named: names.context, into: "contexts", of: &root, path: path)
        root["current-context"] = text(names.context)
        do {
            return try Yams.serialize(node: .mapping(root), width: -1)
        } catch {
            throw KubeconfigError.malformed(path: path, reason: "cannot be written back as YAML")
        }
    }

    /// Replaces the entry of `list` whose `name` is `name`, or appends it.
    static func upsert(_ entry: Node, named name: String, into list: String, of root: inout Node.Mapping, path: String)
        throws
    {
        var items: Node.Sequence
        switch root[list] {
        case nil: items = []
        case .some(.scalar(let scalar)) where ["", "null", "~"].contains(scalar.string): items = []
        case .some(.sequence(let sequence)): items = sequence
        default: throw KubeconfigError.malformed(path: path, reason: "'\(list)' is not a list")
        }
        if let index = items.firstIndex(where: { $0.mapping?["name"]?.string == name }) {
            items[index] = entry
        } else {
            items.append(entry)
        }
        root[list] = .sequence(items)
    }

    /// A string scalar that reads back as a string, quoted when it would otherwise look like a
    /// number, boolean or null (kubectl's decoder rejects those where it expects strings).
    static func text(_ value: String) -> Node {
        let plain = Node(value)
        let resolved = Resolver.default.resolveTag(of: plain)
        return resolved == .str ? plain : Node(value, Tag(.str), .doubleQuoted)
    }
}

/// Problems with the kubeconfig file.
public enum KubeconfigError: EKSAuthError, Equatable {
    /// The file is not a kubeconfig we can merge into.
    case malformed(path: String, reason: String)
    /// It could not be written.
    case cannotWrite(path: String, reason: String)

    public var message: String {
        switch self {
        case .malformed(let path, let reason): return "cannot merge into \(path): \(reason)"
        case .cannotWrite(let path, let reason): return "cannot write \(path): \(reason)"
        }
    }

    public var kind: FailureKind { .badInput }
}
