import ArgumentParser
import EKSAuthCommandLine
import EKSAuthCore

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a token as the EKS server does: the rules, then STS, then the identity it proves.",
        discussion: """
            Sends the presigned request to STS with the cluster's x-k8s-aws-id header, as the server does, and \
            prints the caller's ARN and the canonical ARN that aws-auth entries and access entries are matched with.

            EXAMPLES:
              eks-auth token --cluster-name my-cluster \\
                | eks-auth verify --cluster-name my-cluster
              eks-auth verify --cluster-name my-cluster --output json - < token.txt
            """)

    @OptionGroup var input: TokenInput

    @Option(
        name: TokenFlag.clusterName.names, help: "The cluster the token must be for.",
        completion: ShellCompletion.clusterNames)
    var clusterName: String

    func run() throws {
        let live = LiveSystem(verbose: false)
        defer { live.shutdown() }
        let token = try input.read()
        let now = live.context.clock.now()
        let report = TokenInspector.inspect(token, now: now)
        guard report.isValid else {
            live.writeStdout(input.output == .json ? report.json(now: now) : report.text(now: now))
            throw TokenVerificationError.failsChecks(report.checks.filter { !$0.passed }.map(\.rule))
        }
        let identity = try TokenVerifier(http: live.context.http()).verify(token, clusterID: clusterName)
        if let skew = live.measuredClockSkew ?? live.context.clockCorrection,
            skew.offset.magnitude >= ClockSkew.threshold
        {
            live.context.warn(skew.report)
        }
        live.writeStdout(
            input.output == .json
                ? report.json(now: now, identity: identity) : report.text(now: now, identity: identity))
    }
}
