import AWSConfiguration
import EKSAuthSystem

/// An EKS access entry: what `aws eks describe-access-entry` returns under `accessEntry`, with the
/// policies `aws eks list-associated-access-policies` returns under `associatedAccessPolicies`.
///
/// Source: the EKS API reference (`AccessEntry`, `AssociatedAccessPolicy`, `AccessScope`) and the EKS
/// user guide's "Create access entries" page.
public struct AccessEntry: Sendable, Equatable, Codable {
    /// The IAM principal: a user or role ARN, a role's path included (unlike aws-auth).
    public var principalArn: String
    /// The Kubernetes groups RBAC bindings name; none may start with `system:`.
    public var kubernetesGroups: [String]
    /// The Kubernetes user name template; nil lets EKS choose (see `effectiveUsername`).
    public var username: String?
    /// `STANDARD` for people and tools; `EC2_LINUX`, `EC2_WINDOWS`, `FARGATE_LINUX`, `HYBRID_LINUX`,
    /// `EC2` (Auto Mode) or `HYPERPOD_LINUX` for nodes.
    public var type: String
    /// The access policies associated with the entry.
    public var associatedAccessPolicies: [AssociatedAccessPolicy]
    /// The entry's tags (`eks-auth:migrated-from` marks the entries `migrate` created).
    public var tags: [String: String]

    enum CodingKeys: String, CodingKey {
        case principalArn, kubernetesGroups, username, type, associatedAccessPolicies, tags
    }

    /// An entry from parts.
    public init(
        principalArn: String, kubernetesGroups: [String] = [], username: String? = nil, type: String = "STANDARD",
        associatedAccessPolicies: [AssociatedAccessPolicy] = [], tags: [String: String] = [:]
    ) {
        self.principalArn = principalArn
        self.kubernetesGroups = kubernetesGroups
        self.username = username
        self.type = type
        self.associatedAccessPolicies = associatedAccessPolicies
        self.tags = tags
    }

    /// Reads the API's shape; every member but `principalArn` may be missing.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        principalArn = try container.decode(String.self, forKey: .principalArn)
        kubernetesGroups = try container.decodeIfPresent([String].self, forKey: .kubernetesGroups) ?? []
        username = try container.decodeIfPresent(String.self, forKey: .username)
        type = try container.decodeIfPresent(String.self, forKey: .type) ?? "STANDARD"
        associatedAccessPolicies =
            try container.decodeIfPresent([AssociatedAccessPolicy].self, forKey: .associatedAccessPolicies) ?? []
        tags = (try? container.decodeIfPresent([String: String].self, forKey: .tags)) ?? [:]
    }

    /// Whether the entry is for nodes rather than people.
    public var isNode: Bool { type != "STANDARD" }

    /// The user name the entry gives: its own, else what EKS generates — the user ARN for users; for
    /// roles `arn:P:sts::A:assumed-role/NAME/{{SessionName}}`, the role's path dropped (EKS user guide,
    /// "Set a custom username"); for node entries `system:node:{{EC2PrivateDNSName}}` (Fargate:
    /// `system:node:{{SessionName}}`).
    public var effectiveUsername: String {
        if let username, !username.isEmpty { return username }
        switch type {
        case "STANDARD": break
        case "FARGATE_LINUX": return "system:node:{{SessionName}}"
        default: return "system:node:{{EC2PrivateDNSName}}"
        }
        guard let arn = ARN(principalArn), arn.resource.hasPrefix("role/") else { return principalArn }
        let name = arn.resource.split(separator: "/").last.map(String.init) ?? ""
        return "arn:\(arn.partition):sts::\(arn.account):assumed-role/\(name)/{{SessionName}}"
    }

    /// The groups the entry gives: node entries get the node groups EKS adds, others their own.
    public var effectiveGroups: [String] {
        switch type {
        case "STANDARD": return kubernetesGroups
        case "FARGATE_LINUX": return ["system:bootstrappers", "system:nodes", "system:node-proxier"]
        default: return ["system:bootstrappers", "system:nodes"]
        }
    }
}

/// An access policy associated with an access entry, and where it applies.
public struct AssociatedAccessPolicy: Sendable, Equatable, Codable {
    /// `arn:P:eks::aws:cluster-access-policy/NAME`.
    public var policyArn: String
    /// Where the policy applies.
    public var accessScope: AccessScope

    /// A policy from parts.
    public init(policyArn: String, accessScope: AccessScope = AccessScope()) {
        self.policyArn = policyArn
        self.accessScope = accessScope
    }

    /// The policy's short name, e.g. `AmazonEKSViewPolicy`.
    public var policyName: String {
        policyArn.split(separator: "/").last.map(String.init) ?? policyArn
    }

    /// The ARN of the EKS access policy `name` in `partition`.
    public static func policyARN(_ name: String, partition: String) -> String {
        "arn:\(partition):eks::aws:cluster-access-policy/\(name)"
    }
}

/// Where an access policy applies: the whole cluster, or some namespaces.
public struct AccessScope: Sendable, Equatable, Codable {
    /// `cluster` or `namespace`.
    public var type: String
    /// The namespaces, for a `namespace` scope (a trailing `*` is a prefix match).
    public var namespaces: [String]

    enum CodingKeys: String, CodingKey { case type, namespaces }

    /// A scope from parts; the default is the whole cluster.
    public init(type: String = "cluster", namespaces: [String] = []) {
        self.type = type
        self.namespaces = namespaces
    }

    /// Reads the API's shape.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        type = try container.decodeIfPresent(String.self, forKey: .type) ?? "cluster"
        namespaces = try container.decodeIfPresent([String].self, forKey: .namespaces) ?? []
    }

    /// `cluster-wide`, or `namespaces a, b`.
    public var text: String {
        type == "namespace" ? "namespaces \(namespaces.joined(separator: ", "))" : "cluster-wide"
    }
}

/// A cluster's `accessConfig.authenticationMode`: which mappings the cluster reads.
public enum AuthenticationMode: String, Sendable, Equatable, CaseIterable, Codable {
    /// aws-auth only (the default for clusters created through the API before access entries).
    case configMap = "CONFIG_MAP"
    /// Access entries first, then aws-auth.
    case apiAndConfigMap = "API_AND_CONFIG_MAP"
    /// Access entries only.
    case api = "API"

    /// Whether aws-auth is read.
    public var readsConfigMap: Bool { self != .api }
    /// Whether access entries are read.
    public var readsAccessEntries: Bool { self != .configMap }
}
