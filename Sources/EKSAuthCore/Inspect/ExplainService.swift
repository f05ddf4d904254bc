import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

/// Where `explain` reads a cluster's mappings from: files, the cluster, or both.
public struct ExplainInputs: Sendable {
    /// The aws-auth ConfigMap's text and where it came from (a path or `stdin`).
    public var awsAuth: (text: String, source: String)?
    /// The access entries document's text and where it came from.
    public var accessEntries: (text: String, source: String)?
    /// The authentication mode given on the command line.
    public var mode: AuthenticationMode?
    /// The cluster to read what no file gives (live), or nil for files only.
    public var clusterName: String?
    /// `--region` and `--profile`, for the live reads.
    public var regionFlag, profileFlag: String?

    /// Inputs from parts.
    public init(
        awsAuth: (text: String, source: String)? = nil, accessEntries: (text: String, source: String)? = nil,
        mode: AuthenticationMode? = nil, clusterName: String? = nil, regionFlag: String? = nil,
        profileFlag: String? = nil
    ) {
        self.awsAuth = awsAuth
        self.accessEntries = accessEntries
        self.mode = mode
        self.clusterName = clusterName
        self.regionFlag = regionFlag
        self.profileFlag = profileFlag
    }

}

/// The core of `explain` beyond aws-auth: gathers a cluster's mappings from files or the cluster.
public struct ExplainService: Sendable {
    let system: SystemContext
    /// Reads the live aws-auth ConfigMap of a connected cluster (nil when it does not exist).
    let liveAWSAuth: @Sendable (ClusterConnection) throws -> String?

    /// A service over `system`; `liveAWSAuth` reads the cluster's aws-auth through its Kubernetes API.
    public init(
        system: SystemContext, liveAWSAuth: @escaping @Sendable (ClusterConnection) throws -> String? = { _ in nil }
    ) {
        self.system = system
        self.liveAWSAuth = liveAWSAuth
    }

    /// The mappings of `inputs`: from the files when any is given, else from the cluster. From files, the mode is the one given, else what the files imply:
    /// both files `API_AND_CONFIG_MAP`, aws-auth alone `CONFIG_MAP`, access entries alone `API`. Live, the
    /// mode comes from DescribeCluster (unless given), then the access entries (only those of
    /// `principal`'s identity are described) and the aws-auth ConfigMap the mode reads.
    /// - Throws: `InspectError`, `ConfigError`, `CredentialError`, `EKSError`, `AWSServiceError`.
    public func clusterAccess(_ inputs: ExplainInputs, principal canonical: String) throws -> ClusterAccess {
        let awsAuth = try inputs.awsAuth.map { try AWSAuthConfig.parse($0.text, source: $0.source) }
        for problem in awsAuth?.problems ?? [] { system.warn("aws-auth: \(problem)") }
        let entries = try inputs.accessEntries.map { try AccessEntriesDocument.parse($0.text, source: $0.source) }
        guard awsAuth == nil, entries == nil, let clusterName = inputs.clusterName else {
            let implied: (AuthenticationMode, String) =
                switch (awsAuth != nil, entries != nil) {
                case (true, true): (.apiAndConfigMap, "assumed from both files; --authentication-mode sets it")
                case (true, false): (.configMap, "assumed from --aws-auth alone; --authentication-mode sets it")
                default: (.api, "assumed from --access-entries alone; --authentication-mode sets it")
                }
            return ClusterAccess(
                mode: inputs.mode ?? implied.0, modeSource: inputs.mode != nil ? "--authentication-mode" : implied.1,
                awsAuth: awsAuth, accessEntries: entries)
        }
        let connection = try ClusterConnection.connect(
            clusterName: clusterName, regionFlag: inputs.regionFlag, profileFlag: inputs.profileFlag, system: system)
        let found = connection.authenticationMode
        let mode = inputs.mode ?? found.mode
        var access = ClusterAccess(mode: mode, modeSource: inputs.mode != nil ? "--authentication-mode" : found.source)
        if mode.readsAccessEntries {
            access.accessEntries = try connection.accessEntries { AccessExplainer.matches($0, canonical) }
        }
        // aws-auth is read when the cluster reads it, even for a what-if --authentication-mode API: the
        // answer then says what aws-auth grants that the mode would ignore.
        if mode.readsConfigMap || found.mode.readsConfigMap {
            do {
                if let text = try liveAWSAuth(connection) {
                    let config = try AWSAuthConfig.parse(text, source: "the cluster's kube-system/aws-auth")
                    for problem in config.problems { system.warn("aws-auth: \(problem)") }
                    access.awsAuth = config
                } else {
                    access.readNotes.append("the cluster has no aws-auth ConfigMap")
                }
            } catch let error as EKSAuthError {
                access.readNotes.append("aws-auth was not read: \(error.message) (give --aws-auth FILE)")
            }
        }
        return access
    }
}
