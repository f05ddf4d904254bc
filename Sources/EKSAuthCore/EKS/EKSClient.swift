import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What kubeconfig needs of a cluster, from EKS DescribeCluster.
public struct ClusterInfo: Sendable, Equatable {
    /// The cluster name.
    public var name: String
    /// The cluster ARN (kubeconfig entries are named after it, as `aws eks update-kubeconfig` does).
    public var arn: String
    /// The API server URL.
    public var endpoint: String
    /// Base64 of the cluster CA's PEM.
    public var certificateAuthorityData: String
    /// `ACTIVE`, `CREATING`, …
    public var status: String
    /// The cluster id of an Outposts local cluster (its tokens use the id), else nil.
    public var outpostsID: String?
    /// `accessConfig.authenticationMode`: `CONFIG_MAP`, `API_AND_CONFIG_MAP` or `API`; nil when the
    /// reply has none (older clusters answer without `accessConfig`: they read aws-auth only).
    public var authenticationMode: String?

    /// A cluster from parts.
    public init(
        name: String, arn: String, endpoint: String, certificateAuthorityData: String, status: String,
        outpostsID: String? = nil, authenticationMode: String? = nil
    ) {
        self.name = name
        self.arn = arn
        self.endpoint = endpoint
        self.certificateAuthorityData = certificateAuthorityData
        self.status = status
        self.outpostsID = outpostsID
        self.authenticationMode = authenticationMode
    }

    /// The region named in the ARN.
    public var region: String? {
        ARN(arn)?.region
    }
}

/// What EKS's answers mean for this program (a cluster that is missing or not ready); the service's
/// other error documents are `AWSServiceError.service` with service `eks`.
public enum EKSError: EKSAuthError, Equatable {
    /// The cluster does not exist in that region and account.
    case clusterNotFound(name: String, region: String)
    /// The cluster exists but cannot be connected to yet (or any more).
    case clusterNotActive(name: String, status: String)
    /// The cluster's authentication mode is CONFIG_MAP, in which EKS refuses access entries.
    case accessEntriesDisabled(cluster: String)

    public var message: String {
        switch self {
        case .clusterNotFound(let name, let region):
            return "cluster '\(name)' not found in \(region) (ResourceNotFoundException)"
        case .clusterNotActive(let name, let status):
            return "cluster '\(name)' is \(status), not ACTIVE; kubeconfig is written for active clusters only"
        case .accessEntriesDisabled(let cluster):
            return "cluster '\(cluster)' uses authentication mode CONFIG_MAP, in which EKS refuses access entries "
                + "(InvalidRequestException)"
        }
    }

    public var hint: String? {
        switch self {
        case .clusterNotFound:
            return "check the name and region with 'aws eks list-clusters --region REGION'"
        case .clusterNotActive:
            return nil
        case .accessEntriesDisabled(let cluster):
            return "aws eks update-cluster-config --name \(cluster) --access-config "
                + "authenticationMode=API_AND_CONFIG_MAP (aws-auth stays in use), or map it in aws-auth instead"
        }
    }

    public var kind: FailureKind { .configuration }
}

/// A client of the EKS REST-JSON API, signed with SigV4 (service `eks`).
public struct EKSClient: Sendable {
    let endpoint: ServiceEndpoint
    let http: HTTPClient
    let clock: WallClock
    let timeout: Double
    let retry: RetryPolicy?
    let tracer: Tracer

    /// A client for `endpoint`; with `retry`, throttling, 5xx answers and connection failures are
    /// retried as the policy allows (each attempt bounded by `timeout`), else each call is one attempt.
    public init(
        endpoint: ServiceEndpoint, http: HTTPClient, clock: WallClock, timeout: Double, retry: RetryPolicy? = nil,
        tracer: Tracer = .silent
    ) {
        self.endpoint = endpoint
        self.http = http
        self.clock = clock
        self.timeout = timeout
        self.retry = retry
        self.tracer = tracer
    }

