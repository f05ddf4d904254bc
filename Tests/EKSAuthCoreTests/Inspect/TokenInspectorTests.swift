import EKSAuthTestSupport
import Foundation
import Testing

@testable import AWSConfiguration
@testable import AWSSigning
@testable import AWSTransport
@testable import EKSAuthCore
@testable import EKSAuthSystem

/// Tokens made by `EKSToken.make` at fixed instants, then tampered one rule at a time by editing
/// the decoded URL and encoding it again.
enum InspectorTokens {
    /// A session token nobody could mistake for anything else, so leaks are easy to spot.
    static let sessionToken = "IQoJb3JpZ2luX2VjEDISTINCTIVE/session+token=SECRET0123456789"
    static let credentials = AWSCredentials(
        accessKeyID: "ASIAINSPECTEXAMPLE01", secretAccessKey: Fixtures.secretAccessKey, sessionToken: sessionToken)
    static let signedAt = Fixtures.tokenVectorDate
    /// One minute after signing: well inside the 15-minute window.
    static let now = signedAt.addingTimeInterval(60)

    static func endpoint(host: String, signingRegion: String) -> ServiceEndpoint {
        ServiceEndpoint(endpoint: Endpoint(host: host), signingRegion: signingRegion, source: "test")
    }

    static func make(
        host: String = "sts.us-west-2.amazonaws.com", signingRegion: String = "us-west-2",
        credentials: AWSCredentials = credentials, at date: Date = signedAt
    ) -> EKSToken {
        EKSToken.make(
            credentials: credentials, endpoint: endpoint(host: host, signingRegion: signingRegion),
            clusterID: "dev.my-eks-cluster", at: date)
    }

    static let good = make()

    /// The presigned URL inside `token`.
    static func url(of token: String) -> String? {
        guard token.hasPrefix(EKSToken.prefix),
            let bytes = Base64URL.decode(String(token.dropFirst(EKSToken.prefix.count)))
        else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A token around `url`.
    static func token(for url: String) -> String {
        EKSToken.prefix + Base64URL.encode(Array(url.utf8))
    }

    /// The good token with `find` replaced by `replacement` in its URL (which must contain `find`).
    static func tampered(_ find: String, _ replacement: String) -> String {
        let url = good.url
        precondition(url.contains(find), "the test URL does not contain \(find): \(url)")
        return token(for: url.replacingAll(find, with: replacement))
    }

    /// The rules `token` fails at `now`.
    static func failures(_ token: String, now: Date = now) -> [String] {
        TokenInspector.inspect(token, now: now).checks.filter { !$0.passed }.map(\.rule)
    }
}

/// One tampering and the single rule it must break.
struct Tampering: Sendable, CustomTestStringConvertible {
    var name: String
    var token: String
    var rule: String

    var testDescription: String { name }

