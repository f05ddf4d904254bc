import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

/// One aws-auth mapping and what becomes of it on the way to access entries.
public struct MigrationStep: Sendable, Equatable {
    /// What `migrate --apply` does for the mapping.
    public enum Action: String, Sendable, Equatable, Encodable {
        /// Create the access entry (and associate its policies).
        case create
        /// The entry exists as planned but lacks some of the planned policies: associate them.
        case associate
        /// The entry exists as planned: nothing to do.
        case unchanged
        /// An entry for the principal exists and differs: left alone, reported.
        case differs
        /// No access entry is made: something else is to be done by hand (`instead`).
        case manual
        /// The mapping never applied (or is shadowed), so nothing carries over.
        case skip
    }

    /// Where the mapping is: `mapRoles[2]`, `mapUsers[0]`, `mapAccounts[1]`.
    public var source: String
    /// The principal the access entry is for (the role's ARN as IAM returns it, path included).
    public var principalArn: String?
    /// What is done.
    public var action: Action
    /// The planned entry (`create`, `associate`, `unchanged`, `differs`).
    public var entry: AccessEntry?
    /// What changed on the way, and why.
    public var notes: [String]
    /// For `manual` (and some `skip`) steps: what to do instead.
    public var instead: String?

    /// A step from parts.
    public init(
        source: String, principalArn: String?, action: Action, entry: AccessEntry? = nil, notes: [String] = [],
        instead: String? = nil
    ) {
        self.source = source
        self.principalArn = principalArn
        self.action = action
        self.entry = entry
        self.notes = notes
        self.instead = instead
    }
}

/// What IAM says of a role named in aws-auth (whose ARN there has no path).
public enum RoleLookup: Sendable, Equatable {
    /// The role exists; its ARN as IAM returns it (path included).
    case found(String)
    /// IAM has no such role: the mapping is stale.
    case missing
    /// IAM was not asked (offline: an empty reason) or could not answer (why).
    case unknown(String)
}

/// Plans the move from aws-auth to access entries, following the EKS user guide ("Migrating existing
/// aws-auth ConfigMap entries to access entries", "Create access entries", "Set a custom username").
public enum MigrationPlanner {
    /// The tag `migrate` puts on the entries it creates (its value: the aws-auth mapping, e.g.
    /// `aws-auth mapRoles[2]`): only an entry carrying it is completed by a later run (`associate`);
    /// any other existing entry is someone else's and is left alone.
    public static let tag = "eks-auth:migrated-from"

    /// User names access entries refuse (EKS user guide, "Set a custom username").
    public static let reservedUsernamePrefixes = ["system:", "eks:", "aws:", "amazon:", "iam:"]

    /// The steps for `config`, compared with the cluster's `existing` entries (nil: not known).
    /// - Parameters:
    ///   - cluster: the cluster name, for the commands suggested.
    ///   - lookupRole: what IAM says of a role ARN as aws-auth writes it.
    public static func plan(
        _ config: AWSAuthConfig, existing: [AccessEntry]?, cluster: String,
        lookupRole: (String) -> RoleLookup = { _ in .unknown("") }
    ) -> [MigrationStep] {
        var steps: [MigrationStep] = []
        // The authenticator keeps the last mapping of an ARN (a map keyed by the lower-cased ARN).
        var last: [String: String] = [:]
        for mapping in config.entries {
            if let arn = mapping.arn {
                last["\(mapping.list) \(arn.trimmingWhitespace().lowercased())"] = mapping.location
            }
        }
        for mapping in config.entries {
            steps.append(step(for: mapping, existing: existing, cluster: cluster, last: last, lookupRole: lookupRole))
        }
        for (index, account) in config.accounts.enumerated() {
            steps.append(
                MigrationStep(
                    source: "mapAccounts[\(index)]", principalArn: nil, action: .manual,
                    notes: [
                        "mapAccounts maps every principal of account \(account); access entries have no equivalent"
                    ],
                    instead: "create an access entry per principal that needs the cluster, or keep aws-auth read "
                        + "(authentication mode API_AND_CONFIG_MAP)"))
        }
        return steps
    }

