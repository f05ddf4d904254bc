import EKSAuthTestSupport
import Foundation
import Testing

@testable import AWSConfiguration
@testable import AWSSigning
@testable import AWSTransport
@testable import EKSAuthCore
@testable import EKSAuthSystem

@Suite("EKS access entries")
struct AccessEntryTests {
    static let role = "arn:aws:iam::123456789012:role/dev.eks-access.role"
    static let endpoint = ServiceEndpoint(
        endpoint: Endpoint(host: "eks.eu-west-1.amazonaws.com"), signingRegion: "eu-west-1", source: "test")

    static func client(_ http: HTTPClient) -> EKSClient {
        EKSClient(endpoint: endpoint, http: http, clock: .fixed(Fixtures.sigV4SuiteDate), timeout: 5)
    }

    static func inUse() -> HTTPResponse {
        HTTPResponse(
            status: 409, headers: [HTTPHeader(name: "x-amzn-ErrorType", value: "ResourceInUseException:")],
            body: Array(#"{"message":"The specified access entry resource is already in use on this cluster."}"#.utf8))
    }

    static func existing(groups: [String]) -> HTTPResponse {
        let list = groups.map { "\"\($0)\"" }.joined(separator: ",")
        return HTTPResponse(
            status: 200,
            body: Array(
                #"{"accessEntry":{"principalArn":"\#(role)","kubernetesGroups":[\#(list)],"type":"STANDARD"}}"#.utf8))
    }

    @Test("a new entry is a signed JSON POST naming the principal, the groups and the STANDARD type")
    func created() throws {
        let http = FakeHTTPClient { _, _ in HTTPResponse(status: 200, body: Array("{}".utf8)) }
        let result = try Self.client(http).createAccessEntry(
            cluster: "dev.my-eks-cluster", principalARN: Self.role, groups: ["eks-auth:dev.rnd.group"],
            as: Fixtures.credentials)
        #expect(result == nil)
        let request = try #require(http.requests.first)
        #expect(request.method == "POST")
        #expect(request.url == "https://eks.eu-west-1.amazonaws.com/clusters/dev.my-eks-cluster/access-entries")
        #expect(request.header("Content-Type") == "application/json")
        #expect(request.header("Authorization")?.contains("/eu-west-1/eks/aws4_request") == true)
        let body = try #require(JSONValue.parse(String(decoding: request.body, as: UTF8.self)))
        #expect(
            body
                == .object([
                    "principalArn": .string(Self.role), "kubernetesGroups": .array([.string("eks-auth:dev.rnd.group")]),
                    "type": .string("STANDARD"),
                ]))
    }

    @Test("an existing entry is read back, its principal ARN percent-encoded in the path")
    func existingEntry() throws {
        let http = FakeHTTPClient { _, attempt in attempt == 1 ? Self.inUse() : Self.existing(groups: ["other"]) }
        let groups = try Self.client(http).createAccessEntry(
            cluster: "dev.my-eks-cluster", principalARN: Self.role, groups: ["eks-auth:dev.rnd.group"],
            as: Fixtures.credentials)
        #expect(groups == ["other"])
        let entryURL =
            "https://eks.eu-west-1.amazonaws.com/clusters/dev.my-eks-cluster/access-entries/"
            + "arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdev.eks-access.role"
        #expect(http.requests.map(\.method) == ["POST", "GET", "GET"])
        #expect(http.requests.dropFirst().first?.url == entryURL)
        #expect(http.requests.last?.url == entryURL + "/access-policies?maxResults=100")
    }

    @Test("the signature covers the path encoded twice, as SigV4 wants for every service but S3")
    func doubleEncodedPath() {
        #expect(
            SigV4Signer.canonicalPath("/clusters/c/access-entries/arn%3Aaws%3Aiam")
                == "/clusters/c/access-entries/arn%253Aaws%253Aiam")
    }

    @Test("a missing cluster is an EKS error; other failures are AWS service errors of EKS")
    func failures() throws {
        let missing = FakeHTTPClient { _, _ in
            HTTPResponse(
                status: 404, headers: [HTTPHeader(name: "x-amzn-ErrorType", value: "ResourceNotFoundException")],
                body: Array(#"{"message":"No cluster found"}"#.utf8))
        }
        #expect(throws: EKSError.clusterNotFound(name: "nope", region: "eu-west-1")) {
            try Self.client(missing).createAccessEntry(
                cluster: "nope", principalARN: Self.role, groups: [], as: Fixtures.credentials)
        }
        let denied = FakeHTTPClient { _, _ in
            HTTPResponse(
                status: 403, headers: [HTTPHeader(name: "x-amzn-ErrorType", value: "AccessDeniedException")],
                body: Array(#"{"message":"not authorized"}"#.utf8))
        }
        let error = try #require(throws: AWSServiceError.self) {
            try Self.client(denied).createAccessEntry(
                cluster: "c", principalARN: Self.role, groups: [], as: Fixtures.credentials)
        }
        #expect(error.kind == FailureKind.denied)
        guard case .service(let failure) = error else { throw error }
        #expect(failure.service == "eks" && failure.operation == "CreateAccessEntry")
        #expect(error.hint == "the caller needs eks:CreateAccessEntry on the cluster")
    }

    @Test("throttling, 5xx and connection failures are retried by the policy; denials are not")
    func retries() throws {
        let sleeps = Recorder<Double>()
        let retry = RetryPolicy(sleep: { sleeps.append($0) }, random: { 0.5 })
        let client = { (http: HTTPClient) in
            EKSClient(
                endpoint: Self.endpoint, http: http, clock: .fixed(Fixtures.sigV4SuiteDate), timeout: 5, retry: retry)
        }
        let flaky = FakeHTTPClient { _, attempt in
            switch attempt {
            case 1: throw HTTPTransportError.connectionFailed("connection refused")
            case 2:
                return HTTPResponse(
                    status: 429, headers: [HTTPHeader(name: "x-amzn-ErrorType", value: "TooManyRequestsException")])
            default: return HTTPResponse(status: 200)
            }
        }
        #expect(
            try client(flaky).createAccessEntry(
                cluster: "c", principalARN: Self.role, groups: ["g"], as: Fixtures.credentials) == nil)
        #expect(flaky.requests.count == 3)
        #expect(sleeps.all.count == 2)

        let down = FakeHTTPClient { _, _ in throw HTTPTransportError.timedOut }
        #expect(
            throws: AWSServiceError.unreachable(
                service: "eks", operation: "DescribeCluster", endpoint: "https://eks.eu-west-1.amazonaws.com/",
                reason: "no answer within 5 s", attempts: retry.maxAttempts)
        ) { try client(down).describeCluster("c", as: Fixtures.credentials) }

        let denied = FakeHTTPClient { _, _ in
            HTTPResponse(status: 403, headers: [HTTPHeader(name: "x-amzn-ErrorType", value: "AccessDeniedException")])
        }
        _ = try? client(denied).describeCluster("c", as: Fixtures.credentials)
        #expect(denied.requests.count == 1)
    }

    @Test("setup --apply --access-entry creates the entry, then finds it unchanged, and reports a different one")
    func setupAppliesTheEntry() throws {
        let fileSystem = InMemoryFileSystem()
        let entryState = Recorder<String>()
        let http = FakeHTTPClient { request, _ in
            if request.url.contains("eks.") {
                if request.method == "POST" {
                    entryState.append("post")
                    return entryState.all.count == 1 ? HTTPResponse(status: 200, body: Array("{}".utf8)) : Self.inUse()
                }
                return Self.existing(
                    groups: entryState.all.count == 2 ? ["eks-auth:dev.rnd.group"] : ["system:masters"])
            }
            // IAM: everything already exists exactly as planned is not the point here; answer Get* with
            // NoSuchEntity and Create*/Attach* with 200.
            let body = String(decoding: request.body, as: UTF8.self)
            if body.hasPrefix("Action=Get") { return STSReplies.error(status: 404, code: "NoSuchEntity") }
            return HTTPResponse(status: 200, body: Array("<R/>".utf8))
        }
        let system = SystemContext(
            environment: [
                "HOME": "/home/alice", "AWS_ACCESS_KEY_ID": Fixtures.accessKeyID,
                "AWS_SECRET_ACCESS_KEY": Fixtures.secretAccessKey, "AWS_REGION": "eu-west-1",
            ], clock: .fixed(Fixtures.sigV4SuiteDate), fileSystem: fileSystem, http: { http })
        func run() throws -> SetupResult {
            try SetupService(system: system).run(
                account: "123456789012", clusterName: "dev.my-eks-cluster", group: "dev.rnd.group", roleName: nil,
                clusterRole: .view, namespace: nil, fullEKSAccess: false, regionFlag: nil, profileFlag: nil,
                directory: "/out", apply: true, accessEntry: true)
        }
        #expect(try run().applied.last == "created access entry for dev.eks-access.role → eks-auth:dev.rnd.group")
        #expect(try run().applied.last == "unchanged access entry for dev.eks-access.role (already as planned)")
        let differs = SetupError.accessEntryDiffers(
            cluster: "dev.my-eks-cluster", principalARN: "arn:aws:iam::123456789012:role/dev.eks-access.role",
            groups: ["system:masters"], planned: "eks-auth:dev.rnd.group")
        #expect(throws: differs) { try run() }
        #expect(
            differs.message
                == "the access entry of arn:aws:iam::123456789012:role/dev.eks-access.role on cluster "
                + "dev.my-eks-cluster maps it to groups system:masters, not eks-auth:dev.rnd.group; it was not changed")
        #expect(differs.hint?.contains("aws eks update-access-entry --cluster-name dev.my-eks-cluster") == true)
        #expect(throws: SetupError.requires(.accessEntry, .apply)) {
            try SetupService(system: system).run(
                account: "123456789012", clusterName: "c", group: "dev.rnd.group", roleName: nil, clusterRole: .view,
                namespace: nil, fullEKSAccess: false, regionFlag: nil, profileFlag: nil, directory: "/out2",
                apply: false, accessEntry: true)
        }
    }

    @Test("a cluster in CONFIG_MAP mode refuses entries: one error naming the mode and the command to change it")
    func configMapMode() {
        let http = FakeHTTPClient { _, _ in
            HTTPResponse(
                status: 400, headers: [HTTPHeader(name: "x-amzn-ErrorType", value: "InvalidRequestException:")],
                body: Array(
                    #"{"message":"The cluster's authentication mode must be set to one of [API, API_AND_CONFIG_MAP] to perform this operation."}"#
                        .utf8))
        }
        #expect(throws: EKSError.accessEntriesDisabled(cluster: "c")) {
            try Self.client(http).createAccessEntry(
                AccessEntry(principalArn: Self.role), cluster: "c", as: Fixtures.credentials)
        }
        #expect(
            EKSError.accessEntriesDisabled(cluster: "c").hint?.contains("authenticationMode=API_AND_CONFIG_MAP") == true
        )
        #expect(EKSError.accessEntriesDisabled(cluster: "c").kind == .configuration)
    }
}
