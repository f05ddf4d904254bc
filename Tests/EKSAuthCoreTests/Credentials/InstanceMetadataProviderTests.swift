import EKSAuthTestSupport
import Foundation
import Testing

@testable import AWSConfiguration
@testable import AWSSigning
@testable import AWSTransport
@testable import EKSAuthCore
@testable import EKSAuthSystem

@Suite("Instance metadata credentials")
struct InstanceMetadataProviderTests {
    static let imdsToken = "imds-session-token-AQAEAxyz=="
    static let secret = "imds/secret+KEY"
    static let sessionToken = "imds-role-session-token"
    static let credentialsJSON = """
        {"Code": "Success", "LastUpdated": "2024-01-02T02:00:00Z", "Type": "AWS-HMAC",
         "AccessKeyId": "ASIAIMDS", "SecretAccessKey": "\(secret)", "Token": "\(sessionToken)",
         "Expiration": "2024-01-02T09:04:05Z"}
        """

    /// An instance metadata service: `tokenStatus` for the token PUT, then `role` (nil: 404) and its
    /// credentials, and `region` for the placement.
    static func service(
        tokenStatus: Int = 200, role: String? = "eks-node-role", credentials: String = credentialsJSON,
        region: String = "eu-central-1"
    ) -> FakeHTTPClient {
        FakeHTTPClient { request, _ in
            let path = String(request.url.drop { $0 != "/" }.dropFirst(2).drop { $0 != "/" })
            switch (request.method, path) {
            case ("PUT", "/latest/api/token"):
                return HTTPResponse(status: tokenStatus, body: tokenStatus == 200 ? Array(imdsToken.utf8) : [])
            case ("GET", "/latest/meta-data/iam/security-credentials/"):
                guard let role else { return HTTPResponse(status: 404) }
                return HTTPResponse(status: 200, body: Array((role + "\n").utf8))
            case ("GET", "/latest/meta-data/placement/region"):
                return HTTPResponse(status: 200, body: Array(region.utf8))
            case ("GET", _) where path.hasPrefix("/latest/meta-data/iam/security-credentials/"):
                return HTTPResponse(status: 200, body: Array(credentials.utf8))
            default:
                return HTTPResponse(status: 404)
            }
        }
    }

    static func provider(
        _ environment: [String: String] = [:], profile: [String: String]? = nil, http: FakeHTTPClient,
        sleeps: Recorder<Double> = Recorder(), trace: Recorder<String> = Recorder()
    ) -> InstanceMetadataProvider {
        let system = SystemContext(
            environment: Environment(environment), clock: .fixed(Fixtures.tokenVectorDate),
            fileSystem: InMemoryFileSystem(), tracer: Tracer { trace.append($0) }, http: { http },
            sleep: { sleeps.append($0) })
        return InstanceMetadataProvider(
            system: system,
            profile: profile.map { Profile(name: "dev", values: $0.mapValues { .string($0) }, sources: ["config"]) })
    }

