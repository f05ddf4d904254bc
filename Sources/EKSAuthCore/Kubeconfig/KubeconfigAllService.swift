import AWSConfiguration
import AWSSigning
import AWSTransport
import Dispatch
import EKSAuthSystem
import Synchronization
import YAMLDocument

/// What `eks-auth kubeconfig --all` was asked for.
public struct KubeconfigAllRequest: Sendable, Equatable {
    /// `--role-arn`, once or more: one context per cluster and role (none: one per cluster).
    public var roleARNs: [String]
    /// `--regions`: the regions to scan (nil: every region EC2 DescribeRegions says is enabled).
    public var regions: [String]?
    /// `--alias`: the context name template (see `KubeconfigNameTemplate`).
    public var alias: String?
    /// `--user-alias`: the user name template.
    public var userAlias: String?
    /// `--prune`: remove eks-auth's contexts for clusters that no longer exist in the regions scanned.
    public var prune: Bool
    /// `--kubeconfig`.
    public var kubeconfigPath: String?
    /// `--dry-run`: return the merged file without writing it.
    public var dryRun: Bool
    /// `--profile`.
    public var profile: String?
    /// `--region`: where DescribeRegions (and STS) is called.
    public var region: String?

    /// A request from parts.
    public init(
        roleARNs: [String] = [], regions: [String]? = nil, alias: String? = nil, userAlias: String? = nil,
        prune: Bool = false, kubeconfigPath: String? = nil, dryRun: Bool = false, profile: String? = nil,
        region: String? = nil
    ) {
        self.roleARNs = roleARNs
        self.regions = regions
        self.alias = alias
        self.userAlias = userAlias
        self.prune = prune
        self.kubeconfigPath = kubeconfigPath
        self.dryRun = dryRun
        self.profile = profile
        self.region = region
    }
}

/// What `--all` did.
public struct KubeconfigAllResult: Sendable, Equatable {
    /// A region that could not be scanned, and why.
    public struct RegionFailure: Sendable, Equatable {
        /// The region.
        public var region: String
        /// The error's message.
        public var message: String
        /// The error's kind (for the exit code).
        public var kind: FailureKind
    }

    /// The kubeconfig path.
    public var path: String
    /// The merged kubeconfig.
    public var text: String = ""
    /// Where the previous file was copied, when it was written over.
    public var backup: String?
    /// The regions scanned (successfully or not), in order.
    public var regions: [String] = []
    /// Contexts added, updated, already as written, and removed by `--prune`.
    public var added: [String] = [], updated: [String] = [], unchanged: [String] = [], pruned: [String] = []
    /// Contexts not written because an entry of that name is someone else's: `NAME: why`.
    public var skipped: [String] = []
    /// The regions that failed.
    public var failures: [RegionFailure] = []
    /// Whether the file was written.
    public var written = false

    /// One line per context added, updated or removed, then the totals.
    public var summary: String {
        var lines = added.map { "Added context \(TerminalText.line($0, limit: 300))" }
        lines += updated.map { "Updated context \(TerminalText.line($0, limit: 300))" }
        lines += pruned.map { "Removed context \(TerminalText.line($0, limit: 300)) (its cluster no longer exists)" }
        lines.append(
            "\(path): \(added.count) added, \(updated.count) updated, \(unchanged.count) already up to date, "
                + (skipped.isEmpty ? "" : "\(skipped.count) left alone (not eks-auth's), ")
                + "\(pruned.count) removed, from \(regions.count - failures.count) of \(regions.count) regions"
                + (written ? "" : "; nothing was written"))
        return lines.joined(separator: "\n")
    }
}

/// The core of `eks-auth kubeconfig --all`: every cluster of the account, in every enabled region (or the
/// regions given), into one kubeconfig.
///
/// Calls, as the caller (or, with `--role-arn`, as the first role, as `eks-auth kubeconfig` does):
/// GetCallerIdentity once (the account, for `{account}` and `--prune`), EC2 DescribeRegions once
/// (without `--regions`; the regions enabled for the account), then per region ListClusters (every page)
/// and DescribeCluster for each cluster, `parallelRegions` regions at a time. A region that fails is
/// reported through `progress` and in the result, and the others are still written.
///
/// Entries: per cluster (and role) a cluster entry named by the cluster ARN, a user and a context, as
/// `eks-auth kubeconfig` writes them; the context and user names come from the templates (default: the
/// cluster ARN, or `ROLE-NAME@CLUSTER-ARN` with roles). `current-context` is left as it was.
///
/// `--prune` removes a context only when all of these hold: its cluster entry is named by an EKS cluster
/// ARN of the account scanned and a region scanned without failure, no such cluster was found there, and
/// its user's exec command is eks-auth. Its user and cluster entries go too when no other context uses
/// them. Nothing else is removed.
public struct KubeconfigAllService: Sendable {
    /// Regions scanned at once.
    public static let parallelRegions = 8