    static var all: [Tampering] {
        let t = InspectorTokens.tampered
        let signature = String(InspectorTokens.good.url.split(separator: "X-Amz-Signature=").last!)
        let long = AWSCredentials(
            accessKeyID: "ASIAINSPECTEXAMPLE01", secretAccessKey: Fixtures.secretAccessKey,
            sessionToken: String(repeating: "A", count: 3500))
        let payload = String(InspectorTokens.good.value.dropFirst(EKSToken.prefix.count))
        return [
            Tampering(
                name: "longer than 4096 bytes", token: InspectorTokens.make(credentials: long).value, rule: "length"),
            Tampering(name: "wrong prefix", token: "k8s-aws-v2." + payload, rule: "prefix"),
            Tampering(name: "standard base64 alphabet", token: EKSToken.prefix + payload + "+/", rule: "encoding"),
            Tampering(name: "not base64 at all", token: EKSToken.prefix + "not base64!", rule: "encoding"),
            Tampering(name: "padded base64url", token: InspectorTokens.good.value + "==", rule: "encoding"),
            Tampering(name: "http scheme", token: t("https://", "http://"), rule: "scheme"),
            Tampering(
                name: "a host that is not STS",
                token: t("sts.us-west-2.amazonaws.com", "sts.us-west-2.example.com"), rule: "host"),
            Tampering(
                name: "a VPC endpoint host",
                token: t("sts.us-west-2.amazonaws.com", "vpce-0abc-xyz.sts.us-west-2.vpce.amazonaws.com"),
                rule: "host"),
            Tampering(
                name: "a LocalStack-style custom endpoint",
                token: t("sts.us-west-2.amazonaws.com", "localhost.localstack.cloud"), rule: "host"),
            Tampering(
                name: "an STS host with a foreign suffix",
                token: t("sts.us-west-2.amazonaws.com", "sts.us-west-2.amazonaws.com.evil.example"), rule: "host"),
            Tampering(name: "wrong path", token: t(".com/?", ".com/sts/?"), rule: "path"),
            Tampering(name: "no path", token: t(".com/?", ".com?"), rule: "path"),
            Tampering(
                name: "an extra parameter", token: t("&X-Amz-Signature=", "&X-Amz-Foo=1&X-Amz-Signature="),
                rule: "parameters"),
            Tampering(
                name: "a duplicate parameter in other case",
                token: t("&X-Amz-Signature=", "&action=GetCallerIdentity&X-Amz-Signature="), rule: "parameters"),
            Tampering(
                name: "a duplicate parameter in the same case",
                token: t("&X-Amz-Signature=", "&Version=2011-06-15&X-Amz-Signature="), rule: "parameters"),
            Tampering(name: "wrong Action", token: t("Action=GetCallerIdentity", "Action=AssumeRole"), rule: "action"),
            Tampering(name: "wrong Version", token: t("Version=2011-06-15", "Version=2011-06-16"), rule: "version"),
            Tampering(
                name: "wrong algorithm", token: t("X-Amz-Algorithm=AWS4-HMAC-SHA256", "X-Amz-Algorithm=AWS4-HMAC-SHA1"),
                rule: "algorithm"),
            Tampering(
                name: "x-k8s-aws-id not signed",
                token: t("X-Amz-SignedHeaders=host%3Bx-k8s-aws-id", "X-Amz-SignedHeaders=host"),
                rule: "signed cluster header"),
            Tampering(
                name: "X-Amz-Expires 901", token: t("X-Amz-Expires=60", "X-Amz-Expires=901"), rule: "expires parameter"),
            Tampering(
                name: "X-Amz-Expires not a number", token: t("X-Amz-Expires=60", "X-Amz-Expires=sixty"),
                rule: "expires parameter"),
            Tampering(
                name: "X-Amz-Expires negative", token: t("X-Amz-Expires=60", "X-Amz-Expires=-1"),
                rule: "expires parameter"),
            Tampering(
                name: "credential scope for another service", token: t("%2Fsts%2Faws4_request", "%2Fs3%2Faws4_request"),
                rule: "credential scope"),
            Tampering(
                name: "credential scope dated another day", token: t("%2F20240102%2F", "%2F20240101%2F"),
                rule: "credential scope"),
            Tampering(
                name: "credential scope for another region than the host",
                token: t("%2Fus-west-2%2Fsts", "%2Fus-east-1%2Fsts"), rule: "credential scope"),
            Tampering(
                name: "credential scope without its terminator", token: t("%2Fsts%2Faws4_request", "%2Fsts"),
                rule: "credential scope"),
            Tampering(
                name: "signature cut short",
                token: t("X-Amz-Signature=" + signature, "X-Amz-Signature=" + signature.dropLast()),
                rule: "signature"),
            Tampering(
                name: "signature not hex",
                token: t("X-Amz-Signature=" + signature, "X-Amz-Signature=" + String(repeating: "z", count: 64)),
                rule: "signature"),
            Tampering(
                name: "signature in upper-case hex (STS compares the lower-case text)",
                token: t("X-Amz-Signature=" + signature, "X-Amz-Signature=" + signature.uppercased()),
                rule: "signature"),
        ]
    }
}

@Suite("Token inspector")
struct TokenInspectorTests {
    @Test("a token made by EKSToken.make passes every rule")
    func goodTokenPasses() {
        let report = TokenInspector.inspect(InspectorTokens.good.value, now: InspectorTokens.now)
        #expect(report.isValid)
        #expect(
            report.checks.map(\.rule) == [
                "length", "prefix", "encoding", "scheme", "host", "region", "path", "parameters", "action", "version",
                "algorithm", "signed cluster header", "expires parameter", "credential scope", "signature", "age",
            ])
        #expect(report.host == "sts.us-west-2.amazonaws.com")
        #expect(report.region == "us-west-2")
        #expect(report.partition == "aws")
        #expect(report.accessKeyID == "ASIAINSPECTEXAMPLE01")
        #expect(report.hasSessionToken)
        #expect(report.signedHeaders == ["host", "x-k8s-aws-id"])
        #expect(report.signedAt == InspectorTokens.signedAt)
        #expect(report.expiresAt == InspectorTokens.signedAt.addingTimeInterval(15 * 60))
        #expect(report.length == InspectorTokens.good.value.utf8.count)
    }

