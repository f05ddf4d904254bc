import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

/// What `eks-auth setup` did.
public struct SetupResult: Sendable, Equatable {
    /// The plan.
    public var plan: SetupPlan
    /// Paths of the files written.
    public var files: [String]
    /// What `--apply` did, one line per resource; empty without `--apply`.
    public var applied: [String]
}

/// The core of `eks-auth setup`: plan, write the files, and with `apply` create the IAM resources.
public struct SetupService: Sendable {
    let system: SystemContext

    /// A service over `system`.
    public init(system: SystemContext) {
        self.system = system
    }

    /// Plans `request` (its region resolved from `regionFlag`, the environment and the profile),
    /// writes the files to `directory`, and applies the IAM part when `apply`.
    /// - Throws: `SetupError`, `ConfigError`, `CredentialError`, `AWSServiceError`.
    public func run(
        account: String, clusterName: String, group: String, roleName: String?, clusterRole: ClusterRole,
        namespace: String?, fullEKSAccess: Bool, regionFlag: String?, profileFlag: String?, directory: String,
        apply: Bool, accessEntry: Bool = false, progress: (String) -> Void = { _ in }
    ) throws -> SetupResult {
        let settings = try AWSSettings.resolve(
            profileFlag: profileFlag, regionFlag: regionFlag, environment: system.environment,
            fileSystem: system.fileSystem)
        let plan = try SetupPlan(
            SetupRequest(
                account: account, clusterName: try TokenService.validatedClusterID(clusterName),
                region: settings.region, group: group, roleName: roleName, clusterRole: clusterRole,
                namespace: namespace, fullEKSAccess: fullEKSAccess))
        for warning in plan.warnings { system.warn(warning) }
        let written = try write(plan.files, to: directory, progress: progress)
        var applied: [String] = []
        if apply {
            let credentials = try CredentialChain(settings: settings, system: system).resolve()
            let resolver = STSEndpointResolver(
                environment: system.environment, profile: settings.profile, config: settings.config)
            let iam = try system.iamClient(resolver: resolver, region: settings.region)
            applied = try SetupApplier(iam: iam, credentials: credentials.credentials).apply(plan, progress: progress)
            if accessEntry {
                let eks = try system.eksClient(resolver: resolver, region: settings.region)
                let existing = try eks.createAccessEntry(
                    cluster: plan.request.clusterName, principalARN: plan.roleARN, groups: [plan.kubernetesGroup],
                    as: credentials.credentials)
                switch existing {
                case nil:
                    applied.append("created access entry for \(plan.roleName) → \(plan.kubernetesGroup)")
                    progress(applied.last!)
                case let groups? where Set(groups) == [plan.kubernetesGroup]:
                    applied.append("unchanged access entry for \(plan.roleName) (already as planned)")
                    progress(applied.last!)
                case let groups?:
                    throw SetupError.accessEntryDiffers(
                        cluster: plan.request.clusterName, principalARN: plan.roleARN, groups: groups,
                        planned: plan.kubernetesGroup)
                }
            }
        } else if accessEntry {
            throw SetupError.requires(.accessEntry, .apply)
        }
        return SetupResult(plan: plan, files: written, applied: applied)
    }

    /// Writes `files` into `directory` (created when missing): scripts 0755, the rest 0644, each
    /// atomically; returns their paths and says how many on `progress`.
    /// - Throws: `KubeconfigError.cannotWrite`.
    func write(_ files: [(name: String, content: String)], to directory: String, progress: (String) -> Void) throws
        -> [String]
    {
        var written: [String] = []
        do {
            try system.fileSystem.createDirectory(directory, mode: 0o755)
            for file in files {
                let path = "\(directory)/\(file.name)"
                try system.fileSystem.writeAtomically(
                    Array(file.content.utf8), to: path, mode: file.name.hasSuffix(".sh") ? 0o755 : 0o644)
                written.append(path)
            }
        } catch let error as FileSystemError {
            throw KubeconfigError.cannotWrite(path: error.path, reason: error.reason)
        }
        progress("wrote \(written.count) files to \(directory) (see README.md there)")
        return written
    }
}
