import EKSAuthTestSupport
import Foundation
import Testing

@testable import AWSConfiguration
@testable import AWSSigning
@testable import AWSTransport
@testable import EKSAuthCore
@testable import EKSAuthSystem

@Suite("Token verifier")
struct TokenVerifierTests {
    static let cluster = "dev.my-eks-cluster"
    static let token = InspectorTokens.good
    static let sessionARN = "arn:aws:sts::123456789012:assumed-role/dev.eks-access.role/alice"

    static let jsonIdentity = HTTPResponse(
        status: 200, headers: [HTTPHeader(name: "Content-Type", value: "application/json")],
        body: Array(
            """
            {"GetCallerIdentityResponse":{"GetCallerIdentityResult":{"Account":"123456789012",\
            "Arn":"arn:aws:sts::123456789012:assumed-role/dev.eks-access.role/alice","UserId":"AROAEXAMPLE:alice"},\
            "ResponseMetadata":{"RequestId":"r-1"}}}
            """.utf8))

    static func jsonError(status: Int, code: String, message: String) -> HTTPResponse {
        HTTPResponse(
            status: status, headers: [HTTPHeader(name: "Content-Type", value: "application/json")],
            body: Array(
                #"{"Error":{"Code":"\#(code)","Message":"\#(message)","Type":"Sender"},"RequestId":"r-2"}"#.utf8))
    }

    @Test("verify sends a GET to the decoded URL with the cluster header and Accept: application/json")
    func request() throws {
        let http = FakeHTTPClient { _, _ in Self.jsonIdentity }
        _ = try TokenVerifier(http: http).verify(Self.token.value, clusterID: Self.cluster)
        try #require(http.requests.count == 1)
        let request = http.requests[0]
        #expect(request.method == "GET")
        #expect(request.url == Self.token.url)
        #expect(request.header("x-k8s-aws-id") == Self.cluster)
        #expect(request.header("Accept") == "application/json")
        #expect(request.body.isEmpty)
        #expect(request.timeout == 10)
    }

    @Test("the timeout given is the one the request carries")
    func timeout() throws {
        let http = FakeHTTPClient { _, _ in Self.jsonIdentity }
        _ = try TokenVerifier(http: http, timeout: 2.5).verify(Self.token.value, clusterID: Self.cluster)
        #expect(http.requests.first?.timeout == 2.5)
    }

    @Test("a JSON GetCallerIdentity answer gives the identity, its canonical ARN and session")
    func jsonAnswer() throws {
        let http = FakeHTTPClient { _, _ in Self.jsonIdentity }
        let identity = try TokenVerifier(http: http).verify(Self.token.value, clusterID: Self.cluster)
        #expect(
            identity
                == VerifiedIdentity(
                    arn: Self.sessionARN, canonicalARN: "arn:aws:iam::123456789012:role/dev.eks-access.role",
                    account: "123456789012", userID: "AROAEXAMPLE:alice", sessionName: "alice"))
    }

    @Test("an XML GetCallerIdentity answer gives the identity too")
    func xmlAnswer() throws {
        let http = FakeHTTPClient { _, _ in STSReplies.callerIdentity() }
        let identity = try TokenVerifier(http: http).verify(Self.token.value, clusterID: Self.cluster)
        #expect(identity.arn == "arn:aws:iam::123456789012:user/alice")
        #expect(identity.canonicalARN == "arn:aws:iam::123456789012:user/alice")
        #expect(identity.account == "123456789012")
        #expect(identity.userID == "AIDAEXAMPLE")
        #expect(identity.sessionName == nil)
    }

    @Test("an ExecCredential's token is not accepted by verify itself (callers extract it first)")
    func rawTokenOnly() {
        let http = FakeHTTPClient { _, _ in Self.jsonIdentity }
        #expect(throws: TokenVerificationError.failsChecks(["prefix/encoding"])) {
            try TokenVerifier(http: http).verify("{\"status\":{}}", clusterID: Self.cluster)
        }
        #expect(http.requests.isEmpty)
    }

