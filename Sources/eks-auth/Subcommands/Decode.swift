import ArgumentParser
import EKSAuthCore

struct Decode: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Take a token apart offline and check it against the EKS server's rules.",
        discussion: """
            Exits 0 when every rule passes, 65 when one fails. Shows only the first 8 hex digits of the \
            signature, and never the session token.

            EXAMPLES:
              eks-auth token --cluster-name my-cluster | eks-auth decode
              eks-auth decode k8s-aws-v1.aHR0cHM6Ly9zdHMu...
              eks-auth decode --output json - < token.txt
            """)

    @OptionGroup var input: TokenInput

    func run() throws {
        let live = LiveSystem(verbose: false)
        if let skew = live.context.clockCorrection { live.context.warn(skew.report) }
        let now = live.context.clock.now()
        let report = TokenInspector.inspect(try input.read(), now: now)
        live.writeStdout(input.output == .json ? report.json(now: now) : report.text(now: now))
        guard report.isValid else {
            throw TokenVerificationError.failsChecks(report.checks.filter { !$0.passed }.map(\.rule))
        }
    }
}
