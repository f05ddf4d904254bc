import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

/// The role IAM Identity Center makes for a permission set in an account it is provisioned to:
/// `arn:P:iam::A:role/aws-reserved/sso.amazonaws.com/[REGION/]AWSReservedSSO_<set>_<16 hex>`.
///
/// Source: IAM Identity Center user guide, "Referencing permission sets in resource policies, Amazon EKS,
/// and AWS KMS" (the name, the reserved path, the region in the path when Identity Center is outside
/// us-east-1); a re-provisioned set gets a new role with a new hash, and the old role is deleted.
public struct PermissionSetRole: Sendable, Equatable {
    /// The role's ARN as IAM returns it, path included: what an access entry takes.
    public var arn: String
    /// The partition, e.g. `aws`.
    public var partition: String
    /// The 12-digit account id.
    public var account: String
    /// The role's path, `/aws-reserved/sso.amazonaws.com/` or `/aws-reserved/sso.amazonaws.com/REGION/`.
    public var path: String
    /// The role name, `AWSReservedSSO_<set>_<hash>`.
    public var name: String
    /// The permission set's name as the role spells it (it may hold `_`).
    public var permissionSetName: String
    /// The 16 hex digits that change each time the set is provisioned again.
    public var hash: String

    /// The path every Identity Center role is under (IAM reserves `/aws-reserved/` for AWS).
    public static let pathPrefix = "/aws-reserved/sso.amazonaws.com/"
    /// The start of every Identity Center role name.
    public static let namePrefix = "AWSReservedSSO_"
    /// The length of the hash at the end of the name.
    static let hashLength = 16

    /// Reads `arn` as an Identity Center role; nil unless it is an IAM role ARN under `pathPrefix`
    /// whose name is `AWSReservedSSO_<set>_<16 hex>`, written in IAM's role-name alphabet.
    public init?(arn: String) {
        guard let parts = Self.roleParts(arn), parts.path.hasPrefix(Self.pathPrefix) else { return nil }
        self.init(
            arn: arn, partition: parts.arn.partition, account: parts.arn.account, path: parts.path, name: parts.name)
    }

    /// A role from parts; nil unless `name` is an Identity Center role name.
    init?(arn: String, partition: String, account: String, path: String, name: String) {
        guard let parts = Self.split(name) else { return nil }
        self.arn = arn
        self.partition = partition
        self.account = account
        self.path = path
        self.name = name
        self.permissionSetName = parts.set
        self.hash = parts.hash
    }

    /// An IAM role ARN's fields, its path (`/` when none) and its name; nil for anything else, or for a
    /// path outside printable ASCII or longer than IAM's 512 characters.
    static func roleParts(_ arn: String) -> (arn: ARN, path: String, name: String)? {
        guard let parsed = ARN(arn), parsed.isIAMRole, parsed.region.isEmpty, parsed.account.count == 12,
            parsed.account.allSatisfy({ $0.isASCII && $0.isNumber }), !parsed.partition.isEmpty,
            parsed.partition.allSatisfy({ $0.isASCII && ($0.isLowercase || $0 == "-") })
        else { return nil }
        let full = "/" + parsed.resource.dropFirst("role/".count)
        guard let slash = full.lastIndex(of: "/") else { return nil }
        let path = String(full[...slash])
        guard path.utf8.count <= 512, path.allSatisfy({ $0.asciiValue.map { (0x21..<0x7F).contains($0) } ?? false })
        else { return nil }
        return (parsed, path, String(full[full.index(after: slash)...]))
    }

    /// The set name and hash of a role name `AWSReservedSSO_<set>_<hash>`: the hash is what follows
    /// the last `_` (hex has none), so a set name may hold `_` itself.
    static func split(_ name: String) -> (set: String, hash: String)? {
        guard name.hasPrefix(namePrefix), (1...64).contains(name.count), name.allSatisfy(Self.isRoleNameCharacter),
            let underscore = name.lastIndex(of: "_")
        else { return nil }
        // The prefix's own `_` is not the hash's: `AWSReservedSSO_<hash>` has no set name.
        let setStart = name.index(name.startIndex, offsetBy: namePrefix.count)
        guard underscore >= setStart else { return nil }
        let set = name[setStart..<underscore]
        let hash = name[name.index(after: underscore)...]
        guard !set.isEmpty, hash.count == hashLength, hash.allSatisfy(\.isHexDigit) else { return nil }
        return (String(set), String(hash))
    }