    @Test("the botocore test vector token passes every rule one minute after it was signed")
    func vectorTokenPasses() {
        let report = TokenInspector.inspect(EKSTokenTests.vectorToken, now: Fixtures.tokenVectorDate + 60)
        #expect(report.isValid)
        #expect(report.accessKeyID == "AKIDEXAMPLE")
    }

    @Test("a token from long-term keys reports no session token")
    func longTermKeys() {
        let token = InspectorTokens.make(credentials: Fixtures.credentials)
        let report = TokenInspector.inspect(token.value, now: InspectorTokens.now)
        #expect(report.isValid)
        #expect(!report.hasSessionToken)
        #expect(report.accessKeyID == Fixtures.accessKeyID)
    }

    @Test("each tampering breaks exactly its own rule", arguments: Tampering.all)
    func tampering(_ case_: Tampering) {
        #expect(InspectorTokens.failures(case_.token) == [case_.rule])
    }

    @Test("a repeated parameter is worded one way, whether repeated in the same case or another")
    func repeatedParameterWording() {
        let t = InspectorTokens.tampered
        let detail = { (token: String) in
            TokenInspector.inspect(token, now: InspectorTokens.now).checks.first { $0.rule == "parameters" }?.detail
        }
        #expect(
            detail(t("&X-Amz-Signature=", "&Version=2011-06-15&X-Amz-Signature=")) == "parameter Version given 2 times")
        #expect(
            detail(t("&X-Amz-Signature=", "&action=GetCallerIdentity&X-Amz-Signature="))
                == "parameter action given again as Action")
    }

    @Test("the longest token up to 4096 bytes passes and the next longer one fails the length rule")
    func lengthBoundary() throws {
        let make = { (n: Int) in
            InspectorTokens.make(
                credentials: AWSCredentials(
                    accessKeyID: "ASIAINSPECTEXAMPLE01", secretAccessKey: "s",
                    sessionToken: String(repeating: "B", count: n))
            ).value
        }
        var n = 1000
        var last = make(n)
        try #require(last.utf8.count <= EKSToken.maxLength)
        while make(n + 1).utf8.count <= EKSToken.maxLength {
            n += 1
            last = make(n)
        }
        let over = make(n + 1)
        #expect(last.utf8.count >= EKSToken.maxLength - 2)
        #expect(InspectorTokens.failures(last) == [])
        #expect(over.utf8.count > EKSToken.maxLength)
        #expect(InspectorTokens.failures(over) == ["length"])
    }

    @Test("a token older than 15 minutes fails only the age rule")
    func expired() throws {
        let later = InspectorTokens.signedAt.addingTimeInterval(15 * 60 + 1)
        #expect(InspectorTokens.failures(InspectorTokens.good.value, now: later) == ["age"])
        let check = try #require(
            TokenInspector.inspect(InspectorTokens.good.value, now: later).checks.first { $0.rule == "age" })
        #expect(check.detail.contains("expired at 2024-01-02T03:19:05Z"))
    }

    @Test("a token 14 minutes 59 seconds old still passes")
    func almostExpired() {
        let later = InspectorTokens.signedAt.addingTimeInterval(15 * 60 - 1)
        #expect(InspectorTokens.failures(InspectorTokens.good.value, now: later) == [])
    }

    @Test("a token in its last second, or exactly 15 minutes old, still passes: the server refuses only after")
    func lastSecond() {
        // aws-iam-authenticator rejects when now > X-Amz-Date + 15 min (facts 1.8).
        for age in [899.5, 900.0] {
            let now = InspectorTokens.signedAt.addingTimeInterval(age)
            #expect(InspectorTokens.failures(InspectorTokens.good.value, now: now) == [], "age \(age) s")
        }
    }

    @Test(
        "a token signed more than 15 minutes in the future fails only the age rule, as STS's, and says to check the clock"
    )
    func signedInFuture() throws {
        let earlier = InspectorTokens.signedAt.addingTimeInterval(-16 * 60)
        #expect(InspectorTokens.failures(InspectorTokens.good.value, now: earlier) == ["age"])
        let check = try #require(
            TokenInspector.inspect(InspectorTokens.good.value, now: earlier).checks.first { $0.rule == "age" })
        #expect(check.detail.contains("future"))
        #expect(check.owner == .sts)
    }

    @Test("a token signed up to 15 minutes in the future passes: the server does not look, STS allows the skew")
    func smallSkew() {
        for skew: Double in [60, 600, 900] {
            let earlier = InspectorTokens.signedAt.addingTimeInterval(-skew)
            #expect(InspectorTokens.failures(InspectorTokens.good.value, now: earlier) == [], "skew \(skew) s")
        }
    }

    @Test("x-k8s-aws-id signed alone passes, in any case: the server does not ask for host")
    func clusterHeaderAlone() {
        for headers in ["x-k8s-aws-id", "X-K8S-AWS-ID", "content-type%3Bx-k8s-aws-id"] {
            let token = InspectorTokens.tampered(
                "X-Amz-SignedHeaders=host%3Bx-k8s-aws-id", "X-Amz-SignedHeaders=" + headers)
            #expect(InspectorTokens.failures(token) == [], "\(headers)")
        }
    }

    @Test(
        "a host naming a mistyped or unknown region fails the region rule, with the nearest name when close",
        arguments: [
            ("sts.eu-wset-1.amazonaws.com", "eu-wset-1", "did you mean 'eu-west-1'?"),
            ("sts.us-est-1.amazonaws.com", "us-est-1", "did you mean 'us-east-1'?"),
            ("sts-fips.us-west-3.amazonaws.com", "us-west-3", "did you mean 'us-west-1'?"),
            ("sts.not-a-region.amazonaws.com", "not-a-region", "is not a region STS has an endpoint in"),
            ("sts.aws-global.api.aws", "aws-global", "is not a region STS has an endpoint in"),
        ])
    func unknownRegion(host: String, region: String, detail: String) throws {
        let token = InspectorTokens.make(host: host, signingRegion: region)
        let report = TokenInspector.inspect(token.value, now: InspectorTokens.now)
        #expect(InspectorTokens.failures(token.value) == ["region"])
        #expect(report.passesAuthenticator)
        let check = try #require(report.checks.first { $0.rule == "region" })
        #expect(check.detail.contains(detail))
        #expect(check.owner == .regionData)
    }

    @Test("a host in upper case, with a port or with user info is read as Go reads it for the server")
    func goURLHost() {
        let t = InspectorTokens.tampered
        #expect(InspectorTokens.failures(t("sts.us-west-2.amazonaws.com", "STS.us-west-2.amazonaws.com")) == ["host"])
        #expect(
            InspectorTokens.failures(t("sts.us-west-2.amazonaws.com", "sts.us-west-2.amazonaws.com:443")) == ["host"])
        #expect(InspectorTokens.failures(t("https://sts.", "https://someone@sts.")) == [])
        #expect(InspectorTokens.failures(t("https://", "HTTPS://")) == [])
    }

    @Test("a query Go's ParseQuery refuses fails the parameters rule: a bad escape or a ';'")
    func goQuery() {
        let t = InspectorTokens.tampered
        // The pair Go cannot read is left out, as url.ParseQuery leaves it out, so its parameter is missing too.
        #expect(
            InspectorTokens.failures(t("X-Amz-Expires=60", "X-Amz-Expires=60%gh")) == [
                "parameters", "expires parameter",
            ])
        #expect(
            InspectorTokens.failures(t("X-Amz-Expires=60&", "X-Amz-Expires=60;"))
                == ["parameters", "signed cluster header", "expires parameter"])
        #expect(InspectorTokens.failures(t("X-Amz-Expires=60", "X-Amz-Expires=%2B60")) == [])
        #expect(InspectorTokens.failures(t("X-Amz-Expires=60&", "X-Amz-Expires=60&&")) == [])
    }

    @Test("a token whose X-Amz-Date does not parse fails the scope and age rules")
    func unparsableDate() {
        let token = InspectorTokens.tampered("X-Amz-Date=20240102T030405Z", "X-Amz-Date=2024-01-02T03:04:05Z")
        #expect(InspectorTokens.failures(token) == ["credential scope", "age"])
    }

    @Test("a decoded text that is not a URL fails the url rule and stops there")
    func notAURL() {
        let token = InspectorTokens.token(for: "just some words")
        let report = TokenInspector.inspect(token, now: InspectorTokens.now)
        #expect(report.checks.map(\.rule) == ["length", "prefix", "encoding", "url"])
        #expect(InspectorTokens.failures(token) == ["url"])
    }

    @Test("bytes that are not UTF-8 fail the encoding rule")
    func notUTF8() {
        let token = EKSToken.prefix + Base64URL.encode([0xff, 0xfe, 0x80, 0x81])
        #expect(InspectorTokens.failures(token) == ["encoding"])
    }

    @Test(
        "every STS host form EKS accepts passes, with its region and partition",
        arguments: [
            ("sts.amazonaws.com", "us-east-1", "us-east-1", "aws"),
            ("sts.us-west-2.amazonaws.com", "us-west-2", "us-west-2", "aws"),
            ("sts.eu-central-1.amazonaws.com", "eu-central-1", "eu-central-1", "aws"),
            ("sts-fips.us-east-1.amazonaws.com", "us-east-1", "us-east-1", "aws"),
            ("sts.us-east-2.api.aws", "us-east-2", "us-east-2", "aws"),
            ("sts-fips.us-east-2.api.aws", "us-east-2", "us-east-2", "aws"),
            ("sts.cn-north-1.amazonaws.com.cn", "cn-north-1", "cn-north-1", "aws-cn"),
            ("sts.cn-northwest-1.api.amazonwebservices.com.cn", "cn-northwest-1", "cn-northwest-1", "aws-cn"),
            ("sts.us-gov-west-1.amazonaws.com", "us-gov-west-1", "us-gov-west-1", "aws-us-gov"),
            ("sts.us-gov-west-1.api.aws", "us-gov-west-1", "us-gov-west-1", "aws-us-gov"),
            ("sts.us-iso-east-1.c2s.ic.gov", "us-iso-east-1", "us-iso-east-1", "aws-iso"),
            ("sts.us-isob-east-1.sc2s.sgov.gov", "us-isob-east-1", "us-isob-east-1", "aws-iso-b"),
            ("sts.eu-isoe-west-1.cloud.adc-e.uk", "eu-isoe-west-1", "eu-isoe-west-1", "aws-iso-e"),
            ("sts.us-isof-south-1.csp.hci.ic.gov", "us-isof-south-1", "us-isof-south-1", "aws-iso-f"),
        ])
    func acceptedHosts(host: String, signingRegion: String, region: String, partition: String) {
        let token = InspectorTokens.make(host: host, signingRegion: signingRegion)
        let report = TokenInspector.inspect(token.value, now: InspectorTokens.now)
        #expect(report.checks.filter { !$0.passed }.map(\.rule) == [])
        #expect(report.host == host)
        #expect(report.region == region)
        #expect(report.partition == partition)
    }

    @Test(
        "STS-looking hosts under the wrong partition's domain fail the host rule",
        arguments: [
            "sts.cn-north-1.amazonaws.com",
            "sts.us-east-1.amazonaws.com.cn",
            "sts.us-east-1.api.amazonwebservices.com.cn",
            "sts.us-iso-east-1.amazonaws.com",
            "sts.us-east-1.c2s.ic.gov",
            "iam.us-east-1.amazonaws.com",
            "sts.-bad-.amazonaws.com",
            "sts.amazonaws.com.cn",
            // GovCloud's FIPS host is sts.REGION.amazonaws.com itself; the SDK rules give no sts-fips there.
            "sts-fips.us-gov-east-1.amazonaws.com",
        ])
    func rejectedHosts(host: String) {
        let token = InspectorTokens.make(host: host, signingRegion: "us-east-1")
        #expect(InspectorTokens.failures(token.value).contains("host"))
    }

    @Test("an aws-iso dual-stack host fails the host rule, as the server knows no dual-stack domain for ISO")
    func isoDualStack() {
        // facts 2.4: aws-iam-authenticator hard-codes no dual-stack domain for aws-iso, so this host is refused.
        let token = InspectorTokens.make(host: "sts.us-iso-east-1.api.aws.ic.gov", signingRegion: "us-iso-east-1")
        #expect(InspectorTokens.failures(token.value) == ["host"])
    }

    @Test("a signature for a region the global host does not sign for fails the credential scope")
    func globalHostScope() {
        let token = InspectorTokens.make(host: "sts.amazonaws.com", signingRegion: "us-west-2")
        #expect(InspectorTokens.failures(token.value) == ["credential scope"])
    }

    @Test("the Go SDK's sorted parameter order passes too")
    func goOrder() {
        let url = InspectorTokens.good.url
        let (base, query) = (url.split(separator: "?")[0], url.split(separator: "?")[1])
        let sorted = query.split(separator: "&").sorted().joined(separator: "&")
        #expect(InspectorTokens.failures(InspectorTokens.token(for: "\(base)?\(sorted)")) == [])
    }
}

