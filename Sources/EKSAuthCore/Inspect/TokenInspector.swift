import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One rule of the EKS server's token check, and whether the token passes it.
public struct TokenCheck: Sendable, Equatable {
    /// Who applies a rule when a cluster receives the token.
    public enum Owner: String, Sendable, Equatable {
        /// aws-iam-authenticator's `Verify`, before it calls STS (pkg/token/token.go).
        case authenticator
        /// STS, when the authenticator replays the presigned URL: what it refuses with an error.
        case sts
        /// The region data the SDKs publish: the host names a region STS has no endpoint in, so the
        /// replayed request cannot reach STS (the authenticator's host check lets any well-formed
        /// commercial-partition name through, pkg/token/token_test.go `TestSTSEndpointResolution`).
        case regionData
    }

    /// Short rule name, e.g. "prefix" or "host".
    public var rule: String
    /// Whether the token passes.
    public var passed: Bool
    /// What was found (never a secret).
    public var detail: String
    /// Who applies the rule.
    public var owner: Owner

    /// A check result.
    public init(rule: String, passed: Bool, detail: String, owner: Owner = .authenticator) {
        self.rule = rule
        self.passed = passed
        self.detail = detail
        self.owner = owner
    }
}

/// What a token says about itself, and how it fares against the server's rules.
public struct TokenReport: Sendable, Equatable {
    /// The token's length in bytes.
    public var length: Int
    /// The presigned URL with the signature shortened and the session token left out.
    public var redactedURL: String?
    /// The STS host.
    public var host: String?
    /// The region the host names (`us-east-1` for the global endpoint).
    public var region: String?
    /// The partition the host belongs to.
    public var partition: String?
    /// The access key id from `X-Amz-Credential`.
    public var accessKeyID: String?
    /// Whether `X-Amz-Security-Token` is present (temporary credentials).
    public var hasSessionToken: Bool
    /// `X-Amz-SignedHeaders`, split.
    public var signedHeaders: [String]
    /// `X-Amz-Date`.
    public var signedAt: Date?
    /// When STS stops accepting the URL: `X-Amz-Date` + 15 minutes.
    public var expiresAt: Date?
    /// Every rule, in the order the server applies them.
    public var checks: [TokenCheck]

    /// Whether every rule passes.
    public var isValid: Bool { checks.allSatisfy(\.passed) }

    /// Whether aws-iam-authenticator's own checks pass: the token reaches its call to STS.
    public var passesAuthenticator: Bool { checks.allSatisfy { $0.passed || $0.owner != .authenticator } }
}

/// The EKS server a token is checked for, as aws-iam-authenticator's `NewVerifier(clusterID, partition,
/// region)` is configured: its partition and its own region (from instance metadata).
public struct AuthenticatorSettings: Sendable, Equatable {
    /// The server's partition id (`aws`, `aws-cn`, …); nil takes the partition of the host's region, the
    /// only one whose clusters can accept the token.
    public var partition: String?
    /// The server's own region; nil when unknown. The server also accepts `sts.REGION.DOMAIN` for it,
    /// for regions newer than its SDK.
    public var region: String?

    /// Settings for a server in `partition` and `region`.
    public init(partition: String? = nil, region: String? = nil) {
        self.partition = partition
        self.region = region
    }
}

/// Input that is not a token at all (as opposed to a token failing a rule).
public enum TokenInputError: EKSAuthError, Equatable {
    /// Nothing was given.
    case empty
    /// Much longer than any token can be.
    case tooLong(Int)
    /// JSON that is not an ExecCredential with `status.token`.
    case notExecCredential

    public var message: String {
        switch self {
        case .empty: return "no token given: pass it as an argument, or - to read it (or an ExecCredential) from stdin"
        case .tooLong(let n): return "input is \(n) bytes; an EKS token is at most \(EKSToken.maxLength)"
        case .notExecCredential: return "the JSON input is not an ExecCredential with status.token"
        }
    }

    public var kind: FailureKind { .badInput }
}

/// Decodes EKS tokens offline and applies the rules of aws-iam-authenticator's `Verify`.
public enum TokenInspector {
    /// The query keys the server allows (compared case-insensitively).
    static let allowedKeys: Set<String> = [
        "action", "version", "x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-expires",
        "x-amz-security-token", "x-amz-signature", "x-amz-signedheaders",
    ]
    /// Inputs past this size are refused before any decoding.
    static let maxInput = 65_536

