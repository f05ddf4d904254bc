import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

/// What the cluster makes of an identity through aws-auth.
public struct Explanation: Sendable, Equatable {
    /// The caller ARN explained.
    public var arn: String
    /// Its canonical form, the one entries are compared with.
    public var canonicalARN: String
    /// The matching entry, if any.
    public var entry: AWSAuthEntry?
    /// Whether the account is in `mapAccounts` (used when no entry matches).
    public var viaAccount: Bool
    /// The Kubernetes user name, templates expanded.
    public var username: String?
    /// The Kubernetes groups, templates expanded.
    public var groups: [String]
    /// Notes on templates that could not be expanded here.
    public var notes: [String]
    /// Near misses when nothing matches: entry location and why it does not match.
    public var candidates: [String]

    /// Whether the identity is mapped at all.
    public var isMapped: Bool { entry != nil || viaAccount }
}

/// Matches an identity against aws-auth as aws-iam-authenticator does, and explains near misses.
public enum AWSAuthExplainer {
    /// Explains `arn` (a caller ARN: user, role, assumed-role…) against `config`.
    /// - Parameter accessKeyID: fills `{{AccessKeyID}}` when known (from a token).
    /// - Throws: `InspectError.unmappableARN`.
    public static func explain(arn: String, accessKeyID: String? = nil, in config: AWSAuthConfig) throws -> Explanation
    {
        let (canonical, pathNote) = try callerCanonical(arn)
        let lower = canonical.lowercased()
        var result = Explanation(
            arn: arn, canonicalARN: canonical, entry: nil, viaAccount: false, username: nil, groups: [], notes: [],
            candidates: [])
        let roleEntries = config.entries.filter { $0.list == "mapRoles" }
        let userEntries = config.entries.filter { $0.list == "mapUsers" }
        // The authenticator keeps its mappings in a map keyed by the lower-cased ARN, so of two entries for
        // one ARN the later wins (aws-iam-authenticator pkg/mapper/configmap/configmap.go, saveMap).
        let match =
            roleEntries.last { $0.arn?.lowercased() == lower } ?? roleEntries.first { matchesSSO($0, canonical) }
            ?? userEntries.last { $0.arn?.lowercased() == lower }
        let account = ARN.account(canonical) ?? ""
        let session = ARN.sessionName(arn)
        if let match {
            result.entry = match
            var notes: [String] = []
            result.username = expand(
                match.username, account: account, session: session, accessKeyID: accessKeyID, notes: &notes)
            result.groups = match.groups.map {
                expand($0, account: account, session: session, accessKeyID: accessKeyID, notes: &notes)
            }
            if match.username.isEmpty {
                notes.append("the entry has no username; the authenticator rejects such entries")
            }
            if let sso = match.sso, let set = permissionSet(of: canonical),
                set.lowercased() != sso.permissionSetName.lowercased()
            {
                notes.append(
                    "the role is permission set \(set)'s, matched by the sso entry for \(sso.permissionSetName) "
                        + "because the authenticator matches AWSReservedSSO_\(sso.permissionSetName)_ as a prefix")
            }
            result.notes = Array(Set(notes)).sorted()
        } else if config.accounts.contains(account) {
            result.viaAccount = true
            result.username = canonical
            result.notes = ["mapped through mapAccounts: the user name is the canonical ARN and there are no groups"]
        } else {
            result.candidates = nearMisses(canonical: canonical, arn: arn, in: config)
        }
        if let pathNote { result.notes.insert(pathNote, at: 0) }
        return result
    }

    /// The ARN aws-auth entries are matched with, and a note when it differs from the role ARN given: a
    /// role named with its path is explained as its sessions present it, without the path.
    /// - Throws: `InspectError.unmappableARN`.
    static func callerCanonical(_ arn: String) throws -> (String, note: String?) {
        guard let canonical = ARN.canonical(arn) else { throw InspectError.unmappableARN(arn) }
        guard let parsed = ARN(canonical), parsed.isIAMRole, parsed.resourceSegments.count > 2,
            let name = parsed.resourceSegments.last
        else { return (canonical, nil) }
        let bare = "arn:\(parsed.partition):iam::\(parsed.account):role/\(name)"
        return (
            bare,
            "\(canonical) has a path, which its sessions do not carry: explained as \(bare), the ARN its tokens "
                + "are matched with"
        )
    }

    /// The permission set of an Identity Center role (`AWSReservedSSO_<set>_<16 hex>`), else nil.
    static func permissionSet(of canonical: String) -> String? {
        guard let name = canonical.split(separator: "/").last, name.hasPrefix("AWSReservedSSO_"),
            let cut = name.lastIndex(of: "_")
        else { return nil }
        let set = name[name.index(name.startIndex, offsetBy: 15)..<cut]
        return set.isEmpty ? nil : String(set)
    }

