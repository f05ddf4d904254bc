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
    /// The EKS client of the cluster's region.
    public let eks: EKSClient
    /// DescribeCluster's answer.
    public let cluster: ClusterInfo
    /// The system the connection was made with.
    let system: SystemContext

    /// Resolves settings and credentials, then describes `clusterName`.
    /// - Throws: `ConfigError`, `CredentialError`, `EKSError`, `AWSServiceError`.
    public static func connect(
        clusterName: String, regionFlag: String?, profileFlag: String?, system: SystemContext
    ) throws -> ClusterConnection {
        let settings = try AWSSettings.resolve(
            profileFlag: profileFlag, regionFlag: regionFlag, environment: system.environment,
            fileSystem: system.fileSystem)
        let credentials = try CredentialChain(settings: settings, system: system).resolve().credentials
        let retry = try system.retryPolicy()
        let eks = EKSClient(
            endpoint: try STSEndpointResolver(
                environment: system.environment, profile: settings.profile, config: settings.config
            ).resolveEKS(region: settings.region),
            http: system.http(), clock: system.clock, timeout: retry.attemptTimeout, retry: retry,
            tracer: system.tracer)
        let cluster = try eks.describeCluster(try TokenService.validatedClusterID(clusterName), as: credentials)
        return ClusterConnection(
            settings: settings, credentials: credentials, eks: eks, cluster: cluster, system: system)
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