    let system: SystemContext
    let progress: @Sendable (String) -> Void

    /// A service over `system`, telling `progress` (stderr) a line per region done.
    public init(system: SystemContext, progress: @escaping @Sendable (String) -> Void) {
        self.system = system
        self.progress = progress
    }

    /// The clusters of one region, or why not.
    struct RegionScan: Sendable {
        var region: String
        var clusters: [ClusterInfo] = []
        var failure: KubeconfigAllResult.RegionFailure?
    }

    /// Scans, merges and (unless `dryRun`) writes.
    /// - Throws: `KubeconfigAllError` (templates, name clashes), `KubeconfigError`, and what the
    ///   credentials, STS and EC2 calls throw; a failing region is not thrown but reported in the result.
    public func run(_ request: KubeconfigAllRequest) throws -> KubeconfigAllResult {
        for role in request.roleARNs where !RoleRequest.isRoleARN(role) {
            throw RoleRequestError.invalid(.roleARN, expected: RoleField.roleARNShape)
        }
        let roles = !request.roleARNs.isEmpty
        let alias = try request.alias.map { try KubeconfigNameTemplate($0, flag: "--alias", roles: roles) }
        let userAlias = try request.userAlias.map {
            try KubeconfigNameTemplate($0, flag: "--user-alias", roles: roles)
        }
        if let regions = request.regions {
            for region in regions where !Self.isRegionName(region) {
                throw KubeconfigAllError.badRegion(region)
            }
        }
        let (settings, caller) = try CredentialResolution(system: system).resolve(
            profile: request.profile, region: request.region,
            role: request.roleARNs.first.map { RoleRequest(roleARN: $0) })
        let account = try STSClient(settings: settings, system: system).callerIdentity(as: caller.credentials).account
        let resolver = STSEndpointResolver(
            environment: system.environment, profile: settings.profile, config: settings.config)
        let regions = try request.regions ?? describeRegions(settings: settings, resolver: resolver, as: caller)
        let scans = scan(regions, resolver: resolver, credentials: caller.credentials)

        let path = KubeconfigService.path(request.kubeconfigPath, environment: system.environment)
        var result = KubeconfigAllResult(path: path, regions: regions, failures: scans.compactMap(\.failure))
        let clusters = scans.flatMap(\.clusters).sorted { ($0.region ?? "", $0.name) < ($1.region ?? "", $1.name) }
        let entries = try self.entries(
            clusters, roles: request.roleARNs, alias: alias, userAlias: userAlias, account: account,
            profile: settings.selection.isExplicit ? settings.selection.name : nil, fallbackRegion: settings.region)

        let target = (try? system.fileSystem.resolvingSymlinks(path)) ?? path
        if !request.dryRun, let status = try? system.fileSystem.status(of: target), !status.isRegularFile {
            throw KubeconfigError.cannotWrite(path: path, reason: "not a regular file")
        }
        let existing: String?
        do {
            existing = try system.fileSystem.read(path).map { String(decoding: $0, as: UTF8.self) }
        } catch let error as FileSystemError {
            throw KubeconfigError.cannotRead(path: path, reason: error.reason)
        }
        var root = try KubeconfigWriter.root(of: existing, path: path)
        for entry in entries {
            if let foreign = Self.foreignEntry(in: root, for: entry) {
                result.skipped.append("\(entry.names.context): \(foreign)")
                system.warn(
                    "not writing context \(TerminalText.line(entry.names.context, limit: 300)) for "
                        + "\(entry.names.cluster): \(foreign), and eks-auth did not write it; choose other names with "
                        + "--alias/--user-alias")
                continue
            }
            var changed = false
            var appended = false
            for (node, name, list) in [
                (entry.cluster, entry.names.cluster, "clusters"), (entry.user, entry.names.user, "users"),
                (entry.context, entry.names.context, "contexts"),
            ] {
                switch try KubeconfigWriter.upsert(node, named: name, into: list, of: &root, path: path) {
                case .same: continue
                case .appended: if list == "contexts" { appended = true }
                case .replaced: break
                }
                changed = true
            }
            if appended {
                result.added.append(entry.names.context)
            } else if changed {
                result.updated.append(entry.names.context)
            } else {
                result.unchanged.append(entry.names.context)
            }
        }
        if request.prune {
            let scanned = Set(scans.filter { $0.failure == nil }.map(\.region))
            result.pruned = Self.prune(
                &root, found: Set(clusters.map(\.arn)), account: account, regions: scanned)
        }
        let changed = !(result.added.isEmpty && result.updated.isEmpty && result.pruned.isEmpty)
        do {
            result.text = try YAML.serialize(.mapping(root))
        } catch {
            throw KubeconfigError.malformed(path: path, reason: "cannot be written back as YAML")
        }
        guard !request.dryRun, changed else { return result }
        do {
            let directory = String(
                path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/"))
            if !directory.isEmpty { try system.fileSystem.createDirectory(directory, mode: 0o700) }
            if let existing {
                let backup = path + ".eks-auth.bak"
                try system.fileSystem.writeAtomically(Array(existing.utf8), to: backup, mode: 0o600)
                result.backup = backup
            }
            try system.fileSystem.writeAtomically(Array(result.text.utf8), to: target, mode: 0o600)
            result.written = true
        } catch let error as FileSystemError {
            throw KubeconfigError.cannotWrite(path: error.path, reason: error.reason)
        }
        return result
    }

    /// A region name as AWS spells them (`eu-west-1`, `us-gov-west-1`, `cn-north-1`): letters, digits, `-`.
    static func isRegionName(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 40 && text.first != "-"
            && text.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
    }

    /// EC2 DescribeRegions in the caller's region: the regions enabled for the account (opt-in regions
    /// only once opted in, as DescribeRegions answers without `AllRegions`).
    /// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeRegions.html
    func describeRegions(settings: AWSSettings, resolver: STSEndpointResolver, as caller: ResolvedCredentials) throws
        -> [String]
    {
        let endpoint: ServiceEndpoint
        if let custom = try resolver.configuredEndpoint(service: "ec2") {
            endpoint = ServiceEndpoint(endpoint: custom.endpoint, signingRegion: settings.region, source: custom.source)
        } else {
            let suffix = Partition.of(region: settings.region).dnsSuffix
            endpoint = ServiceEndpoint(
                endpoint: Endpoint(host: "ec2.\(settings.region).\(suffix)"), signingRegion: settings.region,
                source: "regional")
        }
        system.tracer("ec2 endpoint: \(endpoint.endpoint) (\(endpoint.source))")
        let client = QueryProtocolClient(
            service: "ec2", apiVersion: "2016-11-15", endpoint: endpoint, http: system.http(), clock: system.clock,
            retry: try system.retryPolicy(), tracer: system.tracer)
        let xml = try client.call("DescribeRegions", [], as: caller.credentials, roleARN: nil)
        // Each `<item>` of `<regionInfo>`; a region not opted in is skipped even where a server lists it.
        let names = xml.values(named: "item").compactMap { item -> String? in
            let region = XMLText(item)
            guard let name = region.value(at: "regionName"), Self.isRegionName(name),
                region.value(at: "optInStatus") != "not-opted-in"
            else { return nil }
            return name
        }
        return Array(Set(names)).sorted()
    }

    /// Lists and describes the clusters of each region, `parallelRegions` at a time, in `regions` order.
    func scan(_ regions: [String], resolver: STSEndpointResolver, credentials: AWSCredentials) -> [RegionScan] {
        let next = Mutex(0)
        let done = Mutex(0)
        let results = Mutex([RegionScan?](repeating: nil, count: regions.count))
        let workers = min(Self.parallelRegions, regions.count)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while true {
                let index: Int = next.withLock { value in
                    defer { value += 1 }
                    return value
                }
                guard index < regions.count else { return }
                let scan = scanRegion(regions[index], resolver: resolver, credentials: credentials)
                results.withLock { $0[index] = scan }
                let count = done.withLock { value in
                    value += 1
                    return value
                }
                let what: String
                if let failure = scan.failure {
                    what = "failed: \(failure.message)"
                } else {
                    what = "\(scan.clusters.count) cluster\(scan.clusters.count == 1 ? "" : "s")"
                }
                progress("[\(count)/\(regions.count)] \(scan.region): \(what)")
            }
        }
        return results.withLock { $0.compactMap { $0 } }
    }

