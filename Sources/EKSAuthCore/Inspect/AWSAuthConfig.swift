import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem
import Yams

/// One entry of `mapRoles` or `mapUsers` in the aws-auth ConfigMap.
public struct AWSAuthEntry: Sendable, Equatable {
    /// `mapRoles` or `mapUsers`.
    public var list: String
    /// Its position in that list, from 0.
    public var index: Int
    /// `rolearn` or `userarn`, trimmed; nil for an SSO entry.
    public var arn: String?
    /// The `sso` matcher of a mapRoles entry: permission set, account and partition.
    public var sso: (permissionSetName: String, accountID: String, partition: String)?
    /// The Kubernetes user name template.
    public var username: String
    /// The Kubernetes group templates.
    public var groups: [String]

    public static func == (lhs: AWSAuthEntry, rhs: AWSAuthEntry) -> Bool {
        lhs.list == rhs.list && lhs.index == rhs.index && lhs.arn == rhs.arn && lhs.username == rhs.username
            && lhs.groups == rhs.groups && lhs.sso?.permissionSetName == rhs.sso?.permissionSetName
            && lhs.sso?.accountID == rhs.sso?.accountID && lhs.sso?.partition == rhs.sso?.partition
    }

    /// Where the entry is, e.g. `mapRoles[2]`.
    public var location: String { "\(list)[\(index)]" }
}

/// The aws-auth ConfigMap, read as aws-iam-authenticator reads it.
public struct AWSAuthConfig: Sendable, Equatable {
    /// mapRoles then mapUsers entries that the authenticator accepts.
    public var entries: [AWSAuthEntry]
    /// `mapAccounts`.
    public var accounts: [String]
    /// Entries or values the authenticator would reject or skip, with why.
    public var problems: [String]

    /// Parses the YAML (or JSON) of `kubectl get configmap aws-auth -n kube-system -o yaml`, or just its
    /// `data` block; keys inside the entries match case-insensitively, as the authenticator's decoder does.
    /// - Throws: `InspectError.unreadableAWSAuth`.
    public static func parse(_ text: String, source: String) throws -> AWSAuthConfig {
        let root: Any?
        do {
            root = try load(text)
        } catch is NonScalarKey {
            throw InspectError.unreadableAWSAuth(source: source, reason: "a mapping key is not a string")
        } catch is TooManyNodes {
            throw InspectError.unreadableAWSAuth(
                source: source, reason: "more than \(Node.maxExpandedNodes) YAML nodes once aliases are expanded")
        } catch {
            throw InspectError.unreadableAWSAuth(source: source, reason: "not YAML")
        }
        guard let document = root as? [String: Any] else {
            throw InspectError.unreadableAWSAuth(source: source, reason: "expected a ConfigMap")
        }
        let data = (document["data"] as? [String: Any]) ?? document
        guard data["mapRoles"] != nil || data["mapUsers"] != nil || data["mapAccounts"] != nil else {
            throw InspectError.unreadableAWSAuth(source: source, reason: "no data.mapRoles, mapUsers or mapAccounts")
        }
        var config = AWSAuthConfig(entries: [], accounts: [], problems: [])
        for list in ["mapRoles", "mapUsers"] {
            guard let value = data[list] else { continue }
            let items: [Any]
            if let string = value as? String {
                guard !string.trimmingWhitespace().isEmpty else { continue }
                guard let parsed = try? load(string) else {
                    config.problems.append("\(list) is not valid YAML; the authenticator rejects the whole ConfigMap")
                    continue
                }
                items = (parsed as? [Any]) ?? []
                if parsed != nil, !(parsed is [Any]) { config.problems.append("\(list) is not a YAML list") }
            } else if let array = value as? [Any] {
                items = array
            } else {
                config.problems.append("\(list) is neither a string nor a list")
                continue
            }
            for (index, item) in items.enumerated() {
                config.add(item, list: list, index: index)
            }
        }
        if data["mapAccounts"] != nil {
            // Account ids are read as the text written: YAML would turn 012345678901 into a number.
            let node = try? Yams.compose(yaml: text)
            let dataNode = node?.mapping?["data"] ?? node
            let accountsNode = dataNode?.mapping?["mapAccounts"]
            var values: [String] = []
            if let string = accountsNode?.scalar?.string, let inner = try? Yams.compose(yaml: string) {
                values = inner.sequence?.compactMap { $0.scalar?.string } ?? []
            } else if let sequence = accountsNode?.sequence {
                values = sequence.compactMap { $0.scalar?.string }
            }
            for value in values {
                let account = value.trimmingWhitespace()
                if account.count == 12, account.allSatisfy(\.isNumber) {
                    config.accounts.append(account)
                } else if !account.isEmpty {
                    config.problems.append("mapAccounts value '\(account)' is not a 12-digit account id")
                }
            }
        }
        return config
    }