    @Test("gets an IMDSv2 token, then the role name and its credentials, each with the token")
    func tokenFlow() throws {
        let http = Self.service()
        let outcome = try Self.provider(http: http).fetch(wantRegion: false)
        let expected = ResolvedCredentials(
            credentials: AWSCredentials(
                accessKeyID: "ASIAIMDS", secretAccessKey: Self.secret, sessionToken: Self.sessionToken,
                expiration: Date(timeIntervalSince1970: 1_704_186_245)),
            source: .instanceMetadata(endpoint: "http://169.254.169.254", role: "eks-node-role"))
        #expect(outcome == .found(expected))
        let requests = http.requests
        #expect(
            requests.map { "\($0.method) \($0.url)" } == [
                "PUT http://169.254.169.254/latest/api/token",
                "GET http://169.254.169.254/latest/meta-data/iam/security-credentials/",
                "GET http://169.254.169.254/latest/meta-data/iam/security-credentials/eks-node-role",
            ])
        #expect(requests[0].header("x-aws-ec2-metadata-token-ttl-seconds") == "21600")
        #expect(requests[0].header("x-aws-ec2-metadata-token") == nil)
        #expect(requests.dropFirst().allSatisfy { $0.header("x-aws-ec2-metadata-token") == Self.imdsToken })
        #expect(requests.allSatisfy { $0.timeout == 1 })
    }

    @Test("asks for the region only when wanted, and ignores one that is not a region name")
    func region() throws {
        let http = Self.service()
        #expect(
            try Self.provider(http: http).fetch(wantRegion: true)
                == .found(
                    ResolvedCredentials(
                        credentials: AWSCredentials(
                            accessKeyID: "ASIAIMDS", secretAccessKey: Self.secret, sessionToken: Self.sessionToken,
                            expiration: Date(timeIntervalSince1970: 1_704_186_245)),
                        source: .instanceMetadata(endpoint: "http://169.254.169.254", role: "eks-node-role"),
                        region: "eu-central-1")))
        #expect(http.requests.last?.url == "http://169.254.169.254/latest/meta-data/placement/region")
        #expect(http.requests.last?.header("x-aws-ec2-metadata-token") == Self.imdsToken)
        let noRegion = Self.service()
        guard let region = try Self.provider(http: noRegion).fetch(wantRegion: false).resolved.map(\.region) else {
            Issue.record("expected credentials")
            return
        }
        #expect(region == nil)
        #expect(!noRegion.requests.contains { $0.url.hasSuffix("placement/region") })
        let garbage = Self.service(region: "<html>not a region</html>")
        guard let bad = try Self.provider(http: garbage).fetch(wantRegion: true).resolved.map(\.region) else {
            Issue.record("expected credentials")
            return
        }
        #expect(bad == nil)
    }

    @Test("URL-encodes the role name and uses the first line of the answer")
    func roleName() throws {
        let http = FakeHTTPClient { request, _ in
            if request.method == "PUT" { return HTTPResponse(status: 200, body: Array("t".utf8)) }
            if request.url.hasSuffix("/security-credentials/") {
                return HTTPResponse(status: 200, body: Array("  role with space \nsecond-role\n".utf8))
            }
            return HTTPResponse(status: 200, body: Array(Self.credentialsJSON.utf8))
        }
        _ = try Self.provider(http: http).fetch(wantRegion: false)
        #expect(
            http.requests.last?.url
                == "http://169.254.169.254/latest/meta-data/iam/security-credentials/role%20with%20space")
    }

    @Test(
        "passes the source over when the token is refused and IMDSv1 is not allowed",
        arguments: [
            ([:], 403), ([:], 404), ([:], 405), (["AWS_EC2_METADATA_V1_DISABLED": "true"], 403),
            (["AWS_EC2_METADATA_V1_DISABLED": "no"], 403),
        ])
    func tokenRefused(environment: [String: String], status: Int) throws {
        let http = Self.service(tokenStatus: status)
        let outcome = try Self.provider(environment, http: http).fetch(wantRegion: true)
        #expect(
            outcome
                == .passedOver(
                    "the IMDSv2 token request to http://169.254.169.254 got HTTP \(status) "
                        + "(IMDSv1 is off; AWS_EC2_METADATA_V1_DISABLED=false allows it)"))
        #expect(http.requests.count == 1)
    }

    @Test(
        "falls back to IMDSv1, without a token header, when AWS_EC2_METADATA_V1_DISABLED=false",
        arguments: [403, 404, 405])
    func v1Fallback(status: Int) throws {
        let http = Self.service(tokenStatus: status)
        let trace = Recorder<String>()
        let outcome = try Self.provider(["AWS_EC2_METADATA_V1_DISABLED": "False"], http: http, trace: trace)
            .fetch(wantRegion: false)
        guard case .found(let found) = outcome else {
            Issue.record("expected credentials, got \(outcome)")
            return
        }
        #expect(found.credentials.accessKeyID == "ASIAIMDS")
        #expect(http.requests.count == 3)
        #expect(http.requests.dropFirst().allSatisfy { $0.header("x-aws-ec2-metadata-token") == nil })
        #expect(trace.all.contains("credentials: instance metadata token refused (HTTP \(status)); using IMDSv1"))
    }

    @Test("takes the IMDSv1 switch from the profile too, the variable winning")
    func v1FromProfile() throws {
        let http = Self.service(tokenStatus: 403)
        guard
            case .found = try Self.provider(profile: ["ec2_metadata_v1_disabled": "false"], http: http)
                .fetch(wantRegion: false)
        else {
            Issue.record("expected the v1 fallback")
            return
        }
        let refused = Self.service(tokenStatus: 403)
        let outcome = try Self.provider(
            ["AWS_EC2_METADATA_V1_DISABLED": "true"], profile: ["ec2_metadata_v1_disabled": "false"], http: refused
        ).fetch(wantRegion: false)
        guard case .passedOver = outcome else {
            Issue.record("expected the source passed over, got \(outcome)")
            return
        }
    }

    @Test("a token answer other than 403/404/405 passes the source over even with IMDSv1 allowed")
    func otherTokenStatus() throws {
        let http = Self.service(tokenStatus: 400)
        #expect(
            try Self.provider(["AWS_EC2_METADATA_V1_DISABLED": "false"], http: http).fetch(wantRegion: false)
                == .passedOver("the IMDSv2 token request to http://169.254.169.254 got HTTP 400"))
    }

    @Test(
        "makes no request when AWS_EC2_METADATA_DISABLED is true", arguments: ["true", "TRUE", "True"])
    func disabled(value: String) throws {
        let http = Self.service()
        #expect(
            try Self.provider(["AWS_EC2_METADATA_DISABLED": value], http: http).fetch(wantRegion: true)
                == .passedOver("AWS_EC2_METADATA_DISABLED is true"))
        #expect(http.requests.isEmpty)
    }

    @Test("AWS_EC2_METADATA_DISABLED other than true leaves it on", arguments: ["false", "1", "yes"])
    func notDisabled(value: String) throws {
        let http = Self.service()
        _ = try Self.provider(["AWS_EC2_METADATA_DISABLED": value], http: http).fetch(wantRegion: false)
        #expect(http.requests.count == 3)
    }

    @Test(
        "takes the endpoint from the override, the mode, or the profile",
        arguments: [
            ([String: String](), [String: String](), "http://169.254.169.254"),
            (["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:1338"], [:], "http://127.0.0.1:1338"),
            (["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:1338/"], [:], "http://127.0.0.1:1338"),
            (["AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE": "IPv6"], [:], "http://[fd00:ec2::254]"),
            (["AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE": "ipv6"], [:], "http://[fd00:ec2::254]"),
            (["AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE": "IPv4"], [:], "http://169.254.169.254"),
            (
                [
                    "AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://[::1]:8080",
                    "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE": "IPv6",
                ],
                [:], "http://[::1]:8080"
            ),
            ([:], ["ec2_metadata_service_endpoint": "http://10.1.2.3"], "http://10.1.2.3"),
            ([:], ["ec2_metadata_service_endpoint_mode": "IPv6"], "http://[fd00:ec2::254]"),
            (
                ["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:9"],
                ["ec2_metadata_service_endpoint": "http://10.1.2.3"], "http://127.0.0.1:9"
            ),
        ])
    func endpoint(environment: [String: String], profile: [String: String], base: String) throws {
        let http = Self.service()
        let outcome = try Self.provider(environment, profile: profile, http: http).fetch(wantRegion: false)
        #expect(http.requests.first?.url == base + "/latest/api/token")
        guard case .found(let found) = outcome else {
            Issue.record("expected credentials, got \(outcome)")
            return
        }
        #expect(found.source.description == "instance metadata (\(base), role eks-node-role)")
    }

    @Test(
        "refuses a bad endpoint or mode before any request",
        arguments: [
            (
                ["AWS_EC2_METADATA_SERVICE_ENDPOINT": "169.254.169.254"],
                CredentialError.invalidValue(
                    name: "AWS_EC2_METADATA_SERVICE_ENDPOINT", source: "the configuration", expected: "an http URL")
            ),
            (
                ["AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE": "dual"],
                CredentialError.invalidValue(
                    name: "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", source: "the configuration",
                    expected: "IPv4 or IPv6")
            ),
            (
                ["AWS_METADATA_SERVICE_TIMEOUT": "0"],
                CredentialError.invalidValue(
                    name: "AWS_METADATA_SERVICE_TIMEOUT", source: "the configuration",
                    expected: "a number of seconds (0-60)")
            ),
            (
                ["AWS_METADATA_SERVICE_TIMEOUT": "soon"],
                CredentialError.invalidValue(
                    name: "AWS_METADATA_SERVICE_TIMEOUT", source: "the configuration",
                    expected: "a number of seconds (0-60)")
            ),
            (
                ["AWS_METADATA_SERVICE_TIMEOUT": "61"],
                CredentialError.invalidValue(
                    name: "AWS_METADATA_SERVICE_TIMEOUT", source: "the configuration",
                    expected: "a number of seconds (0-60)")
            ),
            (
                ["AWS_METADATA_SERVICE_NUM_ATTEMPTS": "0"],
                CredentialError.invalidValue(
                    name: "AWS_METADATA_SERVICE_NUM_ATTEMPTS", source: "the configuration", expected: "1 to 10")
            ),
            (
                ["AWS_METADATA_SERVICE_NUM_ATTEMPTS": "11"],
                CredentialError.invalidValue(
                    name: "AWS_METADATA_SERVICE_NUM_ATTEMPTS", source: "the configuration", expected: "1 to 10")
            ),
            (
                ["AWS_METADATA_SERVICE_NUM_ATTEMPTS": "two"],
                CredentialError.invalidValue(
                    name: "AWS_METADATA_SERVICE_NUM_ATTEMPTS", source: "the configuration", expected: "1 to 10")
            ),
        ])
    func badSettings(environment: [String: String], expected: CredentialError) throws {
        let http = Self.service()
        #expect(throws: expected) { try Self.provider(environment, http: http).fetch(wantRegion: false) }
        #expect(expected.kind == .badInput)
        #expect(http.requests.isEmpty)
    }

    @Test("names the profile key when a bad setting comes from the profile")
    func badProfileSetting() throws {
        #expect(
            throws: CredentialError.invalidValue(
                name: "metadata_service_timeout in profile 'dev' (config)", source: "the configuration",
                expected: "a number of seconds (0-60)")
        ) {
            try Self.provider(profile: ["metadata_service_timeout": "-1"], http: Self.service())
                .fetch(wantRegion: false)
        }
    }

    @Test(
        "passes each request the timeout of AWS_METADATA_SERVICE_TIMEOUT (default 1 s)",
        arguments: [
            ([String: String](), [String: String](), 1.0),
            (["AWS_METADATA_SERVICE_TIMEOUT": "2.5"], [:], 2.5),
            (["AWS_METADATA_SERVICE_TIMEOUT": "5"], [:], 5.0),
            ([:], ["metadata_service_timeout": "3"], 3.0),
            (["AWS_METADATA_SERVICE_TIMEOUT": "4"], ["metadata_service_timeout": "3"], 4.0),
        ])
    func timeout(environment: [String: String], profile: [String: String], seconds: Double) throws {
        let http = Self.service()
        _ = try Self.provider(environment, profile: profile, http: http).fetch(wantRegion: true)
        #expect(http.requests.count == 4)
        #expect(http.requests.allSatisfy { $0.timeout == seconds })
    }

    @Test(
        "gives up after AWS_METADATA_SERVICE_NUM_ATTEMPTS attempts when nothing answers, saying so plainly",
        arguments: [
            ([String: String](), 1, [Double](), "no answer from http://169.254.169.254 within 1 s"),
            (
                ["AWS_METADATA_SERVICE_NUM_ATTEMPTS": "3"], 3, [0.2, 0.3],
                "no answer from http://169.254.169.254 within 1 s"
            ),
            (
                ["AWS_METADATA_SERVICE_TIMEOUT": "0.5", "AWS_METADATA_SERVICE_NUM_ATTEMPTS": "2"], 2, [0.2],
                "no answer from http://169.254.169.254 within 0.5 s"
            ),
        ])
    func noAnswer(environment: [String: String], attempts: Int, pauses: [Double], reason: String) throws {
        let http = FakeHTTPClient { _, _ in throw HTTPTransportError.timedOut }
        let sleeps = Recorder<Double>()
        #expect(
            try Self.provider(environment, http: http, sleeps: sleeps).fetch(wantRegion: true) == .passedOver(reason))
        #expect(http.requests.count == attempts)
        #expect(http.requests.allSatisfy { $0.method == "PUT" })
        #expect(sleeps.all.count == pauses.count)
        for (slept, pause) in zip(sleeps.all, pauses) { #expect(abs(slept - pause) < 1e-9) }
    }

    @Test("names a connection failure, and retries 5xx answers within the attempts")
    func connectionFailureAndServerErrors() throws {
        let refused = FakeHTTPClient { _, _ in throw HTTPTransportError.connectionFailed("connection refused") }
        #expect(
            try Self.provider(http: refused).fetch(wantRegion: false)
                == .passedOver("no answer from http://169.254.169.254 (connection refused)"))
        let failing = FakeHTTPClient { _, _ in HTTPResponse(status: 503) }
        #expect(
            try Self.provider(["AWS_METADATA_SERVICE_NUM_ATTEMPTS": "2"], http: failing).fetch(wantRegion: false)
                == .passedOver("HTTP 503 from http://169.254.169.254/latest/api/token"))
        #expect(failing.requests.count == 2)
        let flaky = FakeHTTPClient { request, attempt in
            if attempt == 1 { return HTTPResponse(status: 500) }
            return try Self.service().send(request)
        }
        guard
            case .found = try Self.provider(["AWS_METADATA_SERVICE_NUM_ATTEMPTS": "2"], http: flaky)
                .fetch(wantRegion: false)
        else {
            Issue.record("expected the second attempt to answer")
            return
        }
        #expect(flaky.requests.count == 4)
    }

    @Test("passes the source over when the instance has no role")
    func noRole() throws {
        let http = Self.service(role: nil)
        #expect(
            try Self.provider(http: http).fetch(wantRegion: true)
                == .passedOver("the instance has no IAM role (instance profile)"))
        #expect(http.requests.count == 2)
        let empty = Self.service(role: "  ")
        #expect(
            try Self.provider(http: empty).fetch(wantRegion: false)
                == .passedOver("HTTP 200 for the role name from http://169.254.169.254"))
    }

    @Test(
        "passes the source over when the role's credentials are not usable, without showing them",
        arguments: [
            ("<html>maintenance</html>", "HTTP 200 or no JSON for the credentials of role eks-node-role"),
            (
                #"{"AccessKeyId": "ASIAIMDS", "Token": "imds-role-session-token"}"#,
                "the credentials of role eks-node-role are unusable: SecretAccessKey is missing"
            ),
            (
                #"{"SecretAccessKey": "imds/secret+KEY", "Token": "imds-role-session-token"}"#,
                "the credentials of role eks-node-role are unusable: AccessKeyId is missing"
            ),
            (
                #"{"AccessKeyId": "ASIAIMDS", "SecretAccessKey": "imds/secret+KEY", "Expiration": "later"}"#,
                "the credentials of role eks-node-role are unusable: Expiration is not an ISO 8601 time"
            ),
        ])
    func badCredentials(body: String, reason: String) throws {
        let http = Self.service(credentials: body)
        let outcome = try Self.provider(http: http).fetch(wantRegion: false)
        #expect(outcome == .passedOver(reason))
        #expect(!reason.contains(Self.secret) && !reason.contains(Self.sessionToken))
    }

    @Test("never traces the metadata token or the role's secrets")
    func traceHasNoSecrets() throws {
        let trace = Recorder<String>()
        _ = try Self.provider(
            ["AWS_EC2_METADATA_V1_DISABLED": "false"], http: Self.service(tokenStatus: 403), trace: trace
        )
        .fetch(wantRegion: true)
        _ = try Self.provider(http: Self.service(), trace: trace).fetch(wantRegion: true)
        for line in trace.all {
            #expect(!line.contains(Self.imdsToken))
            #expect(!line.contains(Self.secret))
            #expect(!line.contains(Self.sessionToken))
        }
    }
}
