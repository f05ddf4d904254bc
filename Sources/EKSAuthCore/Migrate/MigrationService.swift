import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

/// What `eks-auth migrate` was asked for.
public struct MigrationRequest: Sendable {
    /// The cluster to read (and with `apply`, change); nil for a plan from files alone.
    public var clusterName: String?
    /// The aws-auth ConfigMap's text and where it came from; nil to read it from the cluster.
    public var awsAuth: (text: String, source: String)?
    /// The cluster's access entries as a file (offline plans); nil to read them from the cluster.
    public var accessEntries: (text: String, source: String)?
    /// `--region` and `--profile`.
    public var regionFlag, profileFlag: String?
    /// Create the entries.
    public var apply: Bool

    /// A request from parts.
    public init(
        clusterName: String?, awsAuth: (text: String, source: String)? = nil,
        accessEntries: (text: String, source: String)? = nil, regionFlag: String? = nil, profileFlag: String? = nil,
        apply: Bool = false
    ) {
        self.clusterName = clusterName
        self.awsAuth = awsAuth
        self.accessEntries = accessEntries
        self.regionFlag = regionFlag
        self.profileFlag = profileFlag
        self.apply = apply
    }
}

/// What `migrate` found and did.
public struct MigrationReport: Sendable, Equatable {
    /// The cluster, when one was read.
    public var cluster: String?
    /// Its authentication mode, when known.
    public var mode: AuthenticationMode?
    /// One step per aws-auth mapping.
    public var steps: [MigrationStep]
    /// What `--apply` did, one line each.
    public var applied: [String]
    /// What `--apply` could not do, one line each.
    public var failed: [String]
    /// What the user does next, in order.
    public var next: [String]

    /// A report from parts.
    public init(
        cluster: String?, mode: AuthenticationMode?, steps: [MigrationStep], applied: [String], failed: [String],
        next: [String]
    ) {
        self.cluster = cluster
        self.mode = mode
        self.steps = steps
        self.applied = applied
        self.failed = failed
        self.next = next
    }
}

/// Problems that stop `migrate`.
public enum MigrationError: EKSAuthError, Equatable {
    /// The cluster reads aws-auth only, so EKS refuses access entries.
    case accessEntriesOff(cluster: String)
    /// `--apply` without a cluster.
    case needsCluster
    /// Some entries could not be created or associated (each reported).
    case incomplete(Int)

    public var message: String {
        switch self {
        case .accessEntriesOff(let cluster):
            return "cluster \(cluster) uses authentication mode CONFIG_MAP, in which EKS refuses access entries; "
                + "nothing was created"
        case .needsCluster: return "--apply needs --cluster-name: the entries are created on a cluster"
        case .incomplete(let count):
            return "\(count) access \(count == 1 ? "entry" : "entries") could not be created or completed (see above)"
        }
    }

    public var hint: String? {
        switch self {
        case .accessEntriesOff(let cluster):
            return "aws eks update-cluster-config --name \(cluster) --access-config "
                + "authenticationMode=API_AND_CONFIG_MAP (aws-auth stays in use), then run migrate again"
        case .needsCluster: return nil
        case .incomplete: return "fix what each line says, then run the same command again: it is idempotent"
        }
    }

    public var kind: FailureKind {
        switch self {
        case .accessEntriesOff, .incomplete: return .configuration
        case .needsCluster: return .usage
        }
    }
}

/// The core of `eks-auth migrate`: aws-auth to access entries, planned, and with `apply` created.
public struct MigrationService: Sendable {
    let system: SystemContext
    let liveAWSAuth: @Sendable (ClusterConnection) throws -> String?

    /// A service over `system`; `liveAWSAuth` reads the cluster's aws-auth through its Kubernetes API.
    public init(
        system: SystemContext, liveAWSAuth: @escaping @Sendable (ClusterConnection) throws -> String? = { _ in nil }
    ) {
        self.system = system
        self.liveAWSAuth = liveAWSAuth
    }

    /// Plans `request`, and applies the plan when asked; `progress` gets each change as it is made.
    /// - Throws: `MigrationError`, `InspectError`, `ConfigError`, `CredentialError`, `EKSError`,
    ///   `AWSServiceError`.
    public func run(_ request: MigrationRequest, progress: (String) -> Void = { _ in }) throws -> MigrationReport {
        guard let clusterName = request.clusterName else {
            if request.apply { throw MigrationError.needsCluster }
            let config = try awsAuth(request.awsAuth, live: nil)
            let existing = try request.accessEntries.map { try AccessEntriesDocument.parse($0.text, source: $0.source) }
            let steps = MigrationPlanner.plan(
                config, existing: existing, cluster: "CLUSTER", lookupRole: { _ in .unknown("") })
            return MigrationReport(
                cluster: nil, mode: nil, steps: steps, applied: [], failed: [],
                next: [
                    "run with --cluster-name CLUSTER: the roles are then looked up in IAM (a role with a path needs "
                        + "its full ARN in an access entry) and compared with the cluster's entries"
                ])
        }
        let connection = try ClusterConnection.connect(
            clusterName: clusterName, regionFlag: request.regionFlag, profileFlag: request.profileFlag, system: system)
        let mode = connection.authenticationMode.mode
        let config = try awsAuth(request.awsAuth, live: connection)
        let existing =
            try request.accessEntries.map { try AccessEntriesDocument.parse($0.text, source: $0.source) }
            ?? (mode.readsAccessEntries ? connection.accessEntries() : [])
        let iam = try system.iamClient(
            resolver: STSEndpointResolver(
                environment: system.environment, profile: connection.settings.profile,
                config: connection.settings.config),
            region: connection.settings.region)
        let steps = MigrationPlanner.plan(
            config, existing: existing, cluster: connection.cluster.name,
            lookupRole: { lookupRole($0, iam: iam, credentials: connection.credentials) })
        var report = MigrationReport(
            cluster: connection.cluster.name, mode: mode, steps: steps, applied: [], failed: [], next: [])
        if request.apply {
            guard mode.readsAccessEntries else {
                throw MigrationError.accessEntriesOff(cluster: connection.cluster.name)
            }
            apply(&report, connection: connection, progress: progress)
        }
        report.next = Self.nextSteps(report, applied: request.apply)
        return report
    }