    /// Whether an `sso` entry matches: `role/AWSReservedSSO_<PermissionSet>_<suffix>` in its account.
    static func matchesSSO(_ entry: AWSAuthEntry, _ canonical: String) -> Bool {
        guard let sso = entry.sso else { return false }
        let prefix = "arn:\(sso.partition):iam::\(sso.accountID):role/awsreservedsso_\(sso.permissionSetName)_"
            .lowercased()
        return canonical.lowercased().hasPrefix(prefix)
    }

    /// Expands the authenticator's templates; notes what cannot be expanded here.
    static func expand(
        _ template: String, account: String, session: String?, accessKeyID: String?, notes: inout [String]
    ) -> String {
        var text = template
        text = text.replacingAll("{{AccountID}}", with: account)
        if text.contains("{{SessionName}}") || text.contains("{{SessionNameRaw}}") {
            if let session {
                text = text.replacingAll("{{SessionNameRaw}}", with: session)
                text = text.replacingAll("{{SessionName}}", with: session.replacingAll("@", with: "-"))
            } else {
                notes.append("{{SessionName}} is empty for callers that are not assumed roles")
                text = text.replacingAll("{{SessionNameRaw}}", with: "").replacingAll("{{SessionName}}", with: "")
            }
        }
        if text.contains("{{AccessKeyID}}") {
            if let accessKeyID {
                text = text.replacingAll("{{AccessKeyID}}", with: accessKeyID)
            } else {
                notes.append("{{AccessKeyID}} is filled from the token's access key; pass a token to see it")
            }
        }
        if text.contains("{{EC2PrivateDNSName}}") {
            notes.append("{{EC2PrivateDNSName}} is for nodes only: the instance's private DNS name, looked up by id")
        }
        return text
    }

    /// Entries that almost match, and why they do not.
    static func nearMisses(canonical: String, arn: String, in config: AWSAuthConfig) -> [String] {
        let ours = canonical.lowercased()
        let ourName = ours.split(separator: "/").last.map(String.init) ?? ""
        let ourAccount = ARN.account(ours) ?? ""
        let ourKind = ours.contains(":role/") ? "role" : ours.contains(":user/") ? "user" : "other"
        var found: [String] = []
        for entry in config.entries {
            guard let written = entry.arn?.lowercased() else { continue }
            let name = written.split(separator: "/").last.map(String.init) ?? ""
            let account = ARN.account(written) ?? ""
            if written == arn.lowercased(), written.contains(":assumed-role/") {
                found.append("\(entry.location) names the session ARN; the server matches the role ARN \(canonical)")
            } else if written.contains(":assumed-role/"), ARN.canonical(written)?.lowercased() == ours {
                found.append("\(entry.location) is an assumed-role ARN for this role; write \(canonical)")
            } else if name == ourName, account == ourAccount, written != ours,
                written.hasPrefix("arn:aws") && written.contains(":\(ourKind)/")
            {
                if written.split(separator: "/").count > 2 {
                    found.append(
                        "\(entry.location) writes the role with its path (\(entry.arn!)); session ARNs carry no "
                            + "path, so write \(canonical)")
                } else {
                    found.append("\(entry.location) differs only in partition or form: \(entry.arn!)")
                }
            } else if name == ourName, account != ourAccount {
                found.append("\(entry.location) is the same name in account \(account), not \(ourAccount)")
            } else if name == ourName, entry.list == (ourKind == "role" ? "mapUsers" : "mapRoles") {
                found.append(
                    "\(entry.location) is in \(entry.list); a \(ourKind) must be in \(ourKind == "role" ? "mapRoles" : "mapUsers")"
                )
            }
        }
        return found
    }

    /// What to check when the cluster may use EKS access entries instead of (or besides) aws-auth.
    public static func accessEntriesNote(cluster: String?) -> String {
        let name = cluster ?? "CLUSTER"
        return "If the cluster's authentication mode is API or API_AND_CONFIG_MAP, EKS access entries are "
            + "checked too (first, in API_AND_CONFIG_MAP). See the mode with 'aws eks describe-cluster --name \(name) "
            + "--query cluster.accessConfig', the entries with 'aws eks list-access-entries --cluster-name \(name)', "
            + "and one entry's policies with 'aws eks list-associated-access-policies --cluster-name \(name) "
            + "--principal-arn ROLE_ARN'; or let eks-auth read them all: 'eks-auth explain --cluster-name \(name) "
            + "--arn ARN'."
    }
}

extension String {
    /// Every occurrence of `target` replaced by `replacement`.
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = Substring(self)
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
