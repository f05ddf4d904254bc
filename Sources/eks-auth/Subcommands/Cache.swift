import ArgumentParser
import EKSAuthCommandLine
import EKSAuthCore
import EKSAuthSystem

struct Cache: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List or clear the cached sessions (assumed roles, web identity, SSO, credential_process).",
        discussion: """
            The cache lives in EKS_AUTH_CACHE_DIR, else ~/.kube/cache/eks-auth.

            EXAMPLES:
              eks-auth cache list
              eks-auth cache clear --profile dev
            """,
        subcommands: [List.self, Clear.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show each cached session: key, role, session, profile, region and time left (never secrets).",
            discussion: """
                The table is at most 120 columns wide: a long role ARN loses its start, keeping the role's name. \
                An ENDPOINT column appears when a session came from another STS endpoint than its region's usual \
                one. --output json gives every field of every session, for scripts.

                EXAMPLES:
                  eks-auth cache list
                  eks-auth cache list --output json \\
                    | jq -r '.[] | select(.minutesLeft < 10) | .role'
                """)

        @Option(help: "Output format: text or json.")
        var output: TokenInput.OutputFormat = .text

        func run() throws {
            let live = LiveSystem(verbose: false)
            let service = CacheService(system: live.context)
            live.writeStdout(output == .json ? try service.json() : try service.list())
        }
    }

    struct Clear: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove every cached session, or only those of a role, a profile or a key.",
            discussion: """
                With --role, --profile or --key, only the sessions matching all of them go (and their lock files); \
                without, every session, lock, left-over temporary file and remembered failure. Files that are not \
                eks-auth's are never touched.

                EXAMPLES:
                  eks-auth cache clear
                  eks-auth cache clear --role arn:aws:iam::111122223333:role/eks-dev
                  eks-auth cache clear --profile ci --key 3f9a
                """)

        @Option(
            help:
                "Only the sessions of this role (the ROLE column: a role ARN, sso:ACCOUNT:ROLE or credential_process).")
        var role: String?

        @Option(
            help: "Only the sessions obtained with this profile (the PROFILE column).",
            completion: ShellCompletion.profiles)
        var profile: String?

        @Option(help: "Only the session whose key starts with this (the KEY column, or a part of it).")
        var key: String?

        func run() throws {
            let live = LiveSystem(verbose: false)
            let selection = CacheService.Selection(role: role, profile: profile, keyPrefix: key)
            live.writeStdout(try CacheService(system: live.context).clear(selection))
        }
    }
}
