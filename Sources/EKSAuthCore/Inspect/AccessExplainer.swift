import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

/// What a cluster maps identities with: its authentication mode, and the mappings that mode reads.
public struct ClusterAccess: Sendable, Equatable {
    /// The authentication mode.
    public var mode: AuthenticationMode
    /// Where the mode came from, e.g. `--authentication-mode`, `DescribeCluster`.
    public var modeSource: String
    /// The aws-auth ConfigMap; nil when it was not read (or does not exist).
    public var awsAuth: AWSAuthConfig?
    /// The access entries; nil when they were not read.
    public var accessEntries: [AccessEntry]?
    /// What could not be read, and why (e.g. the live aws-auth was forbidden).
    public var readNotes: [String] = []

    /// Mappings from parts.
    public init(
        mode: AuthenticationMode, modeSource: String, awsAuth: AWSAuthConfig? = nil, accessEntries: [AccessEntry]? = nil
    ) {
        self.mode = mode
        self.modeSource = modeSource
        self.awsAuth = awsAuth
        self.accessEntries = accessEntries
    }
}

/// What the cluster makes of an identity through access entries and aws-auth together.
public struct AccessExplanation: Sendable, Equatable {
    /// What decided the mapping.
    public enum Decision: Sendable, Equatable {
        /// The access entry of this principal.
        case accessEntry(AccessEntry)
        /// aws-auth (an entry or mapAccounts).
        case awsAuth
        /// Nothing: the cluster answers Unauthorized.
        case nothing
    }

    /// The caller ARN explained.
    public var arn: String
    /// Its canonical (IAM) form.
    public var canonicalARN: String
    /// The cluster's mappings, as read.
    public var access: ClusterAccess
    /// What decided.
    public var decision: Decision
    /// The Kubernetes user name, templates expanded.
    public var username: String?
    /// The Kubernetes groups, templates expanded.
    public var groups: [String]
    /// The access policies that apply (access entries only).
    public var policies: [AssociatedAccessPolicy]
    /// What aws-auth makes of the identity, when aws-auth was read (whether or not it decided).
    public var awsAuth: Explanation?
    /// Why the other routes did not decide, and pitfalls found on the way.
    public var notes: [String]
    /// Access entries that almost match, and why they do not.
    public var nearMisses: [String]

    /// Whether the identity is mapped at all.
    public var isMapped: Bool { decision != .nothing }

    /// Whether the answer is incomplete: nothing mapped the identity, but aws-auth, which the mode reads,
    /// could not be read.
    public var isUnknown: Bool {
        decision == .nothing && access.mode.readsConfigMap && access.awsAuth == nil && !access.readNotes.isEmpty
    }
}

