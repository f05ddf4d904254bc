import AWSConfiguration
import ArgumentParser
import EKSAuthCommandLine
import EKSAuthCore
import EKSAuthSystem

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show how the aws-auth ConfigMap maps an identity: Kubernetes user, groups, or why nothing matches.",
        discussion: """
            Give the identity as --arn (e.g. from 'aws sts get-caller-identity'), or as a token with \
            --cluster-name (it is verified with STS first, as the server does). Exits 0 when the identity \
            is mapped, 77 when no entry matches.

            EXAMPLES:
              kubectl get configmap aws-auth -n kube-system -o yaml > aws-auth.yaml
              eks-auth explain --aws-auth aws-auth.yaml \\
                --arn arn:aws:sts::111122223333:assumed-role/eks-dev/alice
              eks-auth token --cluster-name my-cluster \\
                | eks-auth explain --aws-auth aws-auth.yaml --cluster-name my-cluster
            """)

    @Option(
        name: .customLong("aws-auth"),
        help: "The aws-auth ConfigMap as YAML or JSON (kubectl get … -o yaml); - for stdin.",
        completion: .file())
    var awsAuth: String

    @Option(help: "The caller ARN to explain.")
    var arn: String?

    @Argument(help: "A token (or ExecCredential JSON) whose identity to explain; needs --cluster-name.")
    var token: String?

    @Option(
        name: TokenFlag.clusterName.names, help: "The cluster the token is for.",
        completion: ShellCompletion.clusterNames)
    var clusterName: String?

    @Option(help: "Output format: text or json.")
    var output: TokenInput.OutputFormat = .text

    func validate() throws {
        guard (arn == nil) != (token == nil) else { throw ValidationError("give either --arn ARN or a TOKEN") }
        if token != nil, clusterName == nil { throw ValidationError("a TOKEN needs --cluster-name to be verified") }
        if awsAuth == "-", token == "-" { throw ValidationError("only one of --aws-auth and TOKEN can read stdin") }
    }

    func run() throws {
        let live = LiveSystem(verbose: false)
        defer { live.shutdown() }
        let config = try AWSAuthConfig.parse(
            try AWSAuthInput.read(awsAuth, live), source: awsAuth == "-" ? "stdin" : awsAuth)
        var callerARN = arn ?? ""
        var accessKeyID: String?
        if token != nil, let clusterName {
            let tokenText = try TokenInput.read(token)
            // The server checks the token before it asks STS; so do we, and never send it elsewhere.
            let report = TokenInspector.inspect(tokenText, now: live.context.clock.now())
            guard report.isValid else {
                throw TokenVerificationError.failsChecks(report.checks.filter { !$0.passed }.map(\.rule))
            }
            let identity = try TokenVerifier(http: live.context.http()).verify(tokenText, clusterID: clusterName)
            callerARN = identity.arn
            accessKeyID = report.accessKeyID
        }
        let explanation = try AWSAuthExplainer.explain(arn: callerARN, accessKeyID: accessKeyID, in: config)
        for problem in config.problems { live.context.warn("aws-auth: \(problem)") }
        live.writeStdout(output == .json ? explanation.json() : explanation.text(cluster: clusterName))
        if !explanation.isMapped { throw ExitCode(77) }
    }
}