    /// The aws-auth to migrate: the file's, else the cluster's.
    func awsAuth(_ input: (text: String, source: String)?, live connection: ClusterConnection?) throws
        -> AWSAuthConfig
    {
        let config: AWSAuthConfig
        if let input {
            config = try AWSAuthConfig.parse(input.text, source: input.source)
        } else if let connection, let text = try liveAWSAuth(connection) {
            config = try AWSAuthConfig.parse(text, source: "the cluster's kube-system/aws-auth")
        } else {
            throw InspectError.unreadableAWSAuth(
                source: connection.map { "cluster \($0.cluster.name)" } ?? "(none given)",
                reason: "there is no aws-auth ConfigMap to migrate")
        }
        for problem in config.problems { system.warn("aws-auth: \(problem)") }
        return config
    }

    /// IAM GetRole for the role an aws-auth ARN names: its real ARN (path included), missing, or unknown.
    func lookupRole(_ arn: String, iam: QueryProtocolClient, credentials: AWSCredentials) -> RoleLookup {
        guard let name = ARN(arn)?.resource.split(separator: "/").last.map(String.init) else {
            return .unknown("not an ARN")
        }
        do {
            let reply = try iam.call("GetRole", [("RoleName", name)], as: credentials, roleARN: nil)
            return reply.value(at: "Role", "Arn").map { .found($0) } ?? .unknown("IAM's answer had no Arn")
        } catch AWSServiceError.service(let failure) where failure.code == "NoSuchEntity" {
            return .missing
        } catch let error as EKSAuthError {
            return .unknown("IAM GetRole: \(error.message)")
        } catch {
            return .unknown("IAM GetRole failed")
        }
    }

    /// Creates the planned entries and associates their policies, recording each line.
    func apply(_ report: inout MigrationReport, connection: ClusterConnection, progress: (String) -> Void) {
        let cluster = connection.cluster.name
        for index in report.steps.indices {
            let step = report.steps[index]
            guard step.action == .create || step.action == .associate, var entry = step.entry else { continue }
            do {
                if step.action == .create {
                    let wanted = AccessEntry(
                        principalArn: entry.principalArn, kubernetesGroups: entry.kubernetesGroups,
                        username: entry.username, type: entry.type, tags: entry.tags)
                    switch try connection.eks.createAccessEntry(wanted, cluster: cluster, as: connection.credentials) {
                    case .created:
                        report.applied.append("created access entry for \(entry.principalArn) (\(step.source))")
                        progress(report.applied.last!)
                    case .exists(let have):
                        // Made meanwhile by someone else: compare as the plan would have.
                        let again = MigrationPlanner.compare(entry, with: have, source: step.source, notes: step.notes)
                        report.steps[index] = again
                        guard again.action == .associate, let missing = again.entry else { continue }
                        entry = missing
                    }
                }
                for policy in entry.associatedAccessPolicies {
                    try connection.eks.associateAccessPolicy(
                        policy, cluster: cluster, principalARN: entry.principalArn, as: connection.credentials)
                    report.applied.append(
                        "associated \(policy.policyName) (\(policy.accessScope.text)) with \(entry.principalArn)")
                    progress(report.applied.last!)
                }
            } catch let error as EKSAuthError {
                report.failed.append("\(step.source) \(entry.principalArn): \(error.message)")
            } catch {
                report.failed.append("\(step.source) \(entry.principalArn): \(error)")
            }
        }
    }

    /// What to do next: switch the mode once the entries are checked, in the one-way order EKS allows.
    public static func nextSteps(_ report: MigrationReport, applied: Bool) -> [String] {
        guard let cluster = report.cluster, let mode = report.mode else { return [] }
        let update = "aws eks update-cluster-config --name \(cluster) --access-config authenticationMode="
        switch mode {
        case .configMap:
            return [
                "\(update)API_AND_CONFIG_MAP (EKS then reads access entries first and aws-auth still; one-way)",
                "eks-auth migrate --cluster-name \(cluster) --apply",
            ]
        case .api:
            return ["the cluster is in mode API: aws-auth is no longer read; nothing else to switch"]
        case .apiAndConfigMap:
            var next: [String] = []
            let pending = report.steps.filter { $0.action == .create || $0.action == .associate }.count
            if pending > 0, !applied { next.append("eks-auth migrate --cluster-name \(cluster) --apply") }
            next.append(
                "check each principal: eks-auth explain --cluster-name \(cluster) --authentication-mode API --arn ARN")
            let left = report.steps.filter { $0.action == .manual || $0.action == .differs }.count
            next.append(
                "\(update)API (one-way: aws-auth is then ignored, though not deleted)"
                    + (left > 0 ? "; first settle the \(left) manual or differing mapping(s) above" : ""))
            return next
        }
    }
}