/// Matches an identity against a cluster's access entries and aws-auth, as EKS does: access entries
/// only in `API`, aws-auth only in `CONFIG_MAP`, and in `API_AND_CONFIG_MAP` the access entry wins where
/// both map the principal (EKS user guide, "Migrating existing aws-auth ConfigMap entries to access
/// entries"). Access entries name roles with their path; sessions carry none, so a role entry matches
/// the session's role by account and name.
public enum AccessExplainer {
    /// Explains `arn` (a caller ARN) against `access`.
    /// - Parameter accessKeyID: fills `{{AccessKeyID}}` when known (from a token).
    /// - Throws: `InspectError.unmappableARN`.
    public static func explain(arn: String, accessKeyID: String? = nil, in access: ClusterAccess) throws
        -> AccessExplanation
    {
        let (canonical, pathNote) = try AWSAuthExplainer.callerCanonical(arn)
        var result = AccessExplanation(
            arn: arn, canonicalARN: canonical, access: access, decision: .nothing, username: nil, groups: [],
            policies: [], awsAuth: nil, notes: [], nearMisses: [])
        let entry = access.accessEntries.flatMap { entries in entries.first { matches($0.principalArn, canonical) } }
        let viaConfigMap = try access.awsAuth.map {
            try AWSAuthExplainer.explain(arn: arn, accessKeyID: accessKeyID, in: $0)
        }
        result.awsAuth = viaConfigMap
        result.notes = (pathNote.map { [$0] } ?? []) + access.readNotes
        let mode = access.mode
        if let entry, mode.readsAccessEntries {
            result.decision = .accessEntry(entry)
            var notes: [String] = []
            let account = ARN.account(canonical) ?? ""
            let session = ARN.sessionName(arn)
            result.username = AWSAuthExplainer.expand(
                entry.effectiveUsername, account: account, session: session, accessKeyID: accessKeyID, notes: &notes)
            result.groups = entry.effectiveGroups
            result.policies = entry.associatedAccessPolicies
            result.notes += Array(Set(notes)).sorted()
            if entry.isNode {
                result.notes.append(
                    "the entry is of type \(entry.type): the identity is a node (\(entry.effectiveUsername)), not a "
                        + "person; people need a STANDARD entry")
            } else if entry.kubernetesGroups.isEmpty, entry.associatedAccessPolicies.isEmpty {
                result.notes.append(
                    "the entry has no Kubernetes groups and no access policies: the identity is authenticated "
                        + "but allowed nothing, so every request is Forbidden")
            }
            if let viaConfigMap, viaConfigMap.isMapped, mode.readsConfigMap {
                result.notes.append(
                    "aws-auth maps it too (\(matchedPlace(viaConfigMap))), but the access entry wins where both map a "
                        + "principal")
            }
        } else if let viaConfigMap, viaConfigMap.isMapped, mode.readsConfigMap {
            result.decision = .awsAuth
            result.username = viaConfigMap.username
            result.groups = viaConfigMap.groups
            result.notes += viaConfigMap.notes.filter { $0 != pathNote }
            if entry == nil, access.accessEntries == nil, mode.readsAccessEntries {
                result.notes.append("access entries were not read; an entry for the principal would win over aws-auth")
            }
        }
        if let entry, !mode.readsAccessEntries {
            result.notes.append(
                "the access entry of \(entry.principalArn) is ignored: the authentication mode is \(mode.rawValue); "
                    + "switch to API_AND_CONFIG_MAP to use access entries")
        }
        if let viaConfigMap, viaConfigMap.isMapped, !mode.readsConfigMap {
            result.notes.append(
                "aws-auth maps it (\(matchedPlace(viaConfigMap))), but the authentication mode API ignores aws-auth")
        }
        if result.decision == .nothing {
            if let viaConfigMap, mode.readsConfigMap { result.nearMisses += viaConfigMap.candidates }
            if let entries = access.accessEntries, mode.readsAccessEntries {
                result.nearMisses += nearMisses(canonical: canonical, in: entries)
            }
            if access.awsAuth == nil, mode.readsConfigMap, access.readNotes.isEmpty {
                result.notes.append("aws-auth was not read (give --aws-auth FILE)")
            }
            if access.accessEntries == nil, mode.readsAccessEntries {
                result.notes.append("access entries were not read (give --access-entries FILE or --cluster-name)")
            }
        }
        return result
    }

    /// Where aws-auth matched: an entry's location, or mapAccounts.
    static func matchedPlace(_ explanation: Explanation) -> String {
        explanation.entry?.location ?? "mapAccounts"
    }

    /// Whether an access entry's principal is the caller's IAM identity: the same user ARN, or a role of
    /// the same partition, account and name whatever the entry's path (compared case-insensitively, as
    /// IAM names are unique regardless of case).
    public static func matches(_ principal: String, _ canonical: String) -> Bool {
        guard let entry = ARN(principal.lowercased()), let caller = ARN(canonical.lowercased()),
            entry.service == "iam", entry.partition == caller.partition, entry.account == caller.account
        else { return false }
        if entry.resource.hasPrefix("role/"), caller.resource.hasPrefix("role/") {
            return entry.resource.split(separator: "/").last == caller.resource.split(separator: "/").last
        }
        return entry.resource.hasPrefix("user/") && entry.resource == caller.resource
    }

    /// Access entries that almost match, and why they do not.
    static func nearMisses(canonical: String, in entries: [AccessEntry]) -> [String] {
        guard let caller = ARN(canonical.lowercased()) else { return [] }
        let ourName = caller.resource.split(separator: "/").last.map(String.init) ?? ""
        let ourKind = caller.resource.split(separator: "/").first.map(String.init) ?? ""
        var found: [String] = []
        for entry in entries {
            guard let written = ARN(entry.principalArn.lowercased()) else { continue }
            let name = written.resource.split(separator: "/").last.map(String.init) ?? ""
            let kind = written.resource.split(separator: "/").first.map(String.init) ?? ""
            guard name == ourName else { continue }
            if written.account != caller.account {
                found.append(
                    "access entry \(entry.principalArn) is the same name in account \(written.account), not "
                        + caller.account)
            } else if kind != ourKind {
                found.append("access entry \(entry.principalArn) is a \(kind); the caller is a \(ourKind)")
            } else if written.partition != caller.partition {
                found.append("access entry \(entry.principalArn) is in partition \(written.partition)")
            } else if kind == "user" {
                found.append("access entry \(entry.principalArn) has another path than the caller \(canonical)")
            }
        }
        return found
    }
}
