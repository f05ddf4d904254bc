import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

/// A cluster reached through the EKS API with the caller's credentials (the shared-config chain of
/// `--profile`/`--region`): what `explain --cluster-name` and `migrate` read and change.
public struct ClusterConnection: Sendable {
    /// The settings the credentials and region came from.
    public let settings: AWSSettings
    /// The caller's credentials.
    public let credentials: AWSCredentials
    /// Where they came from, in words.
    public let credentialSource: String
    /// The EKS client of the cluster's region.
    public let eks: EKSClient
    /// DescribeCluster's answer.
    public let cluster: ClusterInfo
    /// The system the connection was made with.
    let system: SystemContext

    /// Resolves settings and credentials (with `role` assumed through the cache), then describes
    /// `clusterName`.
    /// - Throws: `ConfigError`, `CredentialError`, `RoleRequestError`, `EKSError`, `AWSServiceError`.
    public static func connect(
        clusterName: String, regionFlag: String?, profileFlag: String?, role: RoleRequest? = nil,
        system: SystemContext
    ) throws -> ClusterConnection {
        let name = try TokenService.validatedClusterID(clusterName)
        let (settings, resolved) = try CredentialResolution(system: system).resolve(
            profile: profileFlag, region: regionFlag, role: role)
        let resolver = STSEndpointResolver(
            environment: system.environment, profile: settings.profile, config: settings.config)
        let eks = try system.eksClient(resolver: resolver, region: settings.region)
        system.tracer("eks endpoint: \(eks.endpoint.endpoint) (\(eks.endpoint.source))")
        let cluster = try eks.describeCluster(name, as: resolved.credentials)
        return ClusterConnection(
            settings: settings, credentials: resolved.credentials, credentialSource: resolved.source.description,
            eks: eks, cluster: cluster, system: system)
    }

    /// The cluster's authentication mode and where it came from: a cluster answering without
    /// `accessConfig` predates access entries and reads aws-auth only.
    public var authenticationMode: (mode: AuthenticationMode, source: String) {
        guard let text = cluster.authenticationMode else {
            return (.configMap, "DescribeCluster (no accessConfig: aws-auth only)")
        }
        guard let mode = AuthenticationMode(rawValue: text) else {
            return (.apiAndConfigMap, "DescribeCluster (unknown mode \(TerminalText.sanitized(text)), read as both)")
        }
        return (mode, "DescribeCluster")
    }

    /// The access entries of the cluster whose principal `wanted` accepts, described with their
    /// policies; the others carry their principal ARN only (ListAccessEntries' answer).
    /// - Throws: `EKSError`, `AWSServiceError`.
    public func accessEntries(describing wanted: (String) -> Bool = { _ in true }) throws -> [AccessEntry] {
        try eks.listAccessEntries(cluster: cluster.name, as: credentials).compactMap { arn in
            guard wanted(arn) else { return AccessEntry(principalArn: arn) }
            guard var entry = try eks.describeAccessEntry(cluster: cluster.name, principalARN: arn, as: credentials)
            else { return nil }
            entry.associatedAccessPolicies = try eks.listAssociatedAccessPolicies(
                cluster: cluster.name, principalARN: arn, as: credentials)
            return entry
        }
    }
}