    /// IAM's role-name alphabet: letters, digits and `+=,.@_-`.
    static func isRoleNameCharacter(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber || "+=,.@_-".contains(character))
    }

    /// The ARN without the path, as aws-auth needs it: session ARNs carry no path, so a `rolearn` with
    /// one never matches (aws-iam-authenticator `Canonicalize`; EKS user guide, "Create access entries").
    public var pathlessARN: String { "arn:\(partition):iam::\(account):role/\(name)" }

    /// The Identity Center region the path names; nil for the bare path (Identity Center in us-east-1).
    public var identityCenterRegion: String? {
        let rest = path.dropFirst(Self.pathPrefix.count).split(separator: "/")
        return rest.first.map(String.init)
    }

    /// Whether this is a role of the permission set `name`. Compared without regard to ASCII case, as
    /// IAM compares role names (two roles may not differ only in case) and as aws-iam-authenticator's
    /// `sso` matcher does (it lower-cases both).
    public func belongs(to name: String) -> Bool {
        permissionSetName.lowercased() == name.lowercased()
    }

    /// Whether `other` is the same role: same account, name compared as IAM does (the path may differ
    /// in how it was written, e.g. an aws-auth entry without it).
    public func isSameRole(as other: PermissionSetRole) -> Bool {
        account == other.account && partition == other.partition && name.lowercased() == other.name.lowercased()
    }

    /// A permission set name as IAM Identity Center allows it: 1 to 32 of letters, digits and `+=,.@_-`
    /// (the `CreatePermissionSet` API's `Name` pattern `[\w+=,.@-]+`).
    public static func isValidSetName(_ name: String) -> Bool {
        (1...32).contains(name.count) && name.allSatisfy(isRoleNameCharacter)
    }

    /// A role ARN read as an Identity Center role wherever its path is: an aws-auth `rolearn` is often
    /// written without the reserved path (as it must be to match). Nil when the name is not an Identity
    /// Center role name.
    public static func mapped(_ arn: String) -> PermissionSetRole? {
        guard let parts = roleParts(arn) else { return nil }
        return PermissionSetRole(
            arn: arn, partition: parts.arn.partition, account: parts.arn.account, path: parts.path, name: parts.name)
    }
}

/// Looks up a permission set's role in the account: IAM ListRoles under the reserved path, every page.
public struct PermissionSetLookup: Sendable {
    let iam: QueryProtocolClient
    let credentials: AWSCredentials

    /// A lookup calling IAM through `iam` as `credentials`.
    public init(iam: QueryProtocolClient, credentials: AWSCredentials) {
        self.iam = iam
        self.credentials = credentials
    }

    /// Roles asked for per page (IAM's maximum for ListRoles).
    public static let pageSize = 1000
    /// At most this many pages are read: IAM allows at most 5,000 roles per account, so more pages mean
    /// a reply to refuse (a marker that never ends), not an account to page through for ever.
    public static let maxPages = 10

    /// Every Identity Center role of the account, from ListRoles with `PathPrefix` the reserved path,
    /// following `Marker` while `IsTruncated`; roles whose ARN is not an Identity Center role are left out.
    /// - Throws: `AWSServiceError` (also `malformedResponse` past `maxPages`).
    public func roles() throws -> [PermissionSetRole] {
        var roles: [PermissionSetRole] = []
        var marker: String?
        for _ in 0..<Self.maxPages {
            var parameters = [
                (name: "PathPrefix", value: PermissionSetRole.pathPrefix),
                (name: "MaxItems", value: "\(Self.pageSize)"),
            ]
            if let marker { parameters.append((name: "Marker", value: marker)) }
            let page = try iam.call("ListRoles", parameters, as: credentials, roleARN: nil)
            // Each role member has one <Arn>; the path and name are read from it, so no list is paired.
            roles += page.values(named: "Arn").compactMap(PermissionSetRole.init(arn:))
            guard page.value(at: "IsTruncated") == "true", let next = page.value(at: "Marker"), !next.isEmpty else {
                return roles
            }
            marker = next
        }
        throw AWSServiceError.malformedResponse(
            service: "iam", operation: "ListRoles", endpoint: "\(iam.endpoint.endpoint)", status: 200)
    }

