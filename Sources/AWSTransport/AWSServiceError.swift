import AWSConfiguration
import AWSSigning
import EKSAuthSystem

/// Failures of calls to an AWS service (STS, IAM, EKS, the IAM Identity Center portal…): the
/// service's own error document, an unreachable endpoint, or a reply that cannot be read. The one
/// error type of the transport layer; domain errors (a cluster not found, a denied token) are the
/// callers' own.
public enum AWSServiceError: EKSAuthError, Equatable {
    /// The service answered with an error document.
    case service(ServiceFailure)
    /// No usable answer after every attempt. `fixedEndpoint`: the endpoint came from the request itself
    /// (`verify` replays a token to its own host), so no endpoint setting could change it.
    case unreachable(
        service: String, operation: String, endpoint: String, reason: String, attempts: Int, fixedEndpoint: Bool = false
    )
    /// The answer could not be read.
    case malformedResponse(service: String, operation: String, endpoint: String, status: Int)

    /// An error document from a service, with what we were doing when it came.
    public struct ServiceFailure: Equatable, Sendable {
        /// The service's signing name, e.g. `sts`, `iam`, `eks`.
        public var service: String

        /// Whether the service speaks REST-JSON (EKS, …) rather than the Query protocol (STS, IAM):
        /// the two word their errors differently, and eks-auth has always reported them so.
        public var isRESTJSON: Bool { service != "sts" && service != "iam" }
        /// The operation, e.g. `AssumeRole`.
        public var operation: String
        /// The HTTP status.
        public var status: Int
        /// The error code, e.g. `AccessDenied`.
        public var code: String
        /// The longest message kept (AWS messages are a sentence or two); longer ones are cut, saying so.
        public static let maximumMessageLength = 1_000
        /// The longest error code or request id kept.
        public static let maximumCodeLength = 100

        /// The service's message, at most `maximumMessageLength` characters (control characters are
        /// escaped where it is printed; AWS messages hold no secrets).
        public var message: String
        /// The request id, for AWS support.
        public var requestID: String?
        /// The role being assumed, for AssumeRole.
        public var roleARN: String?
        /// Who asked, when known.
        public var caller: String?

        /// A failure from parts; `service` defaults to STS, whose Query errors are the most common.
        public init(
            service: String = "sts", operation: String, status: Int, code: String, message: String,
            requestID: String? = nil, roleARN: String? = nil, caller: String? = nil
        ) {
            self.service = service
            self.operation = operation
            self.status = status
            // Bounded here, whatever the reply held: these reach stderr, which kubectl shows.
            self.code = TerminalText.excerpt(code, limit: Self.maximumCodeLength)
            self.message = TerminalText.excerpt(message, limit: Self.maximumMessageLength)
            self.requestID = requestID.map { TerminalText.excerpt($0, limit: Self.maximumCodeLength) }
            self.roleARN = roleARN
            self.caller = caller
        }
    }

    /// Error codes that mean the caller may not do this, or its credentials are no good.
    package static let deniedCodes: Set<String> = [
        "AccessDenied", "AccessDeniedException", "InvalidClientTokenId", "SignatureDoesNotMatch",
        "ExpiredToken", "ExpiredTokenException", "UnrecognizedClientException", "IncompleteSignature",
        "RequestExpired", "RegionDisabledException", "InvalidAccessKeyId", "InvalidIdentityToken", "IDPRejectedClaim",
    ]

    /// Error codes about the request's parameters.
    static let parameterCodes: Set<String> = [
        "ValidationError", "InvalidParameterValue", "InvalidParameterCombination", "MissingParameter",
        "MalformedPolicyDocument", "PackedPolicyTooLarge", "InvalidAction",
    ]

