import ArgumentParser
import EKSAuthCommandLine
import EKSAuthCore

struct Config: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the AWS profiles as eks-auth reads them, with the file and line of each value.",
        discussion: """
            Reads ~/.aws/config and ~/.aws/credentials (or AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE) \
            exactly as 'token' does. Secrets are shown only as a short SHA-256 prefix.

            EXAMPLES:
              eks-auth config list-profiles
              eks-auth config show --profile dev
              eks-auth config show --all --output json
            """,
        subcommands: [ListProfiles.self, Show.self]
    )

    struct ListProfiles: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list-profiles",
            abstract: "Print every profile name, one a line (as 'aws configure list-profiles').",
            discussion: """
                EXAMPLES:
                  eks-auth config list-profiles
                  AWS_CONFIG_FILE=./ci-config eks-auth config list-profiles
                """)

        func run() throws {
            let live = LiveSystem(verbose: false)
            let list = try ConfigReport(system: live.context).profileList()
            if !list.isEmpty { live.writeStdout(list) }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a profile's keys: value and FILE:LINE of each (the selected profile, or --all).",
            discussion: """
                EXAMPLES:
                  eks-auth config show
                  eks-auth config show --profile dev
                  eks-auth config show --all --output json
                """)

        @Option(
            help: "The profile to show (default: AWS_PROFILE, AWS_DEFAULT_PROFILE, then default).",
            completion: ShellCompletion.profiles)
        var profile: String?

        @Flag(help: "Show every profile of both files.")
        var all = false

        @Option(help: "text or json.")
        var output: TokenInput.OutputFormat = .text

        func validate() throws {
            if all, profile != nil { throw ValidationError("--all and --profile cannot be used together") }
        }

        func run() throws {
            let live = LiveSystem(verbose: false)
            let report = try ConfigReport(system: live.context)
            live.writeStdout(
                output == .json
                    ? try report.json(profile: profile, all: all) : try report.text(profile: profile, all: all))
        }
    }
}