    /// The token inside `input`: a bare token, or an ExecCredential JSON's `status.token`.
    /// - Throws: `TokenInputError`.
    public static func extractToken(from input: String) throws -> String {
        guard input.utf8.count <= maxInput else { throw TokenInputError.tooLong(input.utf8.count) }
        let text = input.trimmingWhitespace()
        guard !text.isEmpty else { throw TokenInputError.empty }
        guard text.hasPrefix("{") else { return text }
        struct Wire: Decodable {
            struct Status: Decodable { var token: String? }
            var status: Status?
        }
        guard let wire = try? JSONDecoder().decode(Wire.self, from: Data(text.utf8)), let token = wire.status?.token
        else { throw TokenInputError.notExecCredential }
        return token
    }

    /// Decodes `token` and checks it as a server configured by `server` would at `now`: the rules of
    /// aws-iam-authenticator's `Verify` (pkg/token/token.go) in its order, what STS refuses on the replay,
    /// and whether the host's region exists (`TokenCheck.Owner`).
    public static func inspect(_ token: String, now: Date, server: AuthenticatorSettings = .init()) -> TokenReport {
        var report = TokenReport(
            length: token.utf8.count, hasSessionToken: false, signedHeaders: [], checks: [])
        func check(_ rule: String, _ passed: Bool, _ detail: String, by owner: TokenCheck.Owner = .authenticator) {
            report.checks.append(TokenCheck(rule: rule, passed: passed, detail: detail, owner: owner))
        }
        check(
            "length", token.utf8.count <= EKSToken.maxLength,
            "\(token.utf8.count) bytes (the server accepts at most \(EKSToken.maxLength))")
        guard token.hasPrefix(EKSToken.prefix) else {
            check("prefix", false, "does not start with \(EKSToken.prefix)")
            return report
        }
        check("prefix", true, EKSToken.prefix)
        let payload = String(token.dropFirst(EKSToken.prefix.count))
        guard !payload.contains("="), let bytes = Base64URL.decode(payload),
            let url = String(validating: bytes, as: UTF8.self)
        else {
            check("encoding", false, "the rest is not unpadded base64url of a UTF-8 URL")
            return report
        }
        check("encoding", true, "base64url without padding")
        guard let parsed = TokenURL(url) else {
            check("url", false, "the decoded text is not an http(s) URL")
            return report
        }
        check("scheme", parsed.scheme == "https", parsed.scheme)
        report.host = parsed.host
        let host = STSHost(parsed.host)
        report.region = host?.region
        report.partition = host?.partition
        let partition = server.partition ?? host?.partition ?? "aws"
        let hostVerdict = AuthenticatorHostRule.accepts(parsed.host, partition: partition, serverRegion: server.region)
        check(
            "host", hostVerdict,
            hostVerdict
                ? "\(parsed.host) (partition \(partition)" + (host.map { ", region \($0.region))" } ?? ")")
                : "\(parsed.host) is not an STS host EKS accepts in partition \(partition)"
                    + " (custom endpoints are refused)")
        if let host, host.namesRegion {
            // The region must exist, and a host the server accepts must be one STS has for it: the
            // server's fallback for regions newer than its SDK also accepts a real region under another
            // partition's domain (sts.us-isob-east-1.amazonaws.com.cn), a name with no address.
            let real = Region.isRealRegion(host.region)
            let canonical = AuthenticatorHostRule.sdkHosts(region: host.region)
            let exists = real && (!hostVerdict || canonical.contains(parsed.host.lowercased()))
            let detail: String
            if !real {
                detail =
                    "\(host.region) is not a region STS has an endpoint in (\(Partition.dataSource))"
                    + (Region.suggestion(for: host.region).map { ": did you mean '\($0)'?" } ?? "")
            } else if !exists {
                detail =
                    "\(host.region) is a region of partition \(host.partition), whose STS hosts for it are "
                    + "\(canonical[3]), \(canonical[1]), \(canonical[2]) and \(canonical[0])"
            } else {
                detail = "\(host.region) (STS has an endpoint there)"
            }
            check("region", exists, detail, by: .regionData)
        }
        check("path", parsed.path == "/", parsed.path.isEmpty ? "(empty)" : parsed.path)
        let query = GoQuery(parsed.rawQuery)
        var values: [String: String] = [:]
        var spellings: [String: String] = [:]
        var problems = query.problems
        for (name, all) in query.values {
            let lower = name.lowercased()
            if !allowedKeys.contains(lower) { problems.append("unexpected parameter \(name)") }
            if all.count != 1 { problems.append("parameter \(name) given \(all.count) times") }
            if let first = spellings[lower] { problems.append("parameter \(name) given again as \(first)") }
            spellings[lower] = spellings[lower] ?? name
            values[lower] = all.first ?? ""
        }
        check(
            "parameters", problems.isEmpty,
            problems.isEmpty ? "only the allowed ones, each once" : problems.sorted().joined(separator: "; "))
        check("action", values["action"] == "GetCallerIdentity", values["action"] ?? "missing")
        check(
            "version", values["version"] == STSClient.apiVersion, values["version"] ?? "missing", by: .sts)
        check(
            "algorithm", values["x-amz-algorithm"] == SigV4Signer.algorithm, values["x-amz-algorithm"] ?? "missing",
            by: .sts)
        let signed = (values["x-amz-signedheaders"] ?? "").split(separator: ";", omittingEmptySubsequences: false)
            .map(String.init)
        report.signedHeaders = signed.filter { !$0.isEmpty }
        // The server asks only that x-k8s-aws-id be among the signed headers (compared case-insensitively),
        // not host: pkg/token/token.go hasSignedClusterIDHeader.
        let signsCluster = signed.contains { $0.lowercased() == EKSToken.clusterIDHeader }
        check(
            "signed cluster header", signsCluster,
            values["x-amz-signedheaders"].map { $0.isEmpty ? "(empty)" : $0 } ?? "X-Amz-SignedHeaders missing")
        let expires = values["x-amz-expires"].flatMap { Int($0) }
        check(
            "expires parameter", expires.map { (0...900).contains($0) } ?? false,
            values["x-amz-expires"].map { "\($0) (allowed 0-900)" } ?? "missing")
        let credential = (values["x-amz-credential"] ?? "").split(separator: "/", omittingEmptySubsequences: false)
        report.accessKeyID = credential.first.map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        report.hasSessionToken = values["x-amz-security-token"].map { !$0.isEmpty } ?? false
        let signedAt = values["x-amz-date"].flatMap(Self.parseAmzDate)
        report.signedAt = signedAt
        let scopeOK =
            credential.count == 5 && credential[3] == "sts" && credential[4] == "aws4_request"
            && signedAt.map { Timestamp.sigV4($0).hasPrefix(credential[1]) } == true
            && (host == nil || credential[2] == host!.signingRegion)
        check(
            "credential scope", scopeOK,
            credential.count == 5
                ? "\(credential[1...].joined(separator: "/"))"
                    + (host.map { " (host signs for \($0.signingRegion))" } ?? "")
                : "X-Amz-Credential missing or malformed", by: .sts)
        check(
            // SigV4 writes the signature in lower-case hex, and STS compares it as text.
            "signature",
            values["x-amz-signature"].map { $0.count == 64 && $0.allSatisfy { $0.isHexDigit && !$0.isUppercase } }
                ?? false,
            values["x-amz-signature"].map {
                "\($0.prefix(8))… (\($0.count) \($0.contains(where: \.isUppercase) ? "upper-case " : "")hex digits)"
            } ?? "missing", by: .sts)
        if let signedAt {
            let expiresAt = signedAt.addingTimeInterval(EKSToken.validity)
            report.expiresAt = expiresAt
            // The server refuses only once now > X-Amz-Date + 15 min; it does not look at dates in the
            // future, STS does: a request dated more than 15 minutes ahead is "not yet current".
            let remaining = expiresAt.timeIntervalSince(now)
            let left = Int(remaining.rounded(.down))
            let future = signedAt.timeIntervalSince(now) > EKSToken.validity
            check(
                "age", remaining >= 0 && !future,
                future
                    ? "signed \(Timestamp.rfc3339(signedAt)), more than 15 min in the future: check the clock"
                    : remaining >= 0
                        ? "signed \(Timestamp.rfc3339(signedAt)), \(DurationText.spoken(left)) left"
                        : "expired at \(Timestamp.rfc3339(expiresAt)) (\(DurationText.spoken(left)) ago)",
                by: future ? .sts : .authenticator)
        } else {
            check("age", false, "X-Amz-Date missing or not YYYYMMDDTHHMMSSZ")
        }
        report.redactedURL = parsed.redacted
        return report
    }