    func scanRegion(_ region: String, resolver: STSEndpointResolver, credentials: AWSCredentials) -> RegionScan {
        var scan = RegionScan(region: region)
        do {
            let client = try system.eksClient(resolver: resolver, region: region)
            for name in try client.listClusters(as: credentials) {
                // A cluster deleted between the two calls is simply not there.
                do {
                    let cluster = try client.describeCluster(name, as: credentials)
                    if cluster.status == "ACTIVE" || cluster.status == "UPDATING" { scan.clusters.append(cluster) }
                } catch EKSError.clusterNotFound {
                    continue
                }
            }
        } catch let error as any EKSAuthError {
            scan.failure = .init(
                region: region, message: TerminalText.line(error.message, limit: 500), kind: error.kind)
        } catch {
            scan.failure = .init(region: region, message: TerminalText.line("\(error)", limit: 500), kind: .internal)
        }
        return scan
    }

    /// The three entries for one cluster and role.
    struct Entry {
        var names: KubeconfigNames
        var cluster: YAMLNode, user: YAMLNode, context: YAMLNode
    }

    /// Why `entry` must not be written over `root`'s entries of the same names, if it must not: a
    /// context or user of that name exists, is not eks-auth's (its user's exec command is not
    /// eks-auth) and is not for the same cluster (a context naming the cluster's ARN, or a user named
    /// by it, as `aws eks update-kubeconfig` writes them: replacing those is the update it asks for).
    static func foreignEntry(in root: YAMLMapping, for entry: Entry) -> String? {
        let users = root["users"]?.sequence ?? []
        let runsEKSAuth = { (name: String) in KubeconfigWriter.runsEKSAuth(user: name, in: root) }
        let arn = entry.names.cluster
        if let context = (root["contexts"]?.sequence ?? []).first(where: {
            $0["name"]?.scalar?.text == entry.names.context
        }) {
            let cluster = context["context"]?["cluster"]?.scalar?.text
            let user = context["context"]?["user"]?.scalar?.text ?? ""
            if cluster != arn, !runsEKSAuth(user) {
                return "a context of that name exists for \(TerminalText.line(cluster ?? "no cluster", limit: 300))"
            }
        }
        if users.contains(where: { $0["name"]?.scalar?.text == entry.names.user }), entry.names.user != arn,
            !runsEKSAuth(entry.names.user)
        {
            return "a user named \(TerminalText.line(entry.names.user, limit: 300)) exists"
        }
        return nil
    }

