import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem
import YAMLDocument

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
        let root: YAMLNode?
        do {
            // A byte-order mark (Windows editors write one) is not content, as kubectl reads it.
            root = try YAML.compose(text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text)
        } catch {
            throw InspectError.unreadableAWSAuth(source: source, reason: "not YAML: \(error.message)")
        }
        guard let document = root?.mapping?.applyingMergeKeys() else {
            throw InspectError.unreadableAWSAuth(source: source, reason: "expected a ConfigMap")
        }
        let data = document["data"]?.mapping?.applyingMergeKeys() ?? document
        guard data["mapRoles"] != nil || data["mapUsers"] != nil || data["mapAccounts"] != nil else {
            throw InspectError.unreadableAWSAuth(source: source, reason: "no data.mapRoles, mapUsers or mapAccounts")
        }
        var config = AWSAuthConfig(entries: [], accounts: [], problems: [])
        for list in ["mapRoles", "mapUsers"] {
            guard let value = data[list] else { continue }
            let items: YAMLSequence
            if let string = value.string {
                guard !string.trimmingWhitespace().isEmpty else { continue }
                let parsed: YAMLNode?
                do {
                    parsed = try YAML.compose(string)
                } catch {
                    // Lines and columns count within the value's own text, as an editor of it sees them.
                    config.problems.append(
                        "\(list) is not valid YAML (its text, \(error.message)); the authenticator skips every "
                            + "entry of \(list) (the other lists still apply)")
                    continue
                }
                guard let parsed else { continue }
                items = parsed.sequence ?? []
                if parsed.sequence == nil { config.problems.append("\(list) is not a YAML list") }
            } else if let sequence = value.sequence {
                items = sequence
            } else {
                config.problems.append("\(list) is neither a string nor a list")
                continue
            }
            for (index, item) in items.enumerated() {
                config.add(item, list: list, index: index)
            }
        }
        if let accountsNode = data["mapAccounts"] {
            // Account ids are read as the text written: YAML would turn 012345678901 into a number.
            var values: [String] = []
            if let string = accountsNode.scalar?.text, let inner = try? YAML.compose(string) {
                values = inner.sequence?.compactMap { $0.scalar?.text } ?? []
            } else if let sequence = accountsNode.sequence {
                values = sequence.compactMap { $0.scalar?.text }
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

    private mutating func add(_ item: YAMLNode, list: String, index: Int) {
        guard let raw = item.mapping?.applyingMergeKeys() else {
            problems.append("\(list)[\(index)] is not a mapping; skipped")
            return
        }
        var fields: [String: YAMLNode] = [:]
        for pair in raw {
            // A repeated key (in another case) takes the later value, as Go's JSON decoder does.
            if let key = pair.key.scalar?.text { fields[key.lowercased()] = pair.value }
        }
        let arnKey = list == "mapRoles" ? "rolearn" : "userarn"
        // Not trimmed: the server compares the text as written (a quoted " arn…" never matches).
        let arn = fields[arnKey]?.string.flatMap { $0.trimmingWhitespace().isEmpty ? nil : $0 }
        var sso: (String, String, String)?
        if list == "mapRoles", let block = fields["sso"]?.mapping?.applyingMergeKeys() {
            var s: [String: String] = [:]
            for pair in block {
                if let key = pair.key.scalar?.text, let value = Self.text(of: pair.value) {
                    s[key.lowercased()] = value.trimmingWhitespace()
                }
            }
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
        var groups: [String] = []
        if let sequence = fields["groups"]?.sequence {
            for group in sequence {
                guard let text = Self.text(of: group) else {
                    problems.append("\(list)[\(index)] has a group that is a list or mapping; skipped")
                    continue
                }
                groups.append(text.trimmingWhitespace())
            }
        } else if let single = fields["groups"]?.string, !single.trimmingWhitespace().isEmpty {
            // Go's JSON decoder cannot put a string into the authenticator's []string: the entry loads
            // with no groups (aws-iam-authenticator pkg/mapper/configmap ParseMap keeps what decoded).
            problems.append(
                "\(list)[\(index)] groups is one string, not a list; the authenticator reads no groups from it "
                    + "(write groups: [\(single.trimmingWhitespace())])")
        }
        entries.append(
            AWSAuthEntry(
                list: list, index: index, arn: arn?.isEmpty == false ? arn : nil,
                sso: sso.map { (permissionSetName: $0.0, accountID: $0.1, partition: $0.2) },
                username: (fields["username"]?.string ?? "").trimmingWhitespace(), groups: groups))
    }

    /// A scalar's value as text, as a typed reading prints it: integers in decimal (`0x1F` is `31`),
    /// floats as Swift prints a Double (`1e3` is `1000.0`), booleans as `true` or `false` (`yes` is
    /// `true`), null as the empty text, anything else as written. Nil for a list or mapping.
    static func text(of node: YAMLNode) -> String? {
        guard let scalar = node.scalar else { return nil }
        switch scalar.resolvedTag {
        case .int: return scalar.int.map { String($0) } ?? scalar.text
        case .float: return scalar.double.map { "\($0)" } ?? scalar.text
        case .bool: return scalar.bool.map { "\($0)" } ?? scalar.text
        case .null: return ""
        default: return scalar.text
        }
    }
}

/// Problems reading the inputs of `explain`.
public enum InspectError: EKSAuthError, Equatable {
    /// The aws-auth document cannot be used.
    case unreadableAWSAuth(source: String, reason: String)
    /// The ARN given is not one the authenticator can map.
    case unmappableARN(String)
    /// The access entries document cannot be used.
    case unreadableAccessEntries(source: String, reason: String)

    public var message: String {
        switch self {
        case .unreadableAWSAuth(let source, let reason):
            return "cannot read the aws-auth ConfigMap from \(source): \(reason)"
        case .unmappableARN(let arn):
            return "'\(arn)' is not an IAM user, role, root, assumed-role or federated-user ARN"
        case .unreadableAccessEntries(let source, let reason):
            return "cannot read the access entries from \(source): \(reason)"
        }
    }

    public var hint: String? {
        switch self {
        case .unreadableAWSAuth:
            return "save it with 'kubectl get configmap aws-auth -n kube-system -o yaml > aws-auth.yaml'"
        case .unmappableARN: return "'aws sts get-caller-identity' prints the ARN to use"
        case .unreadableAccessEntries:
            return "save one entry with 'aws eks describe-access-entry --cluster-name CLUSTER --principal-arn ARN "
                + "--query accessEntry' and put the entries in a JSON array"
        }
    }

    public var kind: FailureKind { .badInput }
}
