import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

/// What `eks-auth kubeconfig` was asked for.
public struct KubeconfigRequest: Sendable, Equatable {
    /// The cluster name.
    public var clusterName: String
    /// The role the exec block assumes (written into its args; DescribeCluster runs as the caller).
    public var roleARN: String?
    /// `--region`.
    public var region: String?
    /// `--profile`.
    public var profile: String?
    /// `--alias`: the context name (default: the cluster ARN).
    public var alias: String?
    /// `--user-alias`: the user entry name (default: the cluster ARN; with a role, `ROLE-NAME@CLUSTER-ARN`).
    public var userAlias: String?
    /// `--kubeconfig`: the file (default: the first KUBECONFIG entry, else ~/.kube/config).
    public var kubeconfigPath: String?
    /// `--dry-run`: return the merged file without writing it.
    public var dryRun: Bool

    /// A request from parts.
    public init(
        clusterName: String, roleARN: String? = nil, region: String? = nil, profile: String? = nil,
        alias: String? = nil, userAlias: String? = nil, kubeconfigPath: String? = nil, dryRun: Bool = false
    ) {
        self.clusterName = clusterName
        self.roleARN = roleARN
        self.region = region
        self.profile = profile
        self.alias = alias
        self.userAlias = userAlias
        self.kubeconfigPath = kubeconfigPath
        self.dryRun = dryRun
    }
}

/// The outcome: the file, the context made current, and the merged text.
public struct KubeconfigResult: Sendable, Equatable {
    /// The kubeconfig path.
    public var path: String
    /// The context now current.
    public var context: String
    /// The merged kubeconfig.
    public var text: String
    /// Where the previous file was copied, if it existed and was written over.
    public var backup: String?
    /// Whether the context was added, updated or already as it would be written (then the file was left alone).
    public var outcome: KubeconfigWriter.Outcome = .added

    /// What happened, in the AWS CLI's words: `Added new context C to PATH`, `Updated context C in PATH`, or
    /// `Context C in PATH is already up to date`.
    public var summary: String {
        switch outcome {
        case .added: return "Added new context \(context) to \(path)"
        case .updated: return "Updated context \(context) in \(path)"
        case .unchanged: return "Context \(context) in \(path) is already up to date; nothing was written"
        }
    }
}

/// The core of `eks-auth kubeconfig`: DescribeCluster, then merge the cluster, user and context.
public struct KubeconfigService: Sendable {
    let system: SystemContext

    /// A service over `system`.
    public init(system: SystemContext) {
        self.system = system
    }