    public var message: String {
        switch self {
        case .service(let f) where f.isRESTJSON:
            return "\(f.operation) failed: \(f.code): \(f.message) (HTTP \(f.status))"
        case .service(let f):
            var text: String
            if let role = f.roleARN {
                let verb = Self.deniedCodes.contains(f.code) ? "denied" : "failed"
                text = "\(f.operation) of \(role) \(verb)"
            } else {
                text = "\(f.operation) failed"
            }
            if let caller = f.caller { text += " for \(caller)" }
            text += ": \(f.code): \(f.message)"
            if let id = f.requestID { text += " (request id \(id))" }
            return text
        case .unreachable(_, let operation, let endpoint, let reason, let attempts, _):
            return "\(operation) to \(endpoint) failed after \(attempts) attempt\(attempts == 1 ? "" : "s"): \(reason)"
        case .malformedResponse(_, let operation, let endpoint, let status):
            return "\(operation) to \(endpoint) returned an unreadable response (HTTP \(status))"
        }
    }

    public var hint: String? {
        switch self {
        case .service(let f) where f.isRESTJSON:
            return f.code.contains("AccessDenied") ? "the caller needs eks:\(f.operation) on the cluster" : nil
        case .service(let f) where f.code == "AccessDenied" && f.operation == "AssumeRole":
            return "the caller needs sts:AssumeRole on the role (e.g. through its IAM group's policy) and the "
                + "role's trust policy must allow it; check with 'aws sts assume-role --role-arn "
                + "\(f.roleARN ?? "ARN") --role-session-name test'"
        case .service(let f)
        where f.operation == "AssumeRoleWithWebIdentity"
            && ["AccessDenied", "InvalidIdentityToken", "IDPRejectedClaim", "ExpiredTokenException"].contains(f.code):
            return "check the token's issuer and audience (sts.amazonaws.com), the OIDC provider registered in IAM, "
                + "and the conditions of the role's trust policy on sts:AssumeRoleWithWebIdentity"
        case .service(let f) where f.code == "InvalidClientTokenId" || f.code == "SignatureDoesNotMatch":
            return "the access key or secret is wrong or deleted; check with 'aws sts get-caller-identity'"
        case .service(let f) where f.code == "ExpiredToken" || f.code == "ExpiredTokenException":
            return "the session token has expired; refresh the base credentials"
        case .unreachable(let service, _, _, let reason, _, let fixed):
            let service = service.uppercased()
            // A certificate nobody trusts is not a network problem: only a CA bundle fixes it.
            if reason.contains(HTTPTransportError.untrustedCertificate) {
                return "if the endpoint or proxy uses a private CA, set AWS_CA_BUNDLE to a PEM file of it"
            }
            // Only what applies: a replayed token's host is its own, whatever AWS_ENDPOINT_URL_* says,
            // and the replay makes one attempt.
            if fixed {
                return "check network access to the token's STS host and HTTPS_PROXY/HTTP_PROXY/NO_PROXY; "
                    + "EKS_AUTH_HTTP_TIMEOUT bounds the wait"
            }
            return
                "check network access to \(service), HTTPS_PROXY/HTTP_PROXY/NO_PROXY, and AWS_ENDPOINT_URL_\(service); "
                + "EKS_AUTH_HTTP_TIMEOUT and AWS_MAX_ATTEMPTS bound the wait"
        default:
            return nil
        }
    }

    public var kind: FailureKind {
        switch self {
        case .service(let f) where f.isRESTJSON:
            // EKS (REST-JSON): a denial by name or status; 5xx and throttling are the service's
            // trouble; any other 4xx means the request named something wrong.
            if f.code.contains("AccessDenied") || f.code.contains("UnrecognizedClient") || f.status == 403 {
                return .denied
            }
            return f.status >= 500 || f.status == 429 ? .unavailable : .badInput
        case .service(let f):
            // STS and IAM (Query): the codes above; anything else is reported as unavailable.
            if Self.deniedCodes.contains(f.code) { return .denied }
            if Self.parameterCodes.contains(f.code) { return .usage }
            return .unavailable
        case .unreachable, .malformedResponse:
            return .unavailable
        }
    }
}