    /// The entries for every cluster (and role), refusing two that would get the same context or user name.
    func entries(
        _ clusters: [ClusterInfo], roles: [String], alias: KubeconfigNameTemplate?, userAlias: KubeconfigNameTemplate?,
        account: String, profile: String?, fallbackRegion: String
    ) throws -> [Entry] {
        var entries: [Entry] = []
        var contextOwners: [String: String] = [:]
        var userOwners: [String: String] = [:]
        for cluster in clusters {
            let region = cluster.region ?? fallbackRegion
            for role in roles.isEmpty ? [nil] : roles.map(Optional.some) {
                let roleName = role.flatMap { $0.split(separator: "/").last.map(String.init) }
                let defaultName = KubeconfigService.userName(cluster: cluster.arn, role: role)
                let names = KubeconfigNames(
                    cluster: cluster.arn,
                    user: userAlias?.render(cluster: cluster.name, region: region, account: account, role: roleName)
                        ?? defaultName,
                    context: alias?.render(cluster: cluster.name, region: region, account: account, role: roleName)
                        ?? defaultName)
                let owner = role.map { "\(cluster.arn) as \($0)" } ?? cluster.arn
                if let other = contextOwners[names.context], other != owner {
                    throw KubeconfigAllError.nameClash(
                        kind: "context", name: names.context, first: other, second: owner)
                }
                // A user is the cluster and role it logs in to: two contexts may share one only if those match.
                if let other = userOwners[names.user], other != owner {
                    throw KubeconfigAllError.nameClash(kind: "user", name: names.user, first: other, second: owner)
                }
                contextOwners[names.context] = owner
                userOwners[names.user] = owner
                let args = PluginCommandLine.tokenArguments(
                    clusterName: cluster.name, outpostsID: cluster.outpostsID, region: region, roleARN: role,
                    profile: profile)
                entries.append(
                    Entry(
                        names: names,
                        cluster: .mapping([
                            "name": YAMLNode(names.cluster),
                            "cluster": .mapping([
                                "certificate-authority-data": YAMLNode(cluster.certificateAuthorityData),
                                "server": YAMLNode(cluster.endpoint),
                            ]),
                        ]),
                        user: .mapping([
                            "name": YAMLNode(names.user),
                            "user": .mapping([
                                "exec": .mapping([
                                    "apiVersion": YAMLNode(KubeconfigWriter.execAPIVersion),
                                    "command": YAMLNode("eks-auth"),
                                    "args": .sequence(YAMLSequence(args.map { YAMLNode($0) })),
                                    "interactiveMode": YAMLNode("IfAvailable"),
                                    "installHint": YAMLNode(Self.installHint),
                                    "provideClusterInfo": .scalar(YAMLScalar("false", tag: .bool)),
                                ])
                            ]),
                        ]),
                        context: .mapping([
                            "name": YAMLNode(names.context),
                            "context": .mapping(["cluster": YAMLNode(names.cluster), "user": YAMLNode(names.user)]),
                        ])))
            }
        }
        return entries
    }