@Suite("Token inspector input")
struct TokenInspectorInputTests {
    static let execCredential = """
        {
          "kind": "ExecCredential",
          "apiVersion": "client.authentication.k8s.io/v1beta1",
          "spec": {},
          "status": {"expirationTimestamp": "2024-01-02T03:18:05Z", "token": "\(InspectorTokens.good.value)"}
        }
        """

    @Test("an ExecCredential's status.token is taken out of the JSON")
    func execCredential() throws {
        #expect(try TokenInspector.extractToken(from: Self.execCredential) == InspectorTokens.good.value)
        #expect(
            try TokenInspector.extractToken(from: "\n  " + Self.execCredential + "\n") == InspectorTokens.good.value)
    }

    @Test("a bare token is trimmed of surrounding spaces, tabs and newlines")
    func bareToken() throws {
        #expect(
            try TokenInspector.extractToken(from: "  \(InspectorTokens.good.value)\n") == InspectorTokens.good.value)
        #expect(
            try TokenInspector.extractToken(from: "\t\(InspectorTokens.good.value) \t") == InspectorTokens.good.value)
    }

    @Test("a token followed by a CRLF line end (a file saved on Windows) is trimmed too")
    func crlf() throws {
        // Swift treats "\r\n" as one Character, which trimmingWhitespace compares with "\r" and "\n" apart.
        let token = try? TokenInspector.extractToken(from: "\(InspectorTokens.good.value)\r\n")
        #expect(token == InspectorTokens.good.value)
        #expect(throws: TokenInputError.empty) { try TokenInspector.extractToken(from: " \r\n") }
    }

    @Test("1 MB of noise is refused as too long before any decoding")
    func megabyteOfNoise() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        let noise = String((0..<1_000_000).map { _ in alphabet[Int(generator.next() % 64)] })
        #expect(throws: TokenInputError.tooLong(1_000_000)) { try TokenInspector.extractToken(from: noise) }
    }

    @Test("empty or blank input is refused as empty", arguments: ["", "   ", "\n\n", "\t \n"])
    func empty(_ input: String) {
        #expect(throws: TokenInputError.empty) { try TokenInspector.extractToken(from: input) }
    }

    @Test(
        "JSON that is not an ExecCredential with status.token is refused",
        arguments: [
            "{}", "{\"kind\":\"ExecCredential\"}", "{\"status\":{}}", "{\"status\":{\"token\":42}}",
            "{not json at all", "{\"status\":\"k8s-aws-v1.abc\"}",
        ])
    func notExecCredential(_ input: String) {
        #expect(throws: TokenInputError.notExecCredential) { try TokenInspector.extractToken(from: input) }
    }

    @Test("input errors are bad input (exit 65) and say what to do")
    func inputErrorKinds() {
        #expect(TokenInputError.empty.kind == .badInput)
        #expect(TokenInputError.tooLong(5000).kind == .badInput)
        #expect(TokenInputError.notExecCredential.kind == .badInput)
        #expect(TokenInputError.tooLong(5000).message.contains("5000"))
    }
}