    /// Sends a signed REST-JSON request to `path` (below the endpoint's own path), with `query`.
    func send(
        _ method: String, _ path: String, query: [(name: String, value: String)] = [], body: String?,
        operation: String, as credentials: AWSCredentials
    ) throws -> HTTPResponse {
        let base =
            endpoint.endpoint.path.hasSuffix("/") ? String(endpoint.endpoint.path.dropLast()) : endpoint.endpoint.path
        var target = endpoint.endpoint
        target.path = base + path
        var headers: [(name: String, value: String)] = [
            ("Accept", "application/json"), ("User-Agent", EKSAuthVersion.userAgent),
        ]
        if body != nil { headers.append(("Content-Type", "application/json")) }
        let unsigned = SigV4Request(
            method: method, endpoint: target, query: query, headers: headers, body: Array((body ?? "").utf8))
        let signer = SigV4Signer(credentials: credentials, region: endpoint.signingRegion, service: "eks")
        let policy = retry ?? RetryPolicy(maxAttempts: 1, attemptTimeout: timeout, sleep: { _ in }, random: { 0 })
        let exchange = try policy.exchange(
            via: http,
            what: "EKS \(operation)",
            retryReason: { response in
                guard response.status >= 400 else { return nil }
                let code = Self.failure(of: response, operation: operation).code
                guard RetryPolicy.isRetryable(status: response.status, code: code) else { return nil }
                return "\(code), HTTP \(response.status)"
            },
            make: { attempt in
                tracer("eks: \(operation) attempt \(attempt) to \(endpoint.endpoint)")
                return HTTPRequest(signer.signHeaders(of: unsigned, at: clock.now()), timeout: timeout)
            })
        guard case .answered(let response, _) = exchange else {
            throw AWSServiceError.unreachable(
                service: "eks", operation: operation, endpoint: "\(endpoint.endpoint)",
                reason: exchange.failureReason ?? "",
                attempts: policy.maxAttempts)
        }
        return response
    }

    /// The service failure a non-2xx answer describes: the code from `x-amzn-ErrorType` or `__type`
    /// (without its `:`-suffix), the message, and the request id from `x-amzn-RequestId`.
    static func failure(of response: HTTPResponse, operation: String) -> AWSServiceError.ServiceFailure {
        struct Failure: Decodable { var message: String?; var Message: String?; var __type: String? }
        let failure = try? JSONDecoder().decode(Failure.self, from: Data(response.body))
        let headerType = response.header("x-amzn-ErrorType")
        let code =
            (headerType ?? failure?.__type ?? "HTTP \(response.status)").split(separator: ":").first.map(String.init)
            ?? ""
        // A body that is not EKS's JSON (a proxy's HTML page) is shown as a bounded excerpt.
        let message = failure?.message ?? failure?.Message ?? (failure == nil ? response.bodyExcerpt ?? "" : "")
        return AWSServiceError.ServiceFailure(
            service: "eks", operation: operation, status: response.status, code: code,
            message: message, requestID: response.header("x-amzn-RequestId"))
    }

    /// Creates an access entry mapping `principalARN` to Kubernetes `groups`; when one exists, returns
    /// its groups instead (nil when created).
    /// - Throws: `EKSError`, `AWSServiceError`.
    public func createAccessEntry(
        cluster: String, principalARN: String, groups: [String], as credentials: AWSCredentials
    ) throws -> [String]? {
        let wanted = AccessEntry(principalArn: principalARN, kubernetesGroups: groups)
        switch try createAccessEntry(wanted, cluster: cluster, as: credentials) {
        case .created: return nil
        case .exists(let existing): return existing.kubernetesGroups
        }
    }

    /// DescribeCluster: `GET /clusters/NAME`.
    /// - Throws: `EKSError`, `AWSServiceError` for transport failures.
    public func describeCluster(_ name: String, as credentials: AWSCredentials) throws -> ClusterInfo {
        let response = try send(
            "GET", "/clusters/\(SigV4Signer.uriEncode(name))", body: nil, operation: "DescribeCluster", as: credentials)
        struct Wire: Decodable {
            struct Cluster: Decodable {
                struct Authority: Decodable { var data: String? }
                var name: String?
                var arn: String?
                var endpoint: String?
                var status: String?
                var certificateAuthority: Authority?
                var id: String?
                var outpostConfig: [String: AnyCodableIgnored]?
                struct AccessConfig: Decodable { var authenticationMode: String? }
                var accessConfig: AccessConfig?
            }
            var cluster: Cluster?
        }
        guard response.status == 200 else {
            let failure = Self.failure(of: response, operation: "DescribeCluster")
            if failure.code.hasSuffix("ResourceNotFoundException") || response.status == 404 {
                throw EKSError.clusterNotFound(name: name, region: endpoint.signingRegion)
            }
            throw AWSServiceError.service(failure)
        }
        guard let cluster = (try? JSONDecoder().decode(Wire.self, from: Data(response.body)))?.cluster,
            let arn = cluster.arn
        else {
            throw AWSServiceError.malformedResponse(
                service: "eks", operation: "DescribeCluster", endpoint: "\(endpoint.endpoint)", status: 200)
        }
        return ClusterInfo(
            name: cluster.name ?? name, arn: arn, endpoint: cluster.endpoint ?? "",
            certificateAuthorityData: cluster.certificateAuthority?.data ?? "", status: cluster.status ?? "UNKNOWN",
            outpostsID: cluster.outpostConfig != nil ? cluster.id : nil,
            authenticationMode: cluster.accessConfig?.authenticationMode)
    }
}

/// Decodes any JSON value and keeps nothing: for presence checks.
struct AnyCodableIgnored: Decodable {
    init(from decoder: Decoder) throws {}
}