    /// What kubectl prints when eks-auth is missing (the same as `eks-auth kubeconfig` writes).
    static let installHint =
        "eks-auth is needed to log in to this cluster: install it (make install) and put it on PATH"

    /// Removes eks-auth's contexts for clusters of `account` in `regions` that are not in `found`, and their
    /// users and clusters when nothing else uses them; returns the contexts removed, in file order.
    static func prune(_ root: inout YAMLMapping, found: Set<String>, account: String, regions: Set<String>)
        -> [String]
    {
        let before = root
        let runsEKSAuth = { (name: String) in KubeconfigWriter.runsEKSAuth(user: name, in: before) }
        var contexts = root["contexts"]?.sequence ?? []
        var removed: [(context: String, cluster: String, user: String)] = []
        contexts.items.removeAll { item in
            guard let name = item["name"]?.scalar?.text, let cluster = item["context"]?["cluster"]?.scalar?.text,
                let user = item["context"]?["user"]?.scalar?.text, let arn = ARN(cluster), arn.service == "eks",
                arn.resource.hasPrefix("cluster/"), arn.account == account, regions.contains(arn.region),
                !found.contains(cluster), runsEKSAuth(user)
            else { return false }
            removed.append((name, cluster, user))
            return true
        }
        guard !removed.isEmpty else { return [] }
        root["contexts"] = .sequence(contexts)
        let stillUsed = { (key: String, name: String) in
            contexts.contains { $0["context"]?[key]?.scalar?.text == name }
        }
        for (list, key, names) in [
            ("users", "user", Set(removed.map(\.user))), ("clusters", "cluster", Set(removed.map(\.cluster))),
        ] {
            guard var items = root[list]?.sequence else { continue }
            items.items.removeAll { item in
                guard let name = item["name"]?.scalar?.text else { return false }
                return names.contains(name) && !stillUsed(key, name)
            }
            root[list] = .sequence(items)
        }
        if let current = root["current-context"]?.scalar?.text, removed.contains(where: { $0.context == current }) {
            root["current-context"] = nil
        }
        return removed.map(\.context)
    }
}

/// Problems of `eks-auth kubeconfig --all`.
public enum KubeconfigAllError: EKSAuthError, Equatable {
    /// A name template is wrong.
    case badTemplate(flag: String, template: String, reason: String)
    /// `--regions` names something that is not a region.
    case badRegion(String)
    /// Two clusters (or roles) would get the same context or user name.
    case nameClash(kind: String, name: String, first: String, second: String)
    /// Some regions could not be scanned (the others were written).
    case regionsFailed([String], kind: FailureKind)

    public var message: String {
        switch self {
        case .badTemplate(let flag, let template, let reason): return "\(flag) '\(template)': \(reason)"
        case .badRegion(let region): return "--regions: '\(region)' is not a region name"
        case .nameClash(let kind, let name, let first, let second):
            return "two entries would be the \(kind) '\(name)': \(first) and \(second); nothing was written"
        case .regionsFailed(let regions, _):
            return "\(regions.count) region\(regions.count == 1 ? "" : "s") could not be scanned: "
                + "\(regions.joined(separator: ", ")) (why is above); the other regions were written"
        }
    }

    public var hint: String? {
        switch self {
        case .badTemplate, .nameClash:
            return "name each one apart, e.g. --alias '{cluster}@{region}' (placeholders: {cluster}, {region}, "
                + "{account}, {role})"
        case .badRegion: return "give region names such as eu-west-1,us-east-1"
        case .regionsFailed: return "run again with --regions for those once they answer, or leave them out"
        }
    }

    public var kind: FailureKind {
        switch self {
        case .badTemplate, .badRegion, .nameClash: return .usage
        case .regionsFailed(_, let kind): return kind
        }
    }
}
