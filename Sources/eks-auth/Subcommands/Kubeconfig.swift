import ArgumentParser
import EKSAuthCommandLine
import EKSAuthCore

struct Kubeconfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Add or update a cluster in kubeconfig with an exec block that runs eks-auth.",
        discussion: """
            Calls EKS DescribeCluster for the endpoint and CA, then merges the cluster, user and context \
            (named after the cluster ARN unless --alias/--user-alias are given) into the kubeconfig, keeping \
            every other entry, and makes the context current. The previous file is kept as FILE.eks-auth.bak. \
            Says whether the context was added, updated or already up to date (then nothing is written).

            EXAMPLES:
              eks-auth kubeconfig --cluster-name my-cluster --region eu-west-1
              eks-auth kubeconfig --cluster-name my-cluster --alias dev \\
                --role-arn arn:aws:iam::111122223333:role/eks-dev
              eks-auth kubeconfig --cluster-name my-cluster --dry-run > new.yaml
            """)

    @Option(name: TokenFlag.clusterName.names, help: "The cluster name.", completion: ShellCompletion.clusterNames)
    var clusterName: String

    @Option(name: TokenFlag.roleARN.names, help: "The role the exec block assumes for every kubectl call.")
    var roleARN: String?

    @Option(name: TokenFlag.region.names, help: "The cluster's region.")
    var region: String?

    @Option(
        name: TokenFlag.profile.names, help: "The AWS profile (also written into the exec block).",
        completion: ShellCompletion.profiles)
    var profile: String?

    @Option(help: "Name of the context (default: the cluster ARN).", completion: ShellCompletion.contextNames)
    var alias: String?

    @Option(help: "Name of the user entry (default: the cluster ARN).", completion: ShellCompletion.userNames)
    var userAlias: String?

    @Option(help: "The kubeconfig file (default: first KUBECONFIG entry, else ~/.kube/config).", completion: .file())
    var kubeconfig: String?

    @Flag(help: "Print the merged kubeconfig instead of writing it.")
    var dryRun = false

    @Flag(name: TokenFlag.verbose.names, help: "Trace the profile, region and endpoints used on stderr.")
    var verbose = false

    @OptionGroup var log: LogOptions

    func run() throws {
        let live = LiveSystem(verbose: verbose)
        defer { live.shutdown() }
        let result = try KubeconfigService(system: live.context).run(
            KubeconfigRequest(
                clusterName: clusterName, roleARN: roleARN, region: region, profile: profile, alias: alias,
                userAlias: userAlias, kubeconfigPath: kubeconfig, dryRun: dryRun))
        if dryRun {
            live.writeStdout(result.text.hasSuffix("\n") ? String(result.text.dropLast()) : result.text)
        } else {
            live.writeStdout(result.summary)
        }
    }
}