@Suite("Token report rendering")
struct TokenReportRenderingTests {
    static let signature = String(InspectorTokens.good.url.split(separator: "X-Amz-Signature=").last!)
    static let encodedSessionToken = SigV4Signer.uriEncode(InspectorTokens.sessionToken)

    /// Reports of good and failing tokens, rendered both ways.
    static var renderings: [String] {
        let tokens = [
            InspectorTokens.good.value,
            InspectorTokens.tampered("Action=GetCallerIdentity", "Action=AssumeRole"),
            InspectorTokens.tampered("&X-Amz-Signature=", "&x-amz-security-token=again&X-Amz-Signature="),
            InspectorTokens.tampered("https://sts.us-west-2.amazonaws.com", "http://127.0.0.1:9"),
        ]
        let identity = VerifiedIdentity(
            arn: "arn:aws:sts::123456789012:assumed-role/dev.eks-access.role/alice",
            canonicalARN: "arn:aws:iam::123456789012:role/dev.eks-access.role", account: "123456789012",
            userID: "AROAEXAMPLE:alice", sessionName: "alice")
        return tokens.flatMap { token -> [String] in
            let report = TokenInspector.inspect(token, now: InspectorTokens.now)
            return [
                report.text(now: InspectorTokens.now), report.json(now: InspectorTokens.now),
                report.text(now: InspectorTokens.now, identity: identity),
                report.json(now: InspectorTokens.now, identity: identity), report.redactedURL ?? "",
            ]
        }
    }

