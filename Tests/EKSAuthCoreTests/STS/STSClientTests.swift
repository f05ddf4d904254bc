import EKSAuthTestSupport
import Foundation
import Synchronization
import Testing

@testable import AWSConfiguration
@testable import AWSSigning
@testable import AWSTransport
@testable import EKSAuthCore
@testable import EKSAuthSystem

@Suite("STS client")
struct STSClientTests {
    static let endpoint = ServiceEndpoint(
        endpoint: Endpoint(host: "sts.eu-west-1.amazonaws.com"), signingRegion: "eu-west-1", source: "test")
    static let parameters = AssumeRoleParameters(
        roleARN: "arn:aws:iam::123456789012:role/dev.eks-access.role", sessionName: "alice", externalID: "ext-1",
        durationSeconds: 3600, serialNumber: "arn:aws:iam::123456789012:mfa/alice", tokenCode: "123456")

    static func client(_ http: HTTPClient, attempts: Int = 3, sleeps: Recorder<Double>? = nil) -> STSClient {
        let policy = RetryPolicy(
            maxAttempts: attempts, attemptTimeout: 2, sleep: { seconds in sleeps?.append(seconds) },
            random: { 1.0 })
        return STSClient(endpoint: endpoint, http: http, clock: .fixed(Fixtures.sigV4SuiteDate), retry: policy)
    }