    /// Parses `YYYYMMDD'T'HHMMSS'Z'`.
    static func parseAmzDate(_ text: String) -> Date? {
        let s = Array(text)
        // Go's time.Parse, which the server uses, knows no leap second 60.
        guard s.count == 16, s[8] == "T", s[15] == "Z", String(s[13..<15]) != "60" else { return nil }
        let iso =
            "\(String(s[0..<4]))-\(String(s[4..<6]))-\(String(s[6..<8]))T\(String(s[9..<11])):\(String(s[11..<13])):\(String(s[13..<15]))Z"
        return Timestamp.parseISO8601(iso)
    }
}

/// The presigned URL as the token checks see it, read the way Go's `url.Parse` gives it to the EKS
/// authenticator: the scheme lower-cased, the host as written after any `user@` (case and port kept, so
/// `STS.amazonaws.com` or `sts.amazonaws.com:443` are other hosts to it), the query undecoded. Text Go
/// refuses to parse (a control character, a malformed `%` escape in the path) is no URL.
struct TokenURL {
    var scheme: String
    var host: String
    var path: String
    var rawQuery: String

    init?(_ url: String) {
        guard let parsed = ParsedURL(url), parsed.scheme == "https" || parsed.scheme == "http",
            !parsed.hostAndPort.isEmpty,
            !url.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }),
            GoQuery.unescape(parsed.path, plusIsSpace: false) != nil
        else { return nil }
        scheme = parsed.scheme
        host = parsed.hostAndPort
        path = parsed.path
        rawQuery = parsed.query ?? ""
    }

    /// The URL with the signature cut to 8 characters and the session token's value hidden, the
    /// parameters told apart by their decoded names (`X-Amz-Security%2DToken` is the session token too).
    var redacted: String {
        let pairs = rawQuery.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
        }
        let parts = pairs.map { key, value -> String in
            switch (GoQuery.unescape(key, plusIsSpace: true) ?? key).lowercased() {
            case "x-amz-signature": return "\(key)=\(value.prefix(8))…"
            case "x-amz-security-token": return "\(key)=(\(value.count) characters, hidden)"
            default: return "\(key)=\(value)"
            }
        }
        return "\(scheme)://\(host)\(path)" + (parts.isEmpty ? "" : "?" + parts.joined(separator: "&"))
    }
}

