import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

/// What `eks-auth setup --permission-set` did.
public struct PermissionSetResult: Sendable, Equatable {
    /// The plan, with the role found.
    public var plan: PermissionSetPlan
    /// Paths of the files written.
    public var files: [String]
    /// What was found and done, one line each, as printed.
    public var lines: [String]
    /// Mappings to roles the set no longer has (reported, never removed).
    public var stale: [StaleMapping]
}

extension SetupService {
    /// The saved aws-auth ConfigMap to check: its text and where it came from (a path, or `stdin`).
    public typealias AWSAuthSource = (text: String, source: String)

    /// `setup --permission-set`: validates the request (its region resolved from `regionFlag`, the
    /// environment and the profile); reads `awsAuth` when given; finds the set's role with IAM
    /// ListRoles (always: the files name the real role); writes the files to `directory`; reports
    /// aws-auth's stale and missing entries; and with `apply` and `accessEntry` creates the access entry
    /// (the ARN as IAM returns it) and reports the cluster's stale entries for the set. Every line goes
    /// to `progress` as it comes. IAM is never written to.
    /// - Throws: `SetupError` (`.requires(.accessEntry, .apply)`, `.accessEntryDiffers`, `.invalid`),
    ///   `PermissionSetError`, `InspectError.unreadableAWSAuth`, `ConfigError`, `CredentialError`,
    ///   `EKSError`, `AWSServiceError`.
    public func runPermissionSet(
        account: String, clusterName: String, permissionSet: String, clusterRole: ClusterRole, namespace: String?,
        identityCenterRegion: String?, regionFlag: String?, profileFlag: String?, directory: String, apply: Bool,
        accessEntry: Bool, awsAuth: AWSAuthSource? = nil, progress: (String) -> Void = { _ in }
    ) throws -> PermissionSetResult {
        let settings = try AWSSettings.resolve(
            profileFlag: profileFlag, regionFlag: regionFlag, environment: system.environment,
            fileSystem: system.fileSystem)
        let request = PermissionSetRequest(
            account: account, clusterName: try TokenService.validatedClusterID(clusterName), region: settings.region,
            permissionSet: permissionSet, clusterRole: clusterRole, namespace: namespace,
            identityCenterRegion: identityCenterRegion)
        try request.validate()
        if accessEntry, !apply { throw SetupError.requires(.accessEntry, .apply) }
        // A bad file fails before any call.
        let config = try awsAuth.map { try AWSAuthConfig.parse($0.text, source: $0.source) }

        let credentials = try CredentialChain(settings: settings, system: system).resolve().credentials
        let resolver = STSEndpointResolver(
            environment: system.environment, profile: settings.profile, config: settings.config)
        let roles = try PermissionSetLookup(
            iam: try system.iamClient(resolver: resolver, region: settings.region), credentials: credentials
        ).roles()
        let role = try PermissionSetLookup.select(
            permissionSet, from: roles, account: account, identityCenterRegion: identityCenterRegion)
        // Every live role of the set counts as live, whichever region's path: only roles IAM no longer
        // has are stale.
        let live = roles.filter { $0.belongs(to: role.permissionSetName) }
        let plan = try PermissionSetPlan(request, role: role)

        var lines: [String] = [] {
            didSet { progress(lines.last!) }
        }
        lines.append("found \(role.name) for permission set \(role.permissionSetName): \(role.arn)")
        for warning in plan.warnings { system.warn(warning) }
        let written = try write(plan.files, to: directory, progress: progress)
        var stale: [StaleMapping] = []
        if let config, let awsAuth {
            let report = plan.awsAuthReport(config, file: awsAuth.source, live: live)
            for line in report.lines { lines.append(line) }
            stale += report.stale
        }
        if apply {
            lines.append("nothing to create in IAM: IAM Identity Center owns \(role.name) and who may use it")
            if accessEntry {
                let eks = try system.eksClient(resolver: resolver, region: settings.region)
                let cluster = request.clusterName
                switch try eks.createAccessEntry(plan.accessEntry, cluster: cluster, as: credentials) {
                case .created:
                    lines.append("created access entry for \(role.name) → \(plan.kubernetesGroup)")
                case .exists(let existing) where Set(existing.kubernetesGroups) == [plan.kubernetesGroup]:
                    lines.append("unchanged access entry for \(role.name) (already as planned)")
                case .exists(let existing):
                    throw SetupError.accessEntryDiffers(
                        cluster: cluster, principalARN: role.arn,
                        groups: existing.kubernetesGroups.map { TerminalText.line($0, limit: 200) },
                        planned: plan.kubernetesGroup)
                }
                let found = plan.staleAccessEntries(
                    try eks.listAccessEntries(cluster: cluster, as: credentials), live: live)
                stale += found
                for mapping in found { lines.append(mapping.line(liveRole: role.name)) }
            }
        }
        return PermissionSetResult(plan: plan, files: written, lines: lines, stale: stale)
    }
}
