import AWSConfiguration
import ArgumentParser
import EKSAuthCommandLine
import EKSAuthCore
import EKSAuthSystem

struct Doctor: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check, in order, everything a token needs, and say what to fix.",
        discussion: """
            Checks the settings; the proxy and the path to STS; the clock against STS's Date header (warns \
            above 1 minute, fails above 5); which credential source wins and when it expires; the cache \
            directory; the role; and with --cluster-name the cluster (DescribeCluster), its endpoint over TLS \
            with the cluster's own CA, the aws-auth mapping of the identity, and who the cluster says you are \
            (SelfSubjectReview, as 'kubectl auth whoami'). A check that needs one that failed is skipped, \
            saying so. Never prints a secret or a token; access key ids are masked.

            Exit codes: 0 when nothing failed (warnings allowed), else the code of the first failure: \
            65 cache directory or input, 69 STS or the cluster unreachable, 77 denied (role, mapping, \
            token refused), 78 no credentials, settings, clock or cluster not found. See Docs/doctor.md.

            EXAMPLES:
              eks-auth doctor
              eks-auth doctor --cluster-name prod --region eu-west-1 \\
                --role-arn arn:aws:iam::111122223333:role/eks
              eks-auth doctor --cluster-name prod --aws-auth aws-auth.yaml \\
                --output json > doctor.json
            """)

    @Option(
        name: TokenFlag.clusterName.names, help: "The cluster to check (without it, the cluster checks are skipped).")
    var clusterName: String?

    @OptionGroup var credentials: CredentialOptions

    @Option(
        name: .customLong("aws-auth"),
        help:
            "The aws-auth ConfigMap as YAML or JSON (- for stdin), to check the mapping without reading it from the cluster."
    )
    var awsAuth: String?

    @Option(help: "text or json.")
    var output: TokenInput.OutputFormat = .text

    @Flag(name: TokenFlag.verbose.names, help: "Trace on stderr each request and source tried (never secrets).")
    var verbose = false

    @OptionGroup var log: LogOptions

    func run() throws {
        let invocation = credentials.invocation
        let live = LiveSystem(verbose: verbose)
        defer { live.shutdown() }
        let (system, role) = try live.context(for: invocation)
        let awsAuthText = try awsAuth.map { path in
            AWSAuthText(text: try AWSAuthInput.read(path, live), source: path == "-" ? "stdin" : path)
        }
        let report = DoctorService(system: system).run(
            DoctorRequest(
                clusterName: clusterName ?? live.environment["KUBERNETES_AWS_AUTHENTICATOR_CLUSTER_ID"],
                profile: invocation.profile, region: invocation.region, role: role, awsAuth: awsAuthText))
        live.writeStdout(output == .json ? report.json() : report.text)
        if let kind = report.failureKind { throw ExitCode(ExitCodes.code(for: kind)) }
    }
}
