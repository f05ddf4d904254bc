import ArgumentParser
import EKSAuthCommandLine
import EKSAuthCore

struct Token: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print an ExecCredential with an EKS bearer token.",
        discussion: """
            Accepts the flags of 'aws eks get-token' and 'aws-iam-authenticator token'. The cluster name \
            may also come from KUBERNETES_AWS_AUTHENTICATOR_CLUSTER_ID, the role from DEFAULT_ROLE. kubectl \
            runs it from the exec block 'eks-auth kubeconfig' writes; run by hand, it shows what kubectl gets.

            EXAMPLES:
              eks-auth token --cluster-name my-cluster --region eu-west-1
              eks-auth token --cluster-name my-cluster --verbose \\
                --role-arn arn:aws:iam::111122223333:role/eks-dev
              eks-auth token --cluster-name my-cluster --token-only
              eks-auth token -i my-cluster -r arn:aws:iam::111122223333:role/eks-dev
            """,
        aliases: ["get-token"]
    )

    @OptionGroup var options: TokenOptions

    func run() throws {
        try Self.run(options.invocation)
    }

    /// Makes the token and prints it; shared by ArgumentParser's `run()` and the fast path.
    static func run(_ invocation: TokenInvocation) throws {
        let inBackground = LiveBackgroundRefresh.enterIfBackground()
        let live = LiveSystem(verbose: invocation.verbose)
        defer { live.shutdown() }
        let environment = live.environment
        let request = TokenRequest(
            clusterID: invocation.clusterName ?? environment["KUBERNETES_AWS_AUTHENTICATOR_CLUSTER_ID"] ?? "",
            region: invocation.credentials.region, profile: invocation.credentials.profile,
            role: try invocation.credentials.roleRequest(defaultRole: environment["DEFAULT_ROLE"]))
        var system = live.context
        system.useCache = !invocation.credentials.noCache
        if request.role == nil { system.profileTokenCode = invocation.credentials.tokenCode }
        system = live.refreshingInBackground(system, inBackground: inBackground)
        let result = try TokenService(system: system).token(for: request)
        guard !inBackground else { return }
        live.writeStdout(invocation.tokenOnly ? result.token.value : result.execCredential.json())
    }
}