    /// `text` as YAML values (nil for an empty document), like `Yams.load`, which traps on a mapping
    /// key that is not a scalar (`{[a]: b}`, found by fuzzing) and builds every node of an alias bomb:
    /// such documents are refused first.
    /// - Throws: when `text` is not YAML, has such a key or expands to too many nodes.
    static func load(_ text: String) throws -> Any? {
        guard let node = try Yams.compose(yaml: text) else { return nil }
        guard node.isWithinExpansionLimit else { throw TooManyNodes() }
        guard hasOnlyScalarKeys(node) else { throw NonScalarKey() }
        return try Yams.load(yaml: text)
    }

    struct NonScalarKey: Error {}
    struct TooManyNodes: Error {}

    /// Whether every mapping key in `node` is a scalar.
    static func hasOnlyScalarKeys(_ node: Node) -> Bool {
        switch node {
        case .scalar, .alias: return true
        case .sequence(let items): return items.allSatisfy(hasOnlyScalarKeys)
        case .mapping(let pairs):
            return pairs.allSatisfy { pair in
                if case .scalar = pair.key { return hasOnlyScalarKeys(pair.value) }
                return false
            }
        }
    }

    private mutating func add(_ item: Any, list: String, index: Int) {
        guard let raw = item as? [String: Any] else {
            problems.append("\(list)[\(index)] is not a mapping; skipped")
            return
        }
        var fields: [String: Any] = [:]
        for (key, value) in raw { fields[key.lowercased()] = value }
        let arnKey = list == "mapRoles" ? "rolearn" : "userarn"
        // Not trimmed: the server compares the text as written (a quoted " arn…" never matches).
        let arn = (fields[arnKey] as? String).flatMap { $0.trimmingWhitespace().isEmpty ? nil : $0 }
        var sso: (String, String, String)?
        if list == "mapRoles", let block = fields["sso"] as? [String: Any] {
            var s: [String: String] = [:]
            for (key, value) in block { s[key.lowercased()] = "\(value)".trimmingWhitespace() }
            if let set = s["permissionsetname"], let account = s["accountid"] {
                sso = (set, account, s["partition"] ?? "aws")
            }
        }
        if let arn, !arn.isEmpty, sso != nil {
            problems.append("\(list)[\(index)] has both \(arnKey) and sso; the authenticator rejects it")
            return
        }
        guard (arn.map { !$0.isEmpty } ?? false) || sso != nil else {
            problems.append(
                "\(list)[\(index)] has no \(arnKey)\(list == "mapRoles" ? " or sso" : ""); the authenticator rejects it"
            )
            return
        }
        if let arn, !arn.isEmpty, arn.contains(":assumed-role/") {
            problems.append(
                "\(list)[\(index)] \(arnKey) is an assumed-role session ARN; write the role ARN "
                    + "(\(ARN.canonical(arn) ?? "arn:aws:iam::ACCOUNT:role/NAME")) instead")
        }
        let groups: [String]
        if let list = fields["groups"] as? [Any] {
            groups = list.map { "\($0)".trimmingWhitespace() }
        } else if let single = fields["groups"] as? String {
            groups = [single.trimmingWhitespace()]
        } else {
            groups = []
        }
        entries.append(
            AWSAuthEntry(
                list: list, index: index, arn: arn?.isEmpty == false ? arn : nil,
                sso: sso.map { (permissionSetName: $0.0, accountID: $0.1, partition: $0.2) },
                username: ((fields["username"] as? String) ?? "").trimmingWhitespace(), groups: groups))
    }
}

/// Problems reading the inputs of `explain`.
public enum InspectError: EKSAuthError, Equatable {
    /// The aws-auth document cannot be used.
    case unreadableAWSAuth(source: String, reason: String)
    /// The ARN given is not one the authenticator can map.
    case unmappableARN(String)

    public var message: String {
        switch self {
        case .unreadableAWSAuth(let source, let reason):
            return "cannot read the aws-auth ConfigMap from \(source): \(reason)"
        case .unmappableARN(let arn):
            return "'\(arn)' is not an IAM user, role, root, assumed-role or federated-user ARN"
        }
    }

    public var hint: String? {
        switch self {
        case .unreadableAWSAuth:
            return "save it with 'kubectl get configmap aws-auth -n kube-system -o yaml > aws-auth.yaml'"
        case .unmappableARN: return "'aws sts get-caller-identity' prints the ARN to use"
        }
    }

    public var kind: FailureKind { .badInput }
}