/// A query string read as Go's `url.ParseQuery` reads it for the server: pairs split on `&` (an empty
/// pair skipped), the name and value split at the first `=`, `+` read as a space and `%XX` decoded. A
/// `;` or a malformed escape makes the whole query malformed (the server's "malformed query parameter").
struct GoQuery {
    /// Each distinct name as written (decoded), in first-seen order, with all its values.
    var values: [(name: String, values: [String])] = []
    /// Why the query is malformed; empty when it is not.
    var problems: [String] = []

    init(_ raw: String) {
        for pair in raw.split(separator: "&", omittingEmptySubsequences: true) {
            if pair.contains(";") {
                problems.append("malformed query: ';' in \(pair.prefix(40))")
                continue
            }
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.unescape(parts[0], plusIsSpace: true),
                let value = Self.unescape(parts.count > 1 ? parts[1] : "", plusIsSpace: true)
            else {
                problems.append("malformed query: bad % escape in \(pair.prefix(40))")
                continue
            }
            if let index = values.firstIndex(where: { $0.name == name }) {
                values[index].values.append(value)
            } else {
                values.append((name, [value]))
            }
        }
    }

    /// `text` with `%XX` escapes decoded (and `+` as a space when `plusIsSpace`); nil for a malformed
    /// escape, as Go's `url.QueryUnescape` refuses it.
    static func unescape<S: StringProtocol>(_ text: S, plusIsSpace: Bool) -> String? {
        ParsedURL.strictlyPercentDecoded(text, plusIsSpace: plusIsSpace)
    }
}

/// What a token's host says, for the report and the STS checks: the region it names (`us-east-1` for
/// the global endpoint), that region's partition, and the region STS expects in the signature. Any host
/// shaped `sts.LABEL.…` or `sts-fips.LABEL.…` names LABEL (lower-cased: DNS ignores case); whether the
/// server accepts the host is `AuthenticatorHostRule`'s question.
struct STSHost {
    var region: String
    var partition: String
    var signingRegion: String
    /// Whether the region came from the host's second label (not the global endpoint).
    var namesRegion: Bool