    /// The role of the permission set `name` among `roles`: exactly one must belong to it (compared as
    /// `PermissionSetRole.belongs(to:)` says); with `identityCenterRegion`, only those under that
    /// region's path count (`us-east-1` is the bare path).
    /// - Throws: `PermissionSetError.notFound` (with the nearest set names), `.ambiguous`, `.otherAccount`.
    public static func select(
        _ name: String, from roles: [PermissionSetRole], account: String, identityCenterRegion: String? = nil
    ) throws -> PermissionSetRole {
        if let other = roles.first(where: { $0.account != account }) {
            throw PermissionSetError.otherAccount(expected: account, found: other.account)
        }
        var matches = roles.filter { $0.belongs(to: name) }
        if let region = identityCenterRegion {
            matches = matches.filter { ($0.identityCenterRegion ?? "us-east-1") == region }
        }
        switch matches.count {
        case 1: return matches[0]
        case 0:
            throw PermissionSetError.notFound(
                set: name, account: account, region: identityCenterRegion,
                nearest: nearest(to: name, among: roles.map(\.permissionSetName)))
        default:
            throw PermissionSetError.ambiguous(
                set: name, account: account, arns: matches.map(\.arn).sorted(),
                regions: Set(matches.map { $0.identityCenterRegion ?? "us-east-1" }).count > 1)
        }
    }

    /// Up to `limit` distinct set names, nearest to `name` first (edit distance without regard to case;
    /// the one `Spelling.nearest` calls a typo leads), ties in name order.
    static func nearest(to name: String, among names: [String], limit: Int = 5) -> [String] {
        var seen = Set<String>()
        let unique = names.sorted().filter { seen.insert($0.lowercased()).inserted }
        let lower = name.lowercased()
        let typo = Spelling.nearest(to: lower, among: unique.map { $0.lowercased() })
        let ranked = unique.sorted {
            let (a, b) = (Spelling.editDistance(lower, $0.lowercased()), Spelling.editDistance(lower, $1.lowercased()))
            return a != b ? a < b : $0 < $1
        }
        let lead = ranked.filter { $0.lowercased() == typo }
        return Array((lead + ranked.filter { $0.lowercased() != typo }).prefix(limit))
    }
}

/// Problems finding a permission set's role.
public enum PermissionSetError: EKSAuthError, Equatable {
    /// The name is not one IAM Identity Center allows.
    case invalidName(String)
    /// The Identity Center region given to choose among roles is not a region name.
    case invalidRegion(String)
    /// No role of the set in the account (under the region's path, when one was given).
    case notFound(set: String, account: String, region: String?, nearest: [String])
    /// More than one live role belongs to the set; `regions` when they are under different regions' paths.
    case ambiguous(set: String, account: String, arns: [String], regions: Bool)
    /// The roles IAM listed are in another account than the one asked for: the credentials reach it.
    case otherAccount(expected: String, found: String)

    public var message: String {
        switch self {
        case .invalidName(let name):
            return "invalid permission set name '\(TerminalText.line(name, limit: 80))': expected 1 to 32 letters, "
                + "digits and +=,.@_-"
        case .invalidRegion(let region):
            return "invalid Identity Center region '\(TerminalText.line(region, limit: 80))': expected a region name "
                + "such as eu-west-1"
        case .notFound(let name, let account, let region, _):
            let set = TerminalText.line(name, limit: 80)
            let path = PermissionSetRole.pathPrefix + (region.map { $0 == "us-east-1" ? "" : "\($0)/" } ?? "")
            return "no role of permission set '\(set)' in account \(account): IAM has no role "
                + "\(PermissionSetRole.namePrefix)\(set)_<hash> under \(path)"
        case .ambiguous(let set, let account, let arns, _):
            return
                "permission set '\(TerminalText.line(set, limit: 80))' has \(arns.count) roles in account \(account): "
                + arns.joined(separator: ", ")
        case .otherAccount(let expected, let found):
            return "the credentials reach account \(found), not \(expected): IAM listed that account's roles"
        }
    }

    public var hint: String? {
        switch self {
        case .invalidName, .invalidRegion: return nil
        case .notFound(_, _, _, let nearest):
            let found =
                nearest.isEmpty
                ? "no permission set is provisioned to this account"
                : "permission sets found: \(nearest.joined(separator: ", "))"
            return "is the set provisioned to this account? \(found); list them with "
                + "'aws iam list-roles --path-prefix \(PermissionSetRole.pathPrefix)'"
        case .ambiguous(_, _, _, let regions):
            return regions
                ? "choose by Identity Center region with --sso-region REGION (us-east-1 for the path without one)"
                : "IAM Identity Center keeps one role per set; delete the one no longer provisioned"
        case .otherAccount:
            return "use a profile of the account the cluster is in (--profile), or fix --account"
        }
    }

    /// Usage (64) for refused values; configuration (78) for what the account holds.
    public var kind: FailureKind {
        switch self {
        case .invalidName, .invalidRegion: return .usage
        case .notFound, .ambiguous, .otherAccount: return .configuration
        }
    }
}
