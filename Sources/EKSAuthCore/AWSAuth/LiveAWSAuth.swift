import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The aws-auth ConfigMap of a cluster as its API server serves it: the JSON text (which
/// `AWSAuthConfig.parse` reads as it is) and the `metadata.resourceVersion` it was read at.
public struct LiveAWSAuth: Sendable, Equatable {
    /// The ConfigMap object, JSON, exactly as the API server sent it.
    public var text: String
    /// `metadata.resourceVersion`: a write carrying it fails (409 Conflict) if the object changed since.
    public var resourceVersion: String
    /// Where it came from, for messages: `configmap kube-system/aws-auth of cluster NAME`.
    public var source: String

    /// A ConfigMap read from parts.
    public init(text: String, resourceVersion: String, source: String) {
        self.text = text
        self.resourceVersion = resourceVersion
        self.source = source
    }

    /// Reads kube-system/aws-auth of cluster `clusterName` through its Kubernetes API, as `kubectl get
    /// configmap aws-auth -n kube-system -o json` would with eks-auth as its exec plugin: the credentials
    /// of `profile` (chain rules as for `token`; with `role`, that role assumed through the session cache),
    /// EKS DescribeCluster in `region` for the endpoint and CA, and a token eks-auth makes for the cluster.
    /// Nil when the cluster has no aws-auth ConfigMap (404).
    /// - Throws: `ConfigError`, `CredentialError`, `RoleRequestError`, `EKSError`, `AWSServiceError` on the way to the
    ///   cluster; `AWSAuthLiveError` when the API server refuses (401, 403) or cannot be reached, or its reply is
    ///   not a ConfigMap.
    public static func fetch(
        clusterName: String, region: String?, profile: String?, role: RoleRequest? = nil, system: SystemContext
    ) throws -> LiveAWSAuth? {
        try AWSAuthCluster.connect(
            clusterName: clusterName, region: region, profile: profile, role: role, system: system
        ).read()
    }

    /// Reads kube-system/aws-auth of the cluster `connection` described, with a token made from its
    /// credentials (no second DescribeCluster): what `ExplainService` and `MigrationService` take as
    /// `liveAWSAuth`, as `{ try LiveAWSAuth.fetch(from: $0)?.text }`. Nil when there is none (404).
    /// - Throws: `ConfigError` for the retry settings; `AWSAuthLiveError` as `fetch(clusterName:…)` throws it.
    public static func fetch(from connection: ClusterConnection) throws -> LiveAWSAuth? {
        try AWSAuthCluster.reaching(
            connection.cluster, settings: connection.settings, credentials: connection.credentials,
            source: connection.credentialSource, system: connection.system
        ).read()
    }
}

/// Why talking to the cluster's Kubernetes API about aws-auth failed.
public enum AWSAuthLiveError: EKSAuthError, Equatable {
    /// The ConfigMap changed between the read and the write (HTTP 409).
    case conflict(cluster: String, resourceVersion: String)
    /// The API server refused the identity: `status` 401 or 403, what it said, and the `verb` refused.
    case refused(cluster: String, status: Int, identity: String, verb: String, detail: String)
    /// The API server could not be reached.
    case unreachable(cluster: String, endpoint: String, reason: String)
    /// An answer that is not one the Kubernetes API gives.
    case unexpectedReply(cluster: String, request: String, detail: String)
    /// The cluster's endpoint or CA from DescribeCluster cannot be used.
    case unusableCluster(cluster: String, reason: String)
    /// `remove` on a cluster that has no aws-auth ConfigMap.
    case noConfigMap(cluster: String)

    public var message: String {
        switch self {
        case .conflict(let cluster, let version):
            return "aws-auth changed on cluster \(cluster) since it was read (resourceVersion \(version)); "
                + "nothing was written; run again"
        case .refused(let cluster, let status, let identity, let verb, let detail):
            let what =
                status == 401
                ? "refused the token of \(identity) (HTTP 401 Unauthorized)"
                : "does not allow \(identity) to \(verb) configmap kube-system/aws-auth (HTTP 403 Forbidden)"
            return "cluster \(cluster) \(what)\(detail.isEmpty ? "" : ": \(detail)")"
        case .unreachable(let cluster, let endpoint, let reason):
            return "the API server of cluster \(cluster) (\(endpoint)) did not answer: \(reason)"
        case .unexpectedReply(let cluster, let request, let detail):
            return "cluster \(cluster) answered \(request) with \(detail)"
        case .unusableCluster(let cluster, let reason):
            return "cluster \(cluster): \(reason)"
        case .noConfigMap(let cluster):
            return "cluster \(cluster) has no aws-auth ConfigMap (kube-system/aws-auth: HTTP 404)"
        }
    }

    public var hint: String? {
        switch self {
        case .conflict:
            return "someone else edited aws-auth meanwhile; the next run reads their change and applies yours on top"
        case .refused(let cluster, let status, let identity, _, _):
            if status == 401 {
                return "'eks-auth doctor --cluster-name \(cluster)' checks each step; "
                    + "'eks-auth explain --arn \(identity) --cluster-name \(cluster)' says how the cluster maps it"
            }
            return "editing aws-auth needs get and update on configmaps in kube-system (system:masters, or the "
                + "AmazonEKSClusterAdminPolicy access policy); 'eks-auth explain --arn \(identity) --cluster-name \(cluster)' "
                + "shows the groups it gets"
        case .unreachable:
            return
                "a private endpoint is reached only from its VPC; check HTTPS_PROXY/NO_PROXY, or edit a saved copy with --file"
        case .noConfigMap: return "add --ignore-missing to succeed when there is nothing to remove"
        default: return nil
        }
    }

    public var kind: FailureKind {
        switch self {
        case .conflict, .unreachable, .unexpectedReply: return .unavailable
        case .refused: return .denied
        case .unusableCluster, .noConfigMap: return .configuration
        }
    }
}

/// A connection to one cluster's Kubernetes API for aws-auth: DescribeCluster's endpoint and CA, an EKS
/// token made here, and the caller (named in refusals).
struct AWSAuthCluster {
    let name: String
    let api: ClusterAPI
    let token: String
    let system: SystemContext
    /// Who the token is for, worked out (GetCallerIdentity) only when a refusal must name it.
    let identity: @Sendable () -> String

    /// The most of a reply read: an object is at most 1.5 MiB in etcd.
    static let maximumReplyBytes = 3 << 20
    /// The ConfigMaps collection of kube-system, for creating aws-auth.
    static let collectionPath = "/api/v1/namespaces/kube-system/configmaps"

    /// Resolves the credentials, describes the cluster and makes a token for it.
    /// - Throws: `ConfigError`, `CredentialError`, `EKSError`, `AWSServiceError`, `AWSAuthLiveError.unusableCluster`.
    static func connect(
        clusterName: String, region: String?, profile: String?, role: RoleRequest? = nil, system: SystemContext
    ) throws -> AWSAuthCluster {
        let connection = try ClusterConnection.connect(
            clusterName: clusterName, regionFlag: region, profileFlag: profile, role: role, system: system)
        let cluster = connection.cluster
        guard cluster.status == "ACTIVE" || cluster.status == "UPDATING" else {
            throw EKSError.clusterNotActive(name: cluster.name, status: cluster.status)
        }
        return try reaching(
            cluster, settings: connection.settings, credentials: connection.credentials,
            source: connection.credentialSource, system: system)
    }

    /// A connection to `cluster` (described already) with a token made from `credentials`.
    /// - Throws: `ConfigError` for the retry settings, `AWSAuthLiveError.unusableCluster`.
    static func reaching(
        _ cluster: ClusterInfo, settings: AWSSettings, credentials: AWSCredentials, source: String,
        system: SystemContext
    ) throws -> AWSAuthCluster {
        let name = cluster.name
        let retry = try system.retryPolicy()
        guard
            let pem = Data(base64Encoded: cluster.certificateAuthorityData, options: .ignoreUnknownCharacters)
                .map(Array.init),
            String(decoding: pem, as: UTF8.self).contains("-----BEGIN CERTIFICATE-----")
        else {
            throw AWSAuthLiveError.unusableCluster(
                cluster: name, reason: "its certificateAuthority.data is not a base64 PEM certificate")
        }
        guard cluster.endpoint.hasPrefix("https://") else {
            throw AWSAuthLiveError.unusableCluster(
                cluster: name,
                reason: "its endpoint '\(TerminalText.excerpt(cluster.endpoint, limit: 200))' is not an https:// URL")
        }
        let token = EKSToken.make(
            credentials: credentials, endpoint: settings.stsEndpoint, clusterID: cluster.outpostsID ?? cluster.name,
            at: system.clock.now())
        return AWSAuthCluster(
            name: name,
            api: ClusterAPI(
                endpoint: cluster.endpoint, certificateAuthority: pem, http: system.http(),
                timeout: retry.attemptTimeout),
            token: token.value, system: system,
            identity: {
                guard let sts = try? STSClient(settings: settings, system: system),
                    let caller = try? sts.callerIdentity(as: credentials)
                else { return "the credentials from \(source)" }
                return caller.arn
            })
    }

    /// Sends one request to the API server, bounded and with transport failures worded.
    private func send(_ method: String, _ path: String, body: String? = nil) throws -> HTTPResponse {
        let response: HTTPResponse
        do {
            response = try api.send(method, path, token: token, body: body)
        } catch let error as HTTPTransportError {
            throw AWSAuthLiveError.unreachable(
                cluster: name, endpoint: api.endpoint, reason: error.reason(timeout: api.timeout))
        }
        guard response.body.count <= Self.maximumReplyBytes else {
            throw AWSAuthLiveError.unexpectedReply(
                cluster: name, request: "\(method) \(path)",
                detail: "a reply of \(response.body.count) bytes, more than the \(Self.maximumReplyBytes) read")
        }
        return response
    }

    /// The `message` of a Kubernetes Status reply, escaped and bounded, or the reply's excerpt.
    private static func detail(of response: HTTPResponse) -> String {
        struct Status: Decodable { var message: String? }
        if let message = (try? JSONDecoder().decode(Status.self, from: Data(response.body)))?.message {
            return TerminalText.excerpt(message, limit: 200)
        }
        return response.bodyExcerpt ?? ""
    }

    private func failure(_ response: HTTPResponse, _ method: String, _ path: String, verb: String) -> Error {
        switch response.status {
        case 401, 403:
            return AWSAuthLiveError.refused(
                cluster: name, status: response.status, identity: identity(), verb: verb,
                detail: response.status == 401 ? "" : Self.detail(of: response))
        case 409:
            return AWSAuthLiveError.conflict(cluster: name, resourceVersion: "?")
        default:
            return AWSAuthLiveError.unexpectedReply(
                cluster: name, request: "\(method) \(path)", detail: "HTTP \(response.statusWithExcerpt)")
        }
    }

    /// GET kube-system/aws-auth; nil on 404.
    /// - Throws: `AWSAuthLiveError`.
    func read() throws -> LiveAWSAuth? {
        let response = try send("GET", ClusterAPI.awsAuthPath)
        if response.status == 404 { return nil }
        guard response.status == 200 else { throw failure(response, "GET", ClusterAPI.awsAuthPath, verb: "get") }
        struct Object: Decodable {
            struct Metadata: Decodable { var resourceVersion: String? }
            var kind: String?
            var metadata: Metadata?
        }
        guard let object = try? JSONDecoder().decode(Object.self, from: Data(response.body)),
            object.kind == "ConfigMap", let version = object.metadata?.resourceVersion
        else {
            throw AWSAuthLiveError.unexpectedReply(
                cluster: name, request: "GET \(ClusterAPI.awsAuthPath)",
                detail: "something that is not a ConfigMap with a resourceVersion: \(response.bodyExcerpt ?? "(empty)")"
            )
        }
        return LiveAWSAuth(
            text: response.text, resourceVersion: version, source: "configmap kube-system/aws-auth of cluster \(name)")
    }

    /// PUT the edited object back: the API server accepts it only at the resourceVersion it carries.
    /// - Throws: `AWSAuthLiveError` (`.conflict` on 409).
    func replace(_ text: String, readAt version: String) throws {
        let response = try send("PUT", ClusterAPI.awsAuthPath, body: text)
        if response.status == 409 { throw AWSAuthLiveError.conflict(cluster: name, resourceVersion: version) }
        guard response.status == 200 || response.status == 201 else {
            throw failure(response, "PUT", ClusterAPI.awsAuthPath, verb: "update")
        }
    }

    /// POST `object` (a new aws-auth ConfigMap, JSON) to kube-system's ConfigMaps; a 409 means another
    /// one was created meanwhile.
    /// - Throws: `AWSAuthLiveError`.
    func create(_ object: String) throws {
        let response = try send("POST", Self.collectionPath, body: object)
        if response.status == 409 {
            throw AWSAuthLiveError.conflict(cluster: name, resourceVersion: "(none: it was created meanwhile)")
        }
        guard response.status == 200 || response.status == 201 else {
            throw failure(response, "POST", Self.collectionPath, verb: "create")
        }
    }
}