    static func step(
        for mapping: AWSAuthEntry, existing: [AccessEntry]?, cluster: String, last: [String: String],
        lookupRole: (String) -> RoleLookup
    ) -> MigrationStep {
        let source = mapping.location
        guard let written = mapping.arn else {
            let set = mapping.sso?.permissionSetName ?? ""
            let account = mapping.sso?.accountID ?? "ACCOUNT"
            return MigrationStep(
                source: source, principalArn: nil, action: .manual,
                notes: ["an sso matcher names permission set \(set), not a role; access entries need the role's ARN"],
                instead:
                    "eks-auth setup --account \(account) --permission-set \(set) --cluster-name \(cluster) --apply "
                    + "--access-entry "
                    + "(finds the set's role in the account and creates its entry)")
        }
        let arn = written.trimmingWhitespace()
        let isRole = mapping.list == "mapRoles"
        if arn.contains(":assumed-role/") {
            return MigrationStep(
                source: source, principalArn: arn, action: .skip,
                notes: ["it names a session (assumed-role) ARN, which never matched; access entries refuse sessions"],
                instead: "map the role \(ARN.canonical(arn) ?? "ARN") if it is meant to have access")
        }
        if isRole, let parsed = ARN(arn), parsed.resource.split(separator: "/").count > 2 {
            return MigrationStep(
                source: source, principalArn: arn, action: .skip,
                notes: ["the role ARN has a path, so it never matched in aws-auth (sessions carry no path)"],
                instead: "if the role is meant to have access, create its entry with this full ARN by hand")
        }
        if let later = last["\(mapping.list) \(arn.lowercased())"], later != source {
            return MigrationStep(
                source: source, principalArn: arn, action: .skip,
                notes: [
                    "\(later) maps the same ARN later, and the authenticator keeps the last; this one never applies"
                ])
        }
        var notes: [String] = []
        var principal = arn
        if isRole {
            switch lookupRole(arn) {
            case .found(let actual):
                if actual != arn { notes.append("IAM names the role \(actual) (with its path): the entry uses that") }
                principal = actual
            case .missing:
                return MigrationStep(
                    source: source, principalArn: arn, action: .skip,
                    notes: ["IAM has no such role: the mapping is stale"],
                    instead: "remove it from aws-auth (eks-auth aws-auth remove --role-arn \(arn) …)")
            case .unknown(let why) where !why.isEmpty:
                notes.append("the role's path was not checked (\(why)); a role with a path needs its full ARN")
            case .unknown: break
            }
        }
        let groups = mapping.groups
        if let node = nodeType(groups) {
            let have = existing?.first { AccessExplainer.matches($0.principalArn, principal) }
            if let have, have.type == node {
                return MigrationStep(
                    source: source, principalArn: have.principalArn, action: .unchanged, entry: have,
                    notes: ["the \(node) entry exists"])
            }
            return MigrationStep(
                source: source, principalArn: principal, action: .manual,
                entry: AccessEntry(principalArn: principal, type: node),
                notes: [
                    "a node role (groups \(groups.joined(separator: ", "))): it needs an access entry of type \(node), "
                        + "not groups"
                ],
                instead: "EKS creates the \(node) entry itself for managed node groups and Fargate profiles; for "
                    + "self-managed nodes run: aws eks create-access-entry --cluster-name \(cluster) --principal-arn "
                    + "\(principal) --type \(node)")
        }
        var policies: [AssociatedAccessPolicy] = []
        let partition = ARN(principal)?.partition ?? "aws"
        if groups.contains("system:masters") {
            policies.append(
                AssociatedAccessPolicy(
                    policyArn: AssociatedAccessPolicy.policyARN("AmazonEKSClusterAdminPolicy", partition: partition)))
            notes.append(
                "system:masters has no access-entry equivalent: it becomes the AmazonEKSClusterAdminPolicy access "
                    + "policy, cluster-wide")
        }
        let dropped = groups.filter { $0.hasPrefix("system:") && $0 != "system:masters" }
        if !dropped.isEmpty {
            notes.append("groups \(dropped.joined(separator: ", ")) are dropped: access entries refuse system: groups")
        }
        let kept = groups.filter { !$0.hasPrefix("system:") }
        if kept.contains(where: { $0.contains("{{") }) {
            notes.append("a group holds a template; check that the access entry's group is the one RBAC binds")
        }
        let username = carriedUsername(mapping.username, notes: &notes)
        if kept.isEmpty, policies.isEmpty {
            notes.append(
                "no groups or policies remain: the identity would be authenticated but allowed nothing; bind RBAC "
                    + "to a group and add it")
        }
        let planned = AccessEntry(
            principalArn: principal, kubernetesGroups: kept, username: username, associatedAccessPolicies: policies,
            tags: [tag: "aws-auth \(source)"])
        guard let existing else {
            notes.append("the cluster's access entries were not read; --apply creates what is missing")
            return MigrationStep(source: source, principalArn: principal, action: .create, entry: planned, notes: notes)
        }
        guard let have = existing.first(where: { AccessExplainer.matches($0.principalArn, principal) }) else {
            return MigrationStep(source: source, principalArn: principal, action: .create, entry: planned, notes: notes)
        }
        return compare(planned, with: have, source: source, notes: notes)
    }

