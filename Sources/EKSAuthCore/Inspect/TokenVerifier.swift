import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Who a token proves its signer to be, as the EKS server learns it from STS.
public struct VerifiedIdentity: Sendable, Equatable {
    /// The caller's ARN as STS reports it.
    public var arn: String
    /// The ARN aws-auth and access entries are matched with.
    public var canonicalARN: String?
    /// The account.
    public var account: String
    /// The unique user id.
    public var userID: String
    /// The role session name, for assumed roles.
    public var sessionName: String?
}

/// Why STS refused a token.
public enum TokenVerificationError: EKSAuthError, Equatable {
    /// STS answered with an error.
    case refused(status: Int, code: String, message: String, cluster: String)
    /// The token fails the offline checks, so the server would not even ask STS.
    case failsChecks([String])

    public var message: String {
        switch self {
        case .refused(let status, let code, let message, let cluster):
            let meaning: String
            switch code {
            case "SignatureDoesNotMatch":
                meaning = "the token was not made for cluster '\(cluster)', or was altered"
            case "ExpiredToken", "RequestExpired":
                meaning = "the token or its credentials have expired"
            case "InvalidClientTokenId":
                meaning = "the signing access key is unknown or deleted"
            default:
                meaning = "STS refused the token"
            }
            return "\(meaning): STS said \(code): \(message) (HTTP \(status))"
        case .failsChecks(let rules):
            return "the token fails the server's checks: \(rules.joined(separator: ", "))"
        }
    }

    public var kind: FailureKind {
        switch self {
        case .refused: return .denied
        case .failsChecks: return .badInput
        }
    }
}

/// Does what the EKS server does with a token: replays the presigned request to STS with the
/// cluster's `x-k8s-aws-id` header and reads back the caller's identity.
public struct TokenVerifier: Sendable {
    let http: HTTPClient
    let timeout: Double

    /// A verifier sending through `http`, waiting at most `timeout` seconds (the server uses 10).
    public init(http: HTTPClient, timeout: Double = 10) {
        self.http = http
        self.timeout = timeout
    }

    /// The identity behind `token` for `clusterID`.
    /// - Throws: `TokenVerificationError`, or `AWSServiceError.unreachable`/`.malformedResponse`.
    public func verify(_ token: String, clusterID: String) throws -> VerifiedIdentity {
        guard token.hasPrefix(EKSToken.prefix),
            let bytes = Base64URL.decode(String(token.dropFirst(EKSToken.prefix.count))),
            let url = String(validating: bytes, as: UTF8.self)
        else { throw TokenVerificationError.failsChecks(["prefix/encoding"]) }
        let request = HTTPRequest(
            method: "GET", url: url,
            headers: [
                HTTPHeader(name: EKSToken.clusterIDHeader, value: clusterID),
                HTTPHeader(name: "Accept", value: "application/json"),
            ], timeout: timeout)
        let endpoint = String(url.prefix { $0 != "?" })
        let response: HTTPResponse
        do {
            response = try http.send(request)
        } catch let error as HTTPTransportError {
            throw AWSServiceError.unreachable(
                service: "sts", operation: "GetCallerIdentity", endpoint: endpoint,
                reason: error.reason(timeout: timeout), attempts: 1, fixedEndpoint: true)
        }
        let text = response.text
        guard response.status == 200 else {
            let (code, message) = Self.errorFields(text)
            // A failing or throttling STS says nothing about the token: report it as unavailable.
            if response.status >= 500 || RetryPolicy.isRetryable(status: response.status, code: code) {
                throw AWSServiceError.unreachable(
                    service: "sts", operation: "GetCallerIdentity", endpoint: endpoint,
                    reason: code.map { "\($0), HTTP \(response.status)" } ?? "HTTP \(response.status)", attempts: 1,
                    fixedEndpoint: true)
            }
            throw TokenVerificationError.refused(
                status: response.status, code: code ?? "HTTP \(response.status)", message: message ?? "",
                cluster: clusterID)
        }
        guard let (arn, account, userID) = Self.identityFields(text) else {
            throw AWSServiceError.malformedResponse(
                service: "sts", operation: "GetCallerIdentity", endpoint: endpoint, status: 200)
        }
        return VerifiedIdentity(
            arn: arn, canonicalARN: ARN.canonical(arn), account: account, userID: userID,
            sessionName: ARN.sessionName(arn))
    }

    /// Arn, Account and UserId from the JSON or XML answer.
    static func identityFields(_ text: String) -> (String, String, String)? {
        struct Wire: Decodable {
            struct Response: Decodable {
                struct Result: Decodable { var Arn: String; var Account: String; var UserId: String }
                var GetCallerIdentityResult: Result
            }
            var GetCallerIdentityResponse: Response
        }
        if let wire = try? JSONDecoder().decode(Wire.self, from: Data(text.utf8)) {
            let r = wire.GetCallerIdentityResponse.GetCallerIdentityResult
            return (r.Arn, r.Account, r.UserId)
        }
        let xml = XMLText(text)
        guard let arn = xml.value(at: "GetCallerIdentityResult", "Arn"),
            let account = xml.value(at: "GetCallerIdentityResult", "Account")
        else { return nil }
        return (arn, account, xml.value(at: "GetCallerIdentityResult", "UserId") ?? "")
    }

    /// Code and Message from a JSON or XML error answer.
    static func errorFields(_ text: String) -> (String?, String?) {
        struct Wire: Decodable {
            struct Failure: Decodable { var Code: String?; var Message: String? }
            var Error: Failure?
        }
        if let wire = try? JSONDecoder().decode(Wire.self, from: Data(text.utf8)), let error = wire.Error {
            return (error.Code, error.Message)
        }
        let xml = XMLText(text)
        return (xml.value(at: "Error", "Code"), xml.value(at: "Error", "Message"))
    }
}
