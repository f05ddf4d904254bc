import AWSConfiguration
import AWSSigning
import EKSAuthSystem

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The AWS Query protocol (STS, IAM): a signed form POST with `Action` and `Version`, an XML answer,
/// XML errors, and retries for throttling, 5xx and connection failures.
public struct QueryProtocolClient: Sendable {
    /// The signing name, e.g. `sts` or `iam`.
    public let service: String
    /// The API version, e.g. `2011-06-15`.
    public let apiVersion: String
    /// The endpoint and signing region.
    public let endpoint: ServiceEndpoint
    let http: HTTPClient
    let clock: WallClock
    package var retry: RetryPolicy
    let tracer: Tracer

    /// A client from parts.
    public init(
        service: String, apiVersion: String, endpoint: ServiceEndpoint, http: HTTPClient, clock: WallClock,
        retry: RetryPolicy, tracer: Tracer = .silent
    ) {
        self.service = service
        self.apiVersion = apiVersion
        self.endpoint = endpoint
        self.http = http
        self.clock = clock
        self.retry = retry
        self.tracer = tracer
    }

    /// The longest one call can take with every attempt and backoff, in seconds.
    public var retryBudget: Double {
        Double(retry.maxAttempts) * (retry.attemptTimeout + retry.maxDelay)
    }

    /// Sends one Query-protocol call, signed as `credentials` (unsigned when nil, as
    /// AssumeRoleWithWebIdentity is), retrying as the policy allows; returns the answer's XML.
    public func call(
        _ operation: String, _ parameters: [(name: String, value: String)], as credentials: AWSCredentials?,
        roleARN: String?
    ) throws -> XMLText {
        let form = ([("Action", operation), ("Version", apiVersion)] + parameters)
            .map { "\(SigV4Signer.uriEncode($0.0))=\(SigV4Signer.uriEncode($0.1))" }.joined(separator: "&")
        let unsigned = SigV4Request(
            method: "POST", endpoint: endpoint.endpoint,
            headers: [
                ("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"),
                ("User-Agent", EKSAuthVersion.userAgent),
            ],
            body: Array(form.utf8))
        let signer = credentials.map { SigV4Signer(credentials: $0, region: endpoint.signingRegion, service: service) }
        let exchange = try retry.exchange(
            via: http,
            what: "\(service.uppercased()) \(operation)",
            retryReason: { response in
                if (200..<300).contains(response.status) { return nil }
                let code = XMLText(response.text).value(at: "Error", "Code")
                guard RetryPolicy.isRetryable(status: response.status, code: code) else { return nil }
                return code.map { "\($0), HTTP \(response.status)" } ?? "HTTP \(response.status)"
            },
            make: { attempt in
                tracer(
                    "\(service): \(operation) attempt \(attempt) to \(endpoint.endpoint)",
                    fields: [
                        "service": service, "operation": operation, "attempt": String(attempt),
                        "endpoint": endpoint.endpoint.description,
                    ])
                guard let signer else { return HTTPRequest(unsigned, timeout: retry.attemptTimeout) }
                return HTTPRequest(signer.signHeaders(of: unsigned, at: clock.now()), timeout: retry.attemptTimeout)
            })
        guard case .answered(let response, let attempt) = exchange else {
            throw AWSServiceError.unreachable(
                service: service, operation: operation, endpoint: "\(endpoint.endpoint)",
                reason: exchange.failureReason ?? "",
                attempts: retry.maxAttempts)
        }
        let xml = XMLText(response.text)
        if (200..<300).contains(response.status) { return xml }
        guard let code = xml.value(at: "Error", "Code") else {
            throw AWSServiceError.unreachable(
                service: service, operation: operation, endpoint: "\(endpoint.endpoint)",
                reason: response.statusWithExcerpt,
                attempts: attempt)
        }
        throw AWSServiceError.service(
            .init(
                service: service, operation: operation, status: response.status, code: code,
                message: xml.value(at: "Error", "Message") ?? "",
                requestID: xml.value(at: "RequestId") ?? response.header("x-amzn-requestid"), roleARN: roleARN))
    }

}
