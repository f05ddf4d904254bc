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
    /// Short rule name, e.g. "prefix" or "host".
    public var rule: String
    /// Whether the token passes.
    public var passed: Bool
    /// What was found (never a secret).
    public var detail: String

    /// A check result.
    public init(rule: String, passed: Bool, detail: String) {
        self.rule = rule
        self.passed = passed
        self.detail = detail
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

    /// Decodes `token` and checks it as the server would at `now`.
    public static func inspect(_ token: String, now: Date) -> TokenReport {
        var report = TokenReport(
            length: token.utf8.count, hasSessionToken: false, signedHeaders: [], checks: [])
        func check(_ rule: String, _ passed: Bool, _ detail: String) {
            report.checks.append(TokenCheck(rule: rule, passed: passed, detail: detail))
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
        check(
            "host", host != nil,
            host.map { "\(parsed.host) (partition \($0.partition), region \($0.region))" }
                ?? "\(parsed.host) is not an STS host EKS accepts (custom endpoints are refused)")
        check("path", parsed.path == "/", parsed.path.isEmpty ? "(empty)" : parsed.path)
        var values: [String: String] = [:]
        var problems: [String] = []
        for (key, value) in parsed.query {
            let lower = key.lowercased()
            if !allowedKeys.contains(lower) { problems.append("unexpected parameter \(key)") }
            if values[lower] != nil { problems.append("duplicate parameter \(key)") }
            values[lower] = value
        }
        check(
            "parameters", problems.isEmpty,
            problems.isEmpty ? "only the allowed ones, each once" : problems.joined(separator: "; "))
        check("action", values["action"] == "GetCallerIdentity", values["action"] ?? "missing")
        check("version", values["version"] == STSClient.apiVersion, values["version"] ?? "missing")
        check(
            "algorithm", values["x-amz-algorithm"] == SigV4Signer.algorithm, values["x-amz-algorithm"] ?? "missing")
        let signed = (values["x-amz-signedheaders"] ?? "").split(separator: ";").map(String.init)
        report.signedHeaders = signed
        check(
            "signed cluster header", signed.contains(EKSToken.clusterIDHeader) && signed.contains("host"),
            signed.isEmpty ? "X-Amz-SignedHeaders missing" : signed.joined(separator: ";"))
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
                : "X-Amz-Credential missing or malformed")
        check(
            "signature", values["x-amz-signature"].map { $0.count == 64 && $0.allSatisfy(\.isHexDigit) } ?? false,
            values["x-amz-signature"].map { "\($0.prefix(8))… (\($0.count) hex digits)" } ?? "missing")
        if let signedAt {
            let expiresAt = signedAt.addingTimeInterval(EKSToken.validity)
            report.expiresAt = expiresAt
            // The server refuses only once now > X-Amz-Date + 15 min.
            let remaining = expiresAt.timeIntervalSince(now)
            let left = Int(remaining.rounded(.down))
            let future = signedAt.timeIntervalSince(now) > 300
            check(
                "age", remaining >= 0 && !future,
                future
                    ? "signed \(Timestamp.rfc3339(signedAt)), in the future: check the clock"
                    : remaining >= 0
                        ? "signed \(Timestamp.rfc3339(signedAt)), \(left / 60) min \(left % 60) s left"
                        : "expired at \(Timestamp.rfc3339(expiresAt)) (\(-left) s ago)")
        } else {
            check("age", false, "X-Amz-Date missing or not YYYYMMDDTHHMMSSZ")
        }
        report.redactedURL = parsed.redacted
        return report
    }

    /// Parses `YYYYMMDD'T'HHMMSS'Z'`.
    static func parseAmzDate(_ text: String) -> Date? {
        let s = Array(text)
        guard s.count == 16, s[8] == "T", s[15] == "Z" else { return nil }
        let iso =
            "\(String(s[0..<4]))-\(String(s[4..<6]))-\(String(s[6..<8]))T\(String(s[9..<11])):\(String(s[11..<13])):\(String(s[13..<15]))Z"
        return Timestamp.parseISO8601(iso)
    }
}

/// The presigned URL as the token checks see it, through the project's one URL reader: the host is
/// the whole authority lower-cased, as Go's `url.Parse` gives it to the EKS authenticator (port
/// included), and query values are percent-decoded.
struct TokenURL {
    var scheme: String
    var host: String
    var path: String
    var query: [(name: String, value: String)]
    var rawQuery: [(name: String, value: String)]

    init?(_ url: String) {
        guard let parsed = ParsedURL(url), parsed.scheme == "https" || parsed.scheme == "http",
            !parsed.authority.isEmpty
        else { return nil }
        scheme = parsed.scheme
        host = parsed.authority.lowercased()
        path = parsed.path
        rawQuery = parsed.rawQueryItems
        query = parsed.queryItems
    }

    /// The URL with the signature cut to 8 characters and the session token's value hidden, the
    /// parameters told apart by their decoded names (`X-Amz-Security%2DToken` is the session token too).
    var redacted: String {
        let decodedNames = query.count == rawQuery.count ? query.map(\.name) : rawQuery.map(\.name)
        let parts = zip(rawQuery, decodedNames).map { raw, decodedName -> String in
            let (key, value) = raw
            switch decodedName.lowercased() {
            case "x-amz-signature": return "\(key)=\(value.prefix(8))…"
            case "x-amz-security-token": return "\(key)=(\(value.count) characters, hidden)"
            default: return "\(key)=\(value)"
            }
        }
        return "\(scheme)://\(host)\(path)" + (parts.isEmpty ? "" : "?" + parts.joined(separator: "&"))
    }
}

/// An STS host as aws-iam-authenticator's server accepts it: the global endpoint, or a regional,
/// FIPS or dual-stack host of a known partition.
struct STSHost {
    var region: String
    var partition: String
    var signingRegion: String

    init?(_ host: String) {
        if host == "sts.amazonaws.com" {
            region = "us-east-1"
            partition = "aws"
            signingRegion = "us-east-1"
            return
        }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard labels.count >= 4, labels[0] == "sts" || labels[0] == "sts-fips", Region.isValid(labels[1]) else {
            return nil
        }
        let region = labels[1]
        let suffix = labels[2...].joined(separator: ".")
        let p = Partition.of(region: region)
        // The server knows no dual-stack STS domain for the ISO partitions.
        let dualStackAccepted = !p.id.hasPrefix("aws-iso")
        guard suffix == p.dnsSuffix || (dualStackAccepted && suffix == p.dualStackDNSSuffix) else { return nil }
        self.region = region
        self.partition = p.id
        self.signingRegion = region
    }
}