    @Test(
        "SignatureDoesNotMatch means the token was not made for this cluster (JSON and XML)",
        arguments: [
            jsonError(
                status: 403, code: "SignatureDoesNotMatch",
                message: "The request signature we calculated does not match"),
            STSReplies.error(
                status: 403, code: "SignatureDoesNotMatch",
                message: "The request signature we calculated does not match"),
        ])
    func wrongCluster(_ answer: HTTPResponse) throws {
        let http = FakeHTTPClient { _, _ in answer }
        let error = try #require(throws: TokenVerificationError.self) {
            try TokenVerifier(http: http).verify(Self.token.value, clusterID: "prod")
        }
        #expect(
            error
                == .refused(
                    status: 403, code: "SignatureDoesNotMatch",
                    message: "The request signature we calculated does not match", cluster: "prod"))
        #expect(error.kind == .denied)
        #expect(error.message.contains("the token was not made for cluster 'prod', or was altered"))
        #expect(error.message.contains("SignatureDoesNotMatch"))
        #expect(error.message.contains("HTTP 403"))
    }

    @Test(
        "expired tokens and credentials are denials that say so",
        arguments: [
            jsonError(
                status: 403, code: "ExpiredToken", message: "The security token included in the request is expired"),
            STSReplies.error(
                status: 403, code: "ExpiredToken", message: "The security token included in the request is expired"),
            STSReplies.error(status: 403, code: "RequestExpired", message: "Request has expired"),
        ])
    func expired(_ answer: HTTPResponse) throws {
        let http = FakeHTTPClient { _, _ in answer }
        let error = try #require(throws: TokenVerificationError.self) {
            try TokenVerifier(http: http).verify(Self.token.value, clusterID: Self.cluster)
        }
        #expect(error.kind == .denied)
        #expect(error.message.hasPrefix("the token or its credentials have expired"))
    }

    @Test("an unknown access key is a denial naming the key problem")
    func unknownKey() throws {
        let http = FakeHTTPClient { _, _ in STSReplies.error(status: 403, code: "InvalidClientTokenId") }
        let error = try #require(throws: TokenVerificationError.self) {
            try TokenVerifier(http: http).verify(Self.token.value, clusterID: Self.cluster)
        }
        #expect(error.message.hasPrefix("the signing access key is unknown or deleted"))
        #expect(error.message.contains("denied & logged"))
    }

    @Test("a 4xx answer without an error document is still a refusal with its status")
    func bareStatus() throws {
        let http = FakeHTTPClient { _, _ in HTTPResponse(status: 403, body: Array("forbidden".utf8)) }
        let error = try #require(throws: TokenVerificationError.self) {
            try TokenVerifier(http: http).verify(Self.token.value, clusterID: Self.cluster)
        }
        #expect(error == .refused(status: 403, code: "HTTP 403", message: "", cluster: Self.cluster))
        #expect(error.kind == .denied)
    }

    @Test("a failing STS (5xx) says nothing about the token: it is STS unavailable")
    func serverError() {
        let http = FakeHTTPClient { _, _ in HTTPResponse(status: 502, body: Array("bad gateway".utf8)) }
        #expect(
            throws: AWSServiceError.unreachable(
                service: "sts", operation: "GetCallerIdentity", endpoint: "https://sts.us-west-2.amazonaws.com/",
                reason: "HTTP 502", attempts: 1, fixedEndpoint: true)
        ) {
            try TokenVerifier(http: http).verify(Self.token.value, clusterID: Self.cluster)
        }
    }

    @Test("throttling is STS unavailable, not a refusal of the token")
    func throttled() throws {
        let http = FakeHTTPClient { _, _ in STSReplies.error(status: 400, code: "Throttling", message: "Rate exceeded")
        }
        let error = try #require(throws: AWSServiceError.self) {
            try TokenVerifier(http: http).verify(Self.token.value, clusterID: Self.cluster)
        }
        #expect(error.kind == .unavailable)
        #expect(http.requests.count == 1)
    }

    @Test("a transport timeout is STS unreachable, after one attempt")
    func timedOut() throws {
        let http = FakeHTTPClient { _, _ in throw HTTPTransportError.timedOut }
        #expect(
            throws: AWSServiceError.unreachable(
                service: "sts", operation: "GetCallerIdentity", endpoint: "https://sts.us-west-2.amazonaws.com/",
                reason: "no answer within 10 s", attempts: 1, fixedEndpoint: true)
        ) {
            try TokenVerifier(http: http).verify(Self.token.value, clusterID: Self.cluster)
        }
        #expect(http.requests.count == 1)
    }

    @Test("a failed connection is STS unreachable with the transport's reason")
    func connectionFailed() {
        let http = FakeHTTPClient { _, _ in throw HTTPTransportError.connectionFailed("connection refused") }
        #expect(
            throws: AWSServiceError.unreachable(
                service: "sts", operation: "GetCallerIdentity", endpoint: "https://sts.us-west-2.amazonaws.com/",
                reason: "connection refused", attempts: 1, fixedEndpoint: true)
        ) {
            try TokenVerifier(http: http).verify(Self.token.value, clusterID: Self.cluster)
        }
    }

    @Test("a 200 answer that is not an identity is a malformed response")
    func malformed() {
        let http = FakeHTTPClient { _, _ in HTTPResponse(status: 200, body: Array("<html>hi</html>".utf8)) }
        #expect(
            throws: AWSServiceError.malformedResponse(
                service: "sts", operation: "GetCallerIdentity", endpoint: "https://sts.us-west-2.amazonaws.com/",
                status: 200)
        ) {
            try TokenVerifier(http: http).verify(Self.token.value, clusterID: Self.cluster)
        }
    }

    @Test("a token that does not decode is refused without asking STS", arguments: ["garbage", "k8s-aws-v1.!!!"])
    func undecodable(_ token: String) {
        let http = FakeHTTPClient { _, _ in Self.jsonIdentity }
        #expect(throws: TokenVerificationError.failsChecks(["prefix/encoding"])) {
            try TokenVerifier(http: http).verify(token, clusterID: Self.cluster)
        }
        #expect(http.requests.isEmpty)
    }

    @Test("no refusal message repeats the session token or the signature")
    func noSecretsInErrors() throws {
        let signature = String(Self.token.url.split(separator: "X-Amz-Signature=").last!)
        let http = FakeHTTPClient { _, _ in STSReplies.error(status: 403, code: "SignatureDoesNotMatch") }
        let error = try #require(throws: TokenVerificationError.self) {
            try TokenVerifier(http: http).verify(Self.token.value, clusterID: Self.cluster)
        }
        #expect(!error.message.contains(InspectorTokens.sessionToken))
        #expect(!error.message.contains(signature))
    }

    @Test("an unreachable STS hint offers AWS_ENDPOINT_URL_STS only where it is honoured (not for a replayed token)")
    func unreachableHints() {
        let replay = AWSServiceError.unreachable(
            service: "sts", operation: "GetCallerIdentity", endpoint: "https://sts.amazonaws.com/",
            reason: "connection refused", attempts: 1, fixedEndpoint: true)
        #expect(replay.hint?.contains("AWS_ENDPOINT_URL") == false)
        #expect(replay.hint?.contains("AWS_MAX_ATTEMPTS") == false)
        let call = AWSServiceError.unreachable(
            service: "sts", operation: "AssumeRole", endpoint: "https://sts.amazonaws.com/",
            reason: "connection refused", attempts: 3)
        #expect(call.hint?.contains("AWS_ENDPOINT_URL_STS") == true)
    }
}
