import ArgumentParser
import EKSAuthCommandLine
import EKSAuthCore

struct Kubeconfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Add or update a cluster in kubeconfig with an exec block that runs eks-auth.",
        // The usage ArgumentParser would write if --cluster-name were required: it is, without --all or a
        // subcommand (run() says so), but a required option here would refuse `kubeconfig convert`.
        usage: """
            eks-auth kubeconfig --cluster-name <cluster-name> [--role-arn <role-arn>] [--region <region>] \
            [--profile <profile>] [--alias <alias>] [--user-alias <user-alias>] [--kubeconfig <kubeconfig>] \
            [--dry-run] [--verbose] [--log-format <log-format>]
            eks-auth kubeconfig --all [--regions <regions>] [--role-arn <role-arn> ...] [--alias <template>] \
            [--user-alias <template>] [--prune] [--profile <profile>] [--kubeconfig <kubeconfig>] [--dry-run]
            eks-auth kubeconfig convert [--kubeconfig <kubeconfig>] [--dry-run] [--restore] [--user <user> ...]
            """,
        discussion: """
            Calls EKS DescribeCluster for the endpoint and CA, then merges the cluster, user and context \
            (named after the cluster ARN unless --alias/--user-alias are given) into the kubeconfig, keeping \
            every other entry, and makes the context current. The previous file is kept as FILE.eks-auth.bak. \
            Says whether the context was added, updated or already up to date (then nothing is written).

            With --all, every cluster of the account instead: ListClusters and DescribeCluster in every \
            enabled region (or --regions), 8 regions at a time, one context per cluster (and per --role-arn), \
            named by the --alias and --user-alias templates ({cluster}, {region}, {account}, {role}); the \
            current context is left as it is. --prune removes the contexts eks-auth wrote for clusters that \
            no longer exist in the regions scanned. A region that fails is reported, the others written, \
            and the exit code is not 0.

            EXAMPLES:
              eks-auth kubeconfig --cluster-name my-cluster --region eu-west-1
              eks-auth kubeconfig --cluster-name my-cluster --alias dev \\
                --role-arn arn:aws:iam::111122223333:role/eks-dev
              eks-auth kubeconfig --cluster-name my-cluster --dry-run > new.yaml
              eks-auth kubeconfig --all --alias '{cluster}@{region}' --prune
            """,
        subcommands: [KubeconfigConvert.self])

    @OptionGroup var cluster: KubeconfigClusterOptions
    @OptionGroup var file: KubeconfigFileOptions
    @OptionGroup var scan: KubeconfigAllOptions
    @OptionGroup var log: LogOptions

    func run() throws {
        if scan.all { return try runAll() }
        // Before the missing --cluster-name: with --regions or --prune, --all is what was left out.
        if cluster.clusterName == nil, scan.regions != nil || scan.prune {
            throw ValidationError(
                "\(scan.prune ? "--prune" : "--regions") goes with --all (every cluster of the account), as in "
                    + "'eks-auth kubeconfig --all \(scan.prune ? "--prune" : "--regions R1,R2")'")
        }
        // What ArgumentParser said when --cluster-name was a required option, word for word.
        guard let clusterName = cluster.clusterName else {
            throw ValidationError("Missing expected argument '--cluster-name <cluster-name>'")
        }
        if cluster.awsName != nil { throw ValidationError("Unknown option '--name'") }
        if cluster.roleARN.count > 1 { throw ValidationError("--role-arn can be given more than once only with --all") }
        if scan.regions != nil || scan.prune { throw ValidationError("--regions and --prune go with --all") }
        let live = LiveSystem(verbose: scan.verbose)
        defer { live.shutdown() }
        let result = try KubeconfigService(system: live.context).run(
            KubeconfigRequest(
                clusterName: clusterName, roleARN: cluster.roleARN.first, region: cluster.region,
                profile: cluster.profile,
                alias: cluster.alias, userAlias: cluster.userAlias, kubeconfigPath: file.kubeconfig, dryRun: file.dryRun
            ))
        if file.dryRun {
            live.writeStdout(result.text.hasSuffix("\n") ? String(result.text.dropLast()) : result.text)
        } else {
            live.writeStdout(result.summary)
        }
    }

    func runAll() throws {
        if cluster.clusterName != nil || cluster.awsName != nil {
            throw ValidationError("--all and --cluster-name cannot be used together")
        }
        // Each region once, in the order given.
        let regionList = scan.regions.map { list in
            var seen: Set<String> = []
            return list.split(separator: ",").map { String($0.filter { $0 != " " }) }.filter {
                seen.insert($0).inserted
            }
        }
        if let regionList, regionList.isEmpty { throw ValidationError("--regions needs at least one region") }
        let live = LiveSystem(verbose: scan.verbose)
        defer { live.shutdown() }
        let result = try KubeconfigAllService(system: live.context, progress: { Reporter.write(level: .info, $0) })
            .run(
                KubeconfigAllRequest(
                    roleARNs: cluster.roleARN, regions: regionList, alias: cluster.alias, userAlias: cluster.userAlias,
                    prune: scan.prune, kubeconfigPath: file.kubeconfig, dryRun: file.dryRun, profile: cluster.profile,
                    region: cluster.region))
        if file.dryRun {
            live.writeStdout(result.text.hasSuffix("\n") ? String(result.text.dropLast()) : result.text)
        } else {
            live.writeStdout(result.summary)
        }
        if !result.failures.isEmpty {
            throw KubeconfigAllError.regionsFailed(
                result.failures.map(\.region), kind: result.failures.first?.kind ?? .unavailable)
        }
    }
}

