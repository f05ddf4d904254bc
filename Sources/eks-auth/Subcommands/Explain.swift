import AWSConfiguration
import ArgumentParser
import EKSAuthCommandLine
import EKSAuthCore
import EKSAuthSystem

extension AuthenticationMode: ExpressibleByArgument {
    public init?(argument: String) {
        self.init(rawValue: String(argument.uppercased().map { $0 == "-" ? "_" : $0 }))
    }
}

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Show how a cluster maps an identity (access entries, aws-auth): Kubernetes user, groups, access policies, or why nothing matches.",
        discussion: """
            Give the identity as --arn (e.g. from 'aws sts get-caller-identity'), or as a token with \
            --cluster-name (it is verified with STS first, as the server does). The cluster's mappings come \
            from files (--aws-auth, --access-entries, with --authentication-mode) or, when no file is given, \
            from the cluster itself: DescribeCluster for the mode, the EKS API for access entries, the \
            Kubernetes API for aws-auth. Exits 0 when the identity is mapped, 77 when nothing maps it.

            EXAMPLES:
              eks-auth explain --cluster-name my-cluster \\
                --arn arn:aws:iam::111122223333:role/eks-dev
              eks-auth explain --access-entries entries.json \\
                --aws-auth aws-auth.yaml --authentication-mode API_AND_CONFIG_MAP \\
                --arn arn:aws:iam::111122223333:role/eks-dev
              kubectl get configmap aws-auth -n kube-system -o yaml > aws-auth.yaml
              eks-auth explain --aws-auth aws-auth.yaml \\
                --arn arn:aws:sts::111122223333:assumed-role/eks-dev/alice
              eks-auth token --cluster-name my-cluster \\
                | eks-auth explain --aws-auth aws-auth.yaml --cluster-name my-cluster -
            """)

    @Option(
        name: .customLong("aws-auth"),
        help: "The aws-auth ConfigMap as YAML or JSON (kubectl get … -o yaml); - for stdin.",
        completion: .file())
    var awsAuth: String?

    @Option(
        help: "The access entries as a JSON array of describe-access-entry's accessEntry objects; - for stdin.",
        completion: .file())
    var accessEntries: String?

    @Option(
        help:
            "The cluster's authentication mode: CONFIG_MAP, API_AND_CONFIG_MAP or API (default: from the cluster, or what the files imply)."
    )
    var authenticationMode: AuthenticationMode?

    @Option(help: "The caller ARN to explain.")
    var arn: String?

    @Argument(help: "A token (or ExecCredential JSON) whose identity to explain; needs --cluster-name.")
    var token: String?

    @Option(
        name: TokenFlag.clusterName.names,
        help: "The cluster: the one the token is for, and the one read when no mapping file is given.",
        completion: ShellCompletion.clusterNames)
    var clusterName: String?

    @Option(name: TokenFlag.region.names, help: "The cluster's region (live reads).")
    var region: String?

    @Option(
        name: TokenFlag.profile.names, help: "The AWS profile for the live reads.", completion: ShellCompletion.profiles
    )
    var profile: String?

    @Option(help: "Output format: text or json.")
    var output: TokenInput.OutputFormat = .text

    func validate() throws {
        guard (arn == nil) != (token == nil) else { throw ValidationError("give either --arn ARN or a TOKEN") }
        if token != nil, clusterName == nil { throw ValidationError("a TOKEN needs --cluster-name to be verified") }
        if [awsAuth, accessEntries, token].filter({ $0 == "-" }).count > 1 {
            throw ValidationError("only one of --aws-auth, --access-entries and TOKEN can read stdin")
        }
        if awsAuth == nil, accessEntries == nil, clusterName == nil {
            throw ValidationError("give the cluster's mappings: --cluster-name, or --aws-auth and/or --access-entries")
        }
    }

    func run() throws {
        let live = LiveSystem(verbose: false)
        defer { live.shutdown() }
        func input(_ path: String?) throws -> (text: String, source: String)? {
            try path.map { (try AWSAuthInput.read($0, live), $0 == "-" ? "stdin" : $0) }
        }
        let awsAuthInput = try input(awsAuth)
        var callerARN = arn ?? ""
        var accessKeyID: String?
        if token != nil, let clusterName {
            (callerARN, accessKeyID) = try verifiedCaller(of: try TokenInput.read(token), cluster: clusterName, live)
        }
        if let awsAuthInput, accessEntries == nil, authenticationMode == nil {
            // aws-auth alone, as before access entries: its own report, with where to look next.
            let config = try AWSAuthConfig.parse(awsAuthInput.text, source: awsAuthInput.source)
            let explanation = try AWSAuthExplainer.explain(arn: callerARN, accessKeyID: accessKeyID, in: config)
            for problem in config.problems { live.context.warn("aws-auth: \(problem)") }
            live.writeStdout(output == .json ? explanation.json() : explanation.text(cluster: clusterName))
            if !explanation.isMapped { throw ExitCode(77) }
            return
        }
        guard let canonical = ARN.canonical(callerARN) else { throw InspectError.unmappableARN(callerARN) }
        let inputs = ExplainInputs(
            awsAuth: awsAuthInput, accessEntries: try input(accessEntries), mode: authenticationMode,
            clusterName: clusterName, regionFlag: region, profileFlag: profile)
        let access = try ExplainService(system: live.context, liveAWSAuth: { try LiveAWSAuth.fetch(from: $0)?.text })
            .clusterAccess(inputs, principal: canonical)
        let explanation = try AccessExplainer.explain(arn: callerARN, accessKeyID: accessKeyID, in: access)
        live.writeStdout(output == .json ? explanation.json() : explanation.text())
        if !explanation.isMapped { throw ExitCode(77) }
    }

    /// The caller a token names, checked as the server checks it (locally, then with STS), and its access key.
    func verifiedCaller(of tokenText: String, cluster: String, _ live: LiveSystem) throws -> (String, String?) {
        // The server checks the token before it asks STS; so do we, and never send it elsewhere.
        let report = TokenInspector.inspect(tokenText, now: live.context.clock.now())
        guard report.isValid else {
            throw TokenVerificationError.failsChecks(report.checks.filter { !$0.passed }.map(\.rule))
        }
        let identity = try TokenVerifier(http: live.context.http()).verify(tokenText, clusterID: cluster)
        return (identity.arn, report.accessKeyID)
    }
}