    /// Writes (or, with `dryRun`, only returns) the kubeconfig for `request`.
    /// - Throws: `ConfigError`, `CredentialError`, `EKSError`, `KubeconfigError`, `AWSServiceError`.
    public func run(_ request: KubeconfigRequest) throws -> KubeconfigResult {
        let name = try TokenService.validatedClusterID(request.clusterName)
        if let role = request.roleARN, !RoleRequest.isRoleARN(role) {
            throw RoleRequestError.invalid(.roleARN, expected: RoleField.roleARNShape)
        }
        let environment = system.environment
        // With a role, DescribeCluster runs as the role (through the credential cache), like every
        // later kubectl call: group members need no EKS permission of their own.
        let (settings, caller) = try CredentialResolution(system: system).resolve(
            profile: request.profile, region: request.region, role: request.roleARN.map { RoleRequest(roleARN: $0) })
        let eksEndpoint = try STSEndpointResolver(
            environment: environment, profile: settings.profile, config: settings.config
        ).resolveEKS(region: settings.region)
        system.tracer("eks endpoint: \(eksEndpoint.endpoint) (\(eksEndpoint.source))")
        let retry = try system.retryPolicy()
        let cluster = try EKSClient(
            endpoint: eksEndpoint, http: system.http(), clock: system.clock, timeout: retry.attemptTimeout,
            retry: retry, tracer: system.tracer
        ).describeCluster(name, as: caller.credentials)
        guard cluster.status == "ACTIVE" || cluster.status == "UPDATING" else {
            throw EKSError.clusterNotActive(name: name, status: cluster.status)
        }
        let region = cluster.region ?? settings.region
        let args = PluginCommandLine.tokenArguments(
            clusterName: cluster.name, outpostsID: cluster.outpostsID, region: region, roleARN: request.roleARN,
            profile: settings.selection.isExplicit ? settings.selection.name : nil)
        let exec = ExecPlugin(
            command: "eks-auth", args: args,
            installHint: "eks-auth is needed to log in to this cluster: install it (make install) and put it on PATH")
        let names = KubeconfigNames(
            cluster: cluster.arn, user: request.userAlias ?? Self.userName(cluster: cluster.arn, role: request.roleARN),
            context: request.alias ?? cluster.arn)
        let path = Self.path(request.kubeconfigPath, environment: environment)
        // Where the write lands: through symbolic links to their target (a kubeconfig kept in a dotfiles
        // repository), as kubectl writes. A chain the kernel refuses fails the read below anyway.
        let target = (try? system.fileSystem.resolvingSymlinks(path)) ?? path
        // Only a regular file (or none) is merged into and replaced: `KUBECONFIG=/dev/null` reads as
        // empty, and renaming a new file over it would replace the device for everyone.
        if !request.dryRun, let status = try? system.fileSystem.status(of: target), !status.isRegularFile {
            throw KubeconfigError.cannotWrite(path: path, reason: "not a regular file")
        }
        let existing: String?
        do {
            existing = try system.fileSystem.read(path).map { String(decoding: $0, as: UTF8.self) }
        } catch let error as FileSystemError {
            throw KubeconfigError.cannotRead(path: path, reason: error.reason)
        }
        var replaced: [String] = []
        var outcome = KubeconfigWriter.Outcome.added
        let text = try KubeconfigWriter.merge(
            existing: existing, path: path, cluster: cluster, names: names, exec: exec, replaced: &replaced,
            outcome: &outcome)
        for entry in replaced where !request.dryRun {
            system.warn(
                "replaced the \(entry) in \(path), which was different; contexts using it now get what was written")
        }
        var result = KubeconfigResult(path: path, context: names.context, text: text, backup: nil)
        result.outcome = outcome
        guard !request.dryRun, result.outcome != .unchanged else { return result }
        do {
            let directory = String(
                path.split(separator: "/", omittingEmptySubsequences: false).dropLast()
                    .joined(separator: "/"))
            if !directory.isEmpty { try system.fileSystem.createDirectory(directory, mode: 0o700) }
            if let existing {
                let backup = path + ".eks-auth.bak"
                try system.fileSystem.writeAtomically(Array(existing.utf8), to: backup, mode: 0o600)
                result.backup = backup
            }
            try system.fileSystem.writeAtomically(Array(text.utf8), to: target, mode: 0o600)
        } catch let error as FileSystemError {
            throw KubeconfigError.cannotWrite(path: error.path, reason: error.reason)
        }
        return result
    }

    /// The default user entry name: the cluster ARN, or with a role `ROLE-NAME@CLUSTER-ARN`, so that
    /// each role on a cluster gets its own entry and one context is never repointed at another's role.
    static func userName(cluster: String, role: String?) -> String {
        guard let role, let name = role.split(separator: "/").last, !name.isEmpty else { return cluster }
        return "\(name)@\(cluster)"
    }

    /// `--kubeconfig`, else the first entry of KUBECONFIG, else ~/.kube/config.
    static func path(_ flag: String?, environment: Environment) -> String {
        if let flag, !flag.isEmpty { return environment.expandingTilde(flag) }
        if let list = environment["KUBECONFIG"], let first = list.split(separator: ":").first {
            return environment.expandingTilde(String(first))
        }
        return "\(environment.homeForFiles)/.kube/config"
    }
}
