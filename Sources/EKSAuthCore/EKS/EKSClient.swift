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

    /// A cluster from parts.
    public init(
        name: String, arn: String, endpoint: String, certificateAuthorityData: String, status: String,
        outpostsID: String? = nil
    ) {
        self.name = name
        self.arn = arn
        self.endpoint = endpoint
        self.certificateAuthorityData = certificateAuthorityData
        self.status = status
        self.outpostsID = outpostsID
    }

    /// The region named in the ARN.
    public var region: String? {
        let parts = arn.split(separator: ":", omittingEmptySubsequences: false)
        return parts.count > 3 ? String(parts[3]) : nil
    }
}

/// Failures of EKS API calls.
public enum EKSError: EKSAuthError, Equatable {
    /// The cluster does not exist in that region and account.
    case clusterNotFound(name: String, region: String)
    /// The cluster exists but cannot be connected to yet (or any more).
    case clusterNotActive(name: String, status: String)
    /// EKS answered with another error.
    case service(operation: String, status: Int, code: String, message: String)

    public var message: String {
        switch self {
        case .clusterNotFound(let name, let region):
            return "cluster '\(name)' not found in \(region) (DescribeCluster: ResourceNotFoundException)"
        case .clusterNotActive(let name, let status):
            return "cluster '\(name)' is \(status), not ACTIVE; kubeconfig is written for active clusters only"
        case .service(let operation, let status, let code, let message):
            return "\(operation) failed: \(code): \(message) (HTTP \(status))"
        }
    }

    public var hint: String? {
        switch self {
        case .clusterNotFound:
            return "check the name and region with 'aws eks list-clusters --region REGION'"
        case .service(_, _, let code, _) where code.contains("AccessDenied"):
            return "the caller needs eks:DescribeCluster on the cluster"
        default: return nil
        }
    }

    public var kind: FailureKind {
        switch self {
        case .clusterNotFound, .clusterNotActive: return .configuration
        case .service(_, let status, let code, _):
            if code.contains("AccessDenied") || code.contains("UnrecognizedClient") || status == 403 { return .denied }
            return status >= 500 || status == 429 ? .unavailable : .badInput
        }
    }
}

/// A client of the EKS REST-JSON API, signed with SigV4 (service `eks`).
public struct EKSClient: Sendable {
    let endpoint: ServiceEndpoint
    let http: HTTPClient
    let clock: WallClock
    let timeout: Double

    /// A client for `endpoint`.
    public init(endpoint: ServiceEndpoint, http: HTTPClient, clock: WallClock, timeout: Double) {
        self.endpoint = endpoint
        self.http = http
        self.clock = clock
        self.timeout = timeout
    }

    /// DescribeCluster: `GET /clusters/NAME`.
    /// - Throws: `EKSError`, `STSError.unreachable` for transport failures.
    public func describeCluster(_ name: String, as credentials: AWSCredentials) throws -> ClusterInfo {
        let base =
            endpoint.endpoint.path.hasSuffix("/") ? String(endpoint.endpoint.path.dropLast()) : endpoint.endpoint.path
        var target = endpoint.endpoint
        target.path = "\(base)/clusters/\(SigV4Signer.uriEncode(name))"
        let unsigned = SigV4Request(
            method: "GET", endpoint: target,
            headers: [("Accept", "application/json"), ("User-Agent", "eks-auth/\(EKSAuthVersion.current)")])
        let signer = SigV4Signer(credentials: credentials, region: endpoint.signingRegion, service: "eks")
        let response: HTTPResponse
        do {
            response = try http.send(HTTPRequest(signer.signHeaders(of: unsigned, at: clock.now()), timeout: timeout))
        } catch let error as HTTPTransportError {
            throw STSError.unreachable(
                operation: "DescribeCluster", endpoint: "\(endpoint.endpoint)", reason: error.reason(timeout: timeout),
                attempts: 1)
        }
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
            }
            var cluster: Cluster?
        }
        struct Failure: Decodable { var message: String?; var Message: String?; var __type: String? }
        guard response.status == 200 else {
            let failure = try? JSONDecoder().decode(Failure.self, from: Data(response.body))
            let headerType = response.headers.first { $0.name.lowercased() == "x-amzn-errortype" }?.value
            let code =
                (headerType ?? failure?.__type ?? "HTTP \(response.status)")
                .split(separator: ":").first.map(String.init) ?? ""
            if code.hasSuffix("ResourceNotFoundException") || response.status == 404 {
                throw EKSError.clusterNotFound(name: name, region: endpoint.signingRegion)
            }
            throw EKSError.service(
                operation: "DescribeCluster", status: response.status, code: code,
                message: failure?.message ?? failure?.Message ?? "")
        }
        guard let cluster = (try? JSONDecoder().decode(Wire.self, from: Data(response.body)))?.cluster,
            let arn = cluster.arn
        else {
            throw STSError.malformedResponse(
                operation: "DescribeCluster", endpoint: "\(endpoint.endpoint)", status: 200)
        }
        return ClusterInfo(
            name: cluster.name ?? name, arn: arn, endpoint: cluster.endpoint ?? "",
            certificateAuthorityData: cluster.certificateAuthority?.data ?? "", status: cluster.status ?? "UNKNOWN",
            outpostsID: cluster.outpostConfig != nil ? cluster.id : nil)
    }
}

/// Decodes any JSON value and keeps nothing: for presence checks.
struct AnyCodableIgnored: Decodable {
    init(from decoder: Decoder) throws {}
}