    /// The step for a principal that has an entry: unchanged, missing policies, or differing.
    static func compare(_ planned: AccessEntry, with have: AccessEntry, source: String, notes: [String])
        -> MigrationStep
    {
        var differences: [String] = []
        if have.type != planned.type { differences.append("type \(have.type), planned \(planned.type)") }
        if Set(have.kubernetesGroups) != Set(planned.kubernetesGroups) {
            differences.append(
                "groups [\(have.kubernetesGroups.joined(separator: ", "))], planned "
                    + "[\(planned.kubernetesGroups.joined(separator: ", "))]")
        }
        if let username = planned.username, have.username != username {
            differences.append("user name \(have.username ?? "(EKS's)"), planned \(username)")
        }
        let missing = planned.associatedAccessPolicies.filter { policy in
            !have.associatedAccessPolicies.contains {
                $0.policyArn == policy.policyArn && $0.accessScope.type == "cluster"
            }
        }
        // Policies are only added to an entry migrate made itself (a run that stopped half-way): raising
        // someone else's entry, which already wins over aws-auth, to cluster-admin is not ours to do.
        if !missing.isEmpty, have.tags[tag] == nil {
            differences.append(
                "access policies [\(have.associatedAccessPolicies.map(\.policyName).joined(separator: ", "))], "
                    + "planned [\(planned.associatedAccessPolicies.map(\.policyName).joined(separator: ", "))]")
        }
        var entry = planned
        entry.principalArn = have.principalArn
        guard differences.isEmpty else {
            return MigrationStep(
                source: source, principalArn: have.principalArn, action: .differs, entry: entry,
                notes: notes + [
                    "an access entry exists and differs (\(differences.joined(separator: "; "))); "
                        + "it wins over aws-auth and is left alone"
                ])
        }
        entry.associatedAccessPolicies = missing
        return MigrationStep(
            source: source, principalArn: have.principalArn, action: missing.isEmpty ? .unchanged : .associate,
            entry: missing.isEmpty ? have : entry, notes: notes)
    }

    /// The node entry type a mapping's groups imply: Fargate's pod execution role, Windows or Linux nodes.
    static func nodeType(_ groups: [String]) -> String? {
        if groups.contains("system:node-proxier") { return "FARGATE_LINUX" }
        guard groups.contains("system:nodes") else { return nil }
        return groups.contains("eks:kube-proxy-windows") ? "EC2_WINDOWS" : "EC2_LINUX"
    }

    /// The aws-auth user name as an access entry can carry it, or nil to let EKS generate one (noted).
    static func carriedUsername(_ username: String, notes: inout [String]) -> String? {
        let name = username.trimmingWhitespace()
        guard !name.isEmpty else { return nil }
        if let prefix = reservedUsernamePrefixes.first(where: { name.hasPrefix($0) }) {
            notes.append(
                "user name \(name) cannot be kept (access entries refuse the \(prefix) prefix); EKS generates one, so "
                    + "RBAC bindings naming the user must name a group instead")
            return nil
        }
        for template in ["{{EC2PrivateDNSName}}", "{{AccessKeyID}}"] where name.contains(template) {
            notes.append("user name \(name) uses \(template), which access entries do not fill; EKS generates one")
            return nil
        }
        return name
    }
}