    @Test("AssumeRole sends a signed form POST with every parameter and reads the credentials")
    func assumeRole() throws {
        let http = FakeHTTPClient { _, _ in STSReplies.assumeRole() }
        let role = try Self.client(http).assumeRole(Self.parameters, as: Fixtures.credentials)
        #expect(role.credentials.accessKeyID == "ASIAASSUMEDEXAMPLE")
        #expect(role.credentials.secretAccessKey == "assumed/secret+KEY")
        #expect(role.credentials.sessionToken == "assumed-session-token")
        #expect(role.credentials.expiration == Timestamp.parseISO8601("2024-01-02T04:04:05Z"))
        #expect(role.assumedRoleARN == "arn:aws:sts::123456789012:assumed-role/dev.eks-access.role/alice")
        let request = try #require(http.requests.first)
        #expect(request.method == "POST")
        #expect(request.url == "https://sts.eu-west-1.amazonaws.com/")
        #expect(request.timeout == 2)
        let body = String(decoding: request.body, as: UTF8.self)
        #expect(
            body
                == "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdev.eks-access.role"
                + "&RoleSessionName=alice&DurationSeconds=3600&ExternalId=ext-1"
                + "&SerialNumber=arn%3Aaws%3Aiam%3A%3A123456789012%3Amfa%2Falice&TokenCode=123456")
        let authorization = try #require(request.header("Authorization"))
        #expect(authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/eu-west-1/sts/aws4_request"))
        #expect(authorization.contains("SignedHeaders=content-type;host;x-amz-date,"))
        #expect(request.header("User-Agent")?.hasPrefix("eks-auth/") == true)
    }

    @Test("the signature of the POST matches one recomputed from its parts")
    func signatureRecomputed() throws {
        let http = FakeHTTPClient { _, _ in STSReplies.callerIdentity() }
        _ = try Self.client(http).callerIdentity(as: Fixtures.credentials)
        let request = try #require(http.requests.first)
        let signer = SigV4Signer(credentials: Fixtures.credentials, region: "eu-west-1", service: "sts")
        let canonical = signer.canonicalRequest(
            method: "POST", path: "/", query: [],
            headers: [
                ("content-type", "application/x-www-form-urlencoded; charset=utf-8"),
                ("host", "sts.eu-west-1.amazonaws.com"), ("x-amz-date", "20150830T123600Z"),
            ], payloadHash: Crypto.hex(Crypto.sha256(request.body)))
        let signature = signer.signature(
            of: signer.stringToSign(canonicalRequest: canonical, timestamp: "20150830T123600Z"),
            timestamp: "20150830T123600Z")
        #expect(request.header("Authorization")?.hasSuffix("Signature=\(signature)") == true)
    }

    @Test("GetCallerIdentity reads account, ARN and user id")
    func callerIdentity() throws {
        let http = FakeHTTPClient { _, _ in STSReplies.callerIdentity() }
        let identity = try Self.client(http).callerIdentity(as: Fixtures.credentials)
        #expect(
            identity
                == CallerIdentity(
                    account: "123456789012", arn: "arn:aws:iam::123456789012:user/alice", userID: "AIDAEXAMPLE"))
    }

    @Test(
        "throttling, 5xx and connection failures are retried with growing backoff",
        arguments: [
            STSReplies.error(status: 400, code: "Throttling"), STSReplies.error(status: 500, code: "InternalFailure"),
            HTTPResponse(status: 503, body: Array("Service Unavailable".utf8)),
        ])
    func retried(failure: HTTPResponse) throws {
        let sleeps = Recorder<Double>()
        let http = FakeHTTPClient { _, attempt in attempt < 3 ? failure : STSReplies.assumeRole() }
        _ = try Self.client(http, attempts: 3, sleeps: sleeps).assumeRole(Self.parameters, as: Fixtures.credentials)
        #expect(http.requests.count == 3)
        #expect(sleeps.all == [0.2, 0.4])
    }

    @Test("a connection failure is retried and then reported as unreachable")
    func unreachable() throws {
        let http = FakeHTTPClient { _, _ in throw HTTPTransportError.timedOut }
        #expect(
            throws: AWSServiceError.unreachable(
                service: "sts", operation: "AssumeRole", endpoint: "https://sts.eu-west-1.amazonaws.com/",
                reason: "no answer within 2 s",
                attempts: 2)
        ) {
            try Self.client(http, attempts: 2).assumeRole(Self.parameters, as: Fixtures.credentials)
        }
        #expect(http.requests.count == 2)
    }

    @Test("each retry is told before its pause: the call, the reason, the pause and the attempt numbers")
    func retryNotices() throws {
        let notices = Recorder<String>()
        let sleeps = Recorder<Double>()
        let policy = RetryPolicy(
            maxAttempts: 3, baseDelay: 0.2, attemptTimeout: 2, sleep: { sleeps.append($0) }, random: { 1.0 },
            notice: { line, _ in notices.append(line) })
        let http = FakeHTTPClient { _, attempt in
            if attempt == 1 { throw HTTPTransportError.timedOut }
            if attempt == 2 { return STSReplies.error(status: 400, code: "Throttling") }
            return STSReplies.assumeRole()
        }
        let client = STSClient(
            endpoint: Self.endpoint, http: http, clock: .fixed(Fixtures.sigV4SuiteDate), retry: policy)
        _ = try client.assumeRole(Self.parameters, as: Fixtures.credentials)
        #expect(
            notices.all == [
                "STS AssumeRole: no answer within 2 s; retrying in 200 ms (attempt 2 of 3)",
                "STS AssumeRole: Throttling, HTTP 400; retrying in 400 ms (attempt 3 of 3)",
            ])
        #expect(sleeps.all == [0.2, 0.4])
    }

    @Test(
        "a pause is spoken in milliseconds below a second, else in seconds",
        arguments: [
            (0.0004, "0 ms"), (0.15, "150 ms"), (0.9996, "1000 ms"), (1, "1 s"), (1.25, "1.3 s"), (5, "5 s"),
        ])
    func spokenPause(_ seconds: Double, _ words: String) {
        #expect(DurationText.pause(seconds) == words)
    }

    @Test("AccessDenied is not retried and names the role, the code, the message and the request id")
    func accessDenied() throws {
        let http = FakeHTTPClient { _, _ in STSReplies.error(status: 403, code: "AccessDenied") }
        let error = try #require(throws: AWSServiceError.self) {
            try Self.client(http).assumeRole(Self.parameters, as: Fixtures.credentials)
        }
        #expect(http.requests.count == 1)
        #expect(error.kind == FailureKind.denied)
        #expect(
            error.message
                == "AssumeRole of arn:aws:iam::123456789012:role/dev.eks-access.role denied: AccessDenied: denied & logged (request id req-err)"
        )
    }

    @Test("throttling that never ends is reported with the service's code after the last attempt")
    func throttledToTheEnd() throws {
        let http = FakeHTTPClient { _, _ in STSReplies.error(status: 400, code: "Throttling", message: "Rate exceeded")
        }
        let error = try #require(throws: AWSServiceError.self) {
            try Self.client(http, attempts: 3).assumeRole(Self.parameters, as: Fixtures.credentials)
        }
        #expect(http.requests.count == 3)
        #expect(error.kind == FailureKind.unavailable)
        #expect(error.message.contains("Throttling: Rate exceeded"))
    }

    @Test("a bad parameter is a usage error and is not retried")
    func validationError() throws {
        let http = FakeHTTPClient { _, _ in STSReplies.error(status: 400, code: "ValidationError") }
        let error = try #require(throws: AWSServiceError.self) {
            try Self.client(http).assumeRole(Self.parameters, as: Fixtures.credentials)
        }
        #expect(http.requests.count == 1)
        #expect(error.kind == FailureKind.usage)
    }

    @Test("a 200 without credentials is a malformed response")
    func malformed() throws {
        let http = FakeHTTPClient { _, _ in HTTPResponse(status: 200, body: Array("<html>proxy login</html>".utf8)) }
        #expect(
            throws: AWSServiceError.malformedResponse(
                service: "sts", operation: "AssumeRole", endpoint: "https://sts.eu-west-1.amazonaws.com/", status: 200)
        ) {
            try Self.client(http).assumeRole(Self.parameters, as: Fixtures.credentials)
        }
    }

    @Test("the retry policy reads AWS_MAX_ATTEMPTS and EKS_AUTH_HTTP_TIMEOUT and refuses nonsense")
    func retryPolicyFromEnvironment() throws {
        let policy = try RetryPolicy.from(
            environment: ["AWS_MAX_ATTEMPTS": "5", "EKS_AUTH_HTTP_TIMEOUT": "1.5"], sleep: { _ in }, random: { 0 })
        #expect(policy.maxAttempts == 5)
        #expect(policy.attemptTimeout == 1.5)
        #expect(throws: ConfigError.self) {
            try RetryPolicy.from(environment: ["AWS_MAX_ATTEMPTS": "zero"], sleep: { _ in }, random: { 0 })
        }
        #expect(throws: ConfigError.self) {
            try RetryPolicy.from(environment: ["EKS_AUTH_HTTP_TIMEOUT": "-1"], sleep: { _ in }, random: { 0 })
        }
        let capped = RetryPolicy(maxAttempts: 10, baseDelay: 1, maxDelay: 5, sleep: { _ in }, random: { 1 })
        #expect(capped.delay(afterAttempt: 1) == 1)
        #expect(capped.delay(afterAttempt: 8) == 5)
    }
}