    @Test("no rendering shows the full signature or the session token")
    func noSecrets() {
        #expect(Self.signature.count == 64)
        for text in Self.renderings {
            #expect(!text.contains(Self.signature))
            #expect(!text.contains(InspectorTokens.sessionToken))
            #expect(!text.contains(Self.encodedSessionToken))
            #expect(!text.contains("DISTINCTIVE"))
        }
    }

    @Test("the text report shows each rule as PASS or FAIL")
    func textMarks() {
        let bad = InspectorTokens.tampered("Version=2011-06-15", "Version=1999-01-01")
        let text = TokenInspector.inspect(bad, now: InspectorTokens.now).text(now: InspectorTokens.now)
        #expect(text.contains("FAIL version"))
        #expect(text.contains("PASS action"))
        #expect(text.contains("sts.us-west-2.amazonaws.com"))
        #expect(text.contains("ASIAINSPECTEXAMPLE01"))
        #expect(text.contains("present (temporary credentials)"))
    }

    @Test("the JSON report parses and carries the verdict, the facts and every check")
    func jsonShape() throws {
        let report = TokenInspector.inspect(InspectorTokens.good.value, now: InspectorTokens.now)
        let json = report.json(now: InspectorTokens.now)
        let object = try #require(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["valid"] as? Bool == true)
        #expect(object["stsHost"] as? String == "sts.us-west-2.amazonaws.com")
        #expect(object["accessKeyId"] as? String == "ASIAINSPECTEXAMPLE01")
        #expect(object["sessionToken"] as? Bool == true)
        #expect(object["signedAt"] as? String == "2024-01-02T03:04:05Z")
        #expect(object["expiresAt"] as? String == "2024-01-02T03:19:05Z")
        #expect(object["secondsLeft"] as? Int == 840)
        let checks = try #require(object["checks"] as? [[String: Any]])
        #expect(checks.count == report.checks.count)
        #expect(checks.allSatisfy { $0["passed"] as? Bool == true })
    }

    @Test("the JSON report of a failing token says valid false and names the failed rule")
    func jsonFailure() throws {
        let bad = InspectorTokens.tampered("X-Amz-Expires=60", "X-Amz-Expires=901")
        let json = TokenInspector.inspect(bad, now: InspectorTokens.now).json(now: InspectorTokens.now)
        let object = try #require(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["valid"] as? Bool == false)
        let checks = try #require(object["checks"] as? [[String: Any]])
        #expect(
            checks.filter { $0["passed"] as? Bool == false }.compactMap { $0["rule"] as? String } == [
                "expires parameter"
            ])
    }

    @Test("the redacted URL keeps the host and parameters but hides the secrets")
    func redactedURL() throws {
        let report = TokenInspector.inspect(InspectorTokens.good.value, now: InspectorTokens.now)
        let url = try #require(report.redactedURL)
        #expect(url.hasPrefix("https://sts.us-west-2.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&"))
        #expect(url.contains("X-Amz-Signature=\(Self.signature.prefix(8))…"))
        #expect(url.contains("X-Amz-Security-Token=(\(Self.encodedSessionToken.count) characters, hidden)"))
    }
}