    init?(_ host: String) {
        let lower = host.lowercased()
        if lower == "sts.amazonaws.com" {
            (region, partition, signingRegion, namesRegion) = ("us-east-1", "aws", "us-east-1", false)
            return
        }
        let labels = lower.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 3, labels[0] == "sts" || labels[0] == "sts-fips", !labels[1].isEmpty else {
            return nil
        }
        region = String(labels[1])
        partition = Partition.of(region: region).id
        signingRegion = region
        namesRegion = true
    }
}

/// aws-iam-authenticator's host check (pkg/token/token.go `verifySTSHostnameFormat`), for a server in
/// `partition` whose own region is `serverRegion`:
///
/// 1. `sts.amazonaws.com` passes only in partition `aws`.
/// 2. Otherwise the region is the host's second label and must match `^[[:alnum:]]([[:alnum:]-]*[[:alnum:]])?$`.
/// 3. The host must be one of the four the SDK's STS endpoint rules give for that region (FIPS and
///    dual-stack on and off; a region no partition claims falls to `aws`, so any such name passes there),
///    and then labels 3… must be the server partition's domain or dual-stack domain;
/// 4. or else `sts.SERVER-REGION.DOMAIN` or `sts.SERVER-REGION.DUAL-STACK-DOMAIN`, for regions newer
///    than the server's SDK.
///
/// The domains are the server's own table (pkg/endpoints), not the SDK's: it knows no dual-stack domain
/// for the ISO partitions.
enum AuthenticatorHostRule {
    static func accepts(_ host: String, partition: String, serverRegion: String?) -> Bool {
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        guard !host.isEmpty, labels.count >= 3 else { return false }
        if host == "sts.amazonaws.com" { return partition == "aws" }
        let region = String(labels[1])
        guard isRegionIdentifier(region) else { return false }
        guard let domains = domains(of: partition) else { return false }
        if !sdkHosts(region: region).contains(host) {
            guard let serverRegion, isRegionIdentifier(serverRegion) else { return false }
            return host == "sts.\(serverRegion).\(domains.domain)"
                || (domains.dualStack.map { host == "sts.\(serverRegion).\($0)" } ?? false)
        }
        guard labels.count >= 4 else { return false }
        let domain = labels[2...].joined(separator: ".")
        return domain == domains.domain || domain == domains.dualStack
    }

    /// The hosts the SDK's STS endpoint rules give for `region` with FIPS and dual-stack on and off
    /// (the rules read in STSEndpointResolver; `aws-global` is the global host).
    static func sdkHosts(region: String) -> [String] {
        let p = Partition.of(region: region)
        return [
            "sts-fips.\(region).\(p.dualStackDNSSuffix)",
            p.id == "aws-us-gov" ? "sts.\(region).amazonaws.com" : "sts-fips.\(region).\(p.dnsSuffix)",
            "sts.\(region).\(p.dualStackDNSSuffix)",
            region == "aws-global" ? "sts.amazonaws.com" : "sts.\(region).\(p.dnsSuffix)",
        ]
    }

    /// The server's STS domains per partition (pkg/endpoints `GetSTSPartitionDomain` and
    /// `GetSTSDualStackPartitionDomain`); nil for a partition it does not know.
    static func domains(of partition: String) -> (domain: String, dualStack: String?)? {
        switch partition {
        case "aws", "aws-us-gov": return ("amazonaws.com", "api.aws")
        case "aws-cn": return ("amazonaws.com.cn", "api.amazonwebservices.com.cn")
        case "aws-eusc": return ("amazonaws.eu", "api.amazonwebservices.eu")
        case "aws-iso": return ("c2s.ic.gov", nil)
        case "aws-iso-b": return ("sc2s.sgov.gov", nil)
        case "aws-iso-e": return ("cloud.adc-e.uk", nil)
        case "aws-iso-f": return ("csp.hci.ic.gov", nil)
        default: return nil
        }
    }

    /// The Go SDK v1 region pattern the server kept: ASCII letters and digits, inner hyphens.
    static func isRegionIdentifier(_ text: String) -> Bool {
        let alnum: (UInt8) -> Bool = { ($0 >= 48 && $0 <= 57) || ($0 | 0x20 >= 97 && $0 | 0x20 <= 122) }
        let bytes = Array(text.utf8)
        guard let first = bytes.first, let last = bytes.last, alnum(first), alnum(last) else { return false }
        return bytes.allSatisfy { alnum($0) || $0 == UInt8(ascii: "-") }
    }
}