@Suite("XML text")
struct XMLTextTests {
    @Test("reads nested values, decodes entities and CDATA, and tolerates attributes")
    func values() {
        let xml = XMLText(
            """
            <R xmlns="x"><A attr="1"><B>one &amp; two &lt;3&gt; &#65;&#x42;</B></A><B>outer</B>
            <C><![CDATA[raw <text>]]></C><Empty/></R>
            """)
        #expect(xml.value(at: "A", "B") == "one & two <3> AB")
        #expect(xml.value(at: "B") == "one & two <3> AB")
        #expect(xml.value(at: "C") == "raw <text>")
        #expect(xml.value(at: "Empty") == "")
        #expect(xml.value(at: "Missing") == nil)
        #expect(xml.value(at: "A", "C") == nil)
    }

    @Test("does not confuse an element with one whose name it prefixes")
    func prefixNames() {
        let xml = XMLText("<Credentials><AccessKeyIdX>no</AccessKeyIdX><AccessKeyId>yes</AccessKeyId></Credentials>")
        #expect(xml.value(at: "Credentials", "AccessKeyId") == "yes")
    }
}

@Suite("A reply that is not AWS's")
struct ForeignReplyTests {
    @Test("a proxy's HTML error page is shown as a bounded, one-line, escaped excerpt")
    func htmlExcerpt() throws {
        let page =
            "<html>\n  <head><title>502 Bad Gateway</title></head>\n<body>\u{1B}[2J"
            + String(
                repeating: "x", count: 5_000) + "</body></html>"
        let http = FakeHTTPClient { _, _ in HTTPResponse(status: 502, body: Array(page.utf8)) }
        let error = #expect(throws: AWSServiceError.self) {
            try STSClientTests.client(http, attempts: 1).assumeRole(STSClientTests.parameters, as: Fixtures.credentials)
        }
        let message = error?.message ?? ""
        #expect(
            message.contains("HTTP 502: <html> <head><title>502 Bad Gateway</title></head> <body>\\e[2J"), "\(message)")
        #expect(message.contains("more characters)"))
        #expect(!message.contains("\n") && !message.contains("\u{1B}"))
        #expect(message.count < 600)
        let empty = FakeHTTPClient { _, _ in HTTPResponse(status: 503, body: []) }
        let bare = #expect(throws: AWSServiceError.self) {
            try STSClientTests.client(empty, attempts: 1).assumeRole(
                STSClientTests.parameters, as: Fixtures.credentials)
        }
        #expect(bare?.message.contains("HTTP 503") == true)
    }
}