/// `kubeconfig`'s cluster flags: a group of their own so that `kubeconfig convert` can see (and refuse) them,
/// since ArgumentParser lets a parent's options stand after a subcommand's name.
struct KubeconfigClusterOptions: ParsableArguments {
    @Option(name: TokenFlag.clusterName.names, help: "The cluster name.", completion: ShellCompletion.clusterNames)
    var clusterName: String?

    /// `aws eks update-kubeconfig`'s spelling, taken only to be refused as before (see `run()`).
    @Option(name: .customLong("name"), help: .hidden)
    var awsName: String?

    @Option(
        name: TokenFlag.roleARN.names,
        help: "The role the exec block assumes for every kubectl call (with --all, repeat for a context per role).")
    var roleARN: [String] = []

    @Option(name: TokenFlag.region.names, help: "The cluster's region.")
    var region: String?

    @Option(
        name: TokenFlag.profile.names, help: "The AWS profile (also written into the exec block).",
        completion: ShellCompletion.profiles)
    var profile: String?

    @Option(
        help: "Name of the context (default: the cluster ARN; with --all, a template).",
        completion: ShellCompletion.contextNames)
    var alias: String?

    @Option(
        help: "Name of the user entry (default: the cluster ARN; with --all, a template).",
        completion: ShellCompletion.userNames)
    var userAlias: String?

    /// The flags given, as typed: `kubeconfig convert` takes none of them.
    var given: [String] {
        [
            clusterName.map { _ in "--cluster-name" }, awsName.map { _ in "--name" },
            roleARN.isEmpty ? nil : "--role-arn", region.map { _ in "--region" }, profile.map { _ in "--profile" },
            alias.map { _ in "--alias" }, userAlias.map { _ in "--user-alias" },
        ].compactMap { $0 }
    }
}

/// The file flags `kubeconfig` and `kubeconfig convert` share (one group, so either spelling place works).
struct KubeconfigFileOptions: ParsableArguments {
    @Option(
        help:
            "The kubeconfig file (default: first KUBECONFIG entry, else ~/.kube/config; convert: every KUBECONFIG file).",
        completion: .file())
    var kubeconfig: String?

    @Flag(help: "Print the merged kubeconfig (convert: a unified diff) instead of writing it.")
    var dryRun = false
}

/// `kubeconfig --all`'s flags, and `--verbose`.
struct KubeconfigAllOptions: ParsableArguments {
    @Flag(help: "Every cluster of the account, in every enabled region (or --regions).")
    var all = false

    @Option(help: "With --all: only these regions, comma-separated (default: every region the account has enabled).")
    var regions: String?

    @Flag(help: "With --all: remove the contexts eks-auth wrote for clusters that no longer exist.")
    var prune = false

    @Flag(name: TokenFlag.verbose.names, help: "Trace the profile, region and endpoints used on stderr.")
    var verbose = false

    /// The flags given, as typed, that `kubeconfig convert` does not take (it has nothing to trace).
    var given: [String] {
        [all ? "--all" : nil, regions.map { _ in "--regions" }, prune ? "--prune" : nil].compactMap { $0 }
    }
}
