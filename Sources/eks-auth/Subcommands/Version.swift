import ArgumentParser
import CBuildInfo
import EKSAuthCore

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the version, the commit and date of the build, and the platform.",
        discussion: """
            The same line as 'eks-auth --version'; --output json gives one object for scripts, with the \
            field names of 'kubectl version --output json': version, gitCommit, buildDate, platform.

            EXAMPLES:
              eks-auth version
              eks-auth version --output json | jq -r .version
            """
    )

    @Option(help: "Output format: text or json.")
    var output: TokenInput.OutputFormat = .text

    func run() throws {
        let live = LiveSystem(verbose: false)
        live.writeStdout(output == .json ? Self.report.json() : Self.report.text)
    }

    /// This binary's report; the commit and date were compiled in by Package.swift from the Makefile.
    static var report: VersionReport {
        VersionReport(
            gitCommit: String(cString: eks_auth_build_commit()), buildDate: String(cString: eks_auth_build_date()))
    }
}
