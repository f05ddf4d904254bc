import ArgumentParser
import EKSAuthCommandLine
import EKSAuthCore
import EKSAuthPlatform
import EKSAuthSystem

struct AWSAuth: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aws-auth",
        abstract: "Add or remove an aws-auth mapping, in a saved ConfigMap or live on the cluster.",
        discussion: """
            Edits one entry of mapRoles, mapUsers or mapAccounts and keeps everything else as written: \
            other entries, comments, order and indentation. With --file, a saved 'kubectl get configmap \
            aws-auth -n kube-system -o yaml' (or -o json; - for stdin) is edited in place or written to --out. \
            With --cluster-name, the cluster's ConfigMap is read through its Kubernetes API (endpoint and CA \
            from DescribeCluster, a token made by eks-auth) and written back with the resourceVersion read, \
            so a concurrent change fails cleanly instead of being lost. See Docs/aws-auth.md.

            EXAMPLES:
              eks-auth aws-auth add --cluster-name prod \\
                --role-arn arn:aws:iam::111122223333:role/dev \\
                --username 'dev:{{SessionName}}' --group dev-team
              eks-auth aws-auth remove --file aws-auth.yaml \\
                --user-arn arn:aws:iam::111122223333:user/bob
              eks-auth aws-auth add --file aws-auth.yaml --account 111122223333 --dry-run
            """,
        subcommands: [Add.self, Remove.self])

    /// Where the ConfigMap is, and how to reach it.
    struct PlaceOptions: ParsableArguments {
        @Option(
            help: "A saved aws-auth ConfigMap, YAML or JSON (- for stdin), instead of the cluster's.",
            completion: .file())
        var file: String?

        @Option(help: "Where --file's result goes (default: the file itself, replaced atomically; - for stdout).")
        var out: String?

        @Option(
            name: TokenFlag.clusterName.names, help: "Edit this cluster's aws-auth through its Kubernetes API.",
            completion: ShellCompletion.clusterNames)
        var clusterName: String?

        @Option(name: TokenFlag.region.names, help: "The cluster's region.")
        var region: String?

        @Option(
            name: TokenFlag.profile.names, help: "The AWS profile to reach the cluster with.",
            completion: ShellCompletion.profiles)
        var profile: String?

        @Flag(help: "Print a diff of the list and write nothing.")
        var dryRun = false

        @Flag(name: TokenFlag.verbose.names, help: "Trace the profile, region and endpoints used on stderr.")
        var verbose = false

        func validate() throws {
            guard (file == nil) != (clusterName == nil) else {
                throw ValidationError("give either --file or --cluster-name")
            }
            if out != nil, file == nil { throw ValidationError("--out goes with --file") }
            if file != nil, region != nil || profile != nil {
                throw ValidationError("--region and --profile go with --cluster-name")
            }
        }

        /// The place, stdin read for `--file -`.
        func place(_ live: LiveSystem) throws -> AWSAuthEditRequest.Place {
            if let clusterName { return .cluster(name: clusterName, region: region, profile: profile) }
            guard let file, file != "-" else {
                return .text(try AWSAuthInput.read("-", live), source: "stdin", out: out)
            }
            return .file(path: file, out: out)
        }
    }

    /// Whose entry: exactly one of a role, a user or an account.
    struct SubjectOptions: ParsableArguments {
        @Option(name: .customLong("role-arn"), help: "An IAM role (mapRoles); written without its path.")
        var roleARN: String?

        @Option(name: .customLong("user-arn"), help: "An IAM user (mapUsers).")
        var userARN: String?

        @Option(help: "A 12-digit AWS account (mapAccounts): its users and roles map to their own ARN.")
        var account: String?

        func validate() throws {
            guard [roleARN, userARN, account].compactMap({ $0 }).count == 1 else {
                throw ValidationError("give exactly one of --role-arn, --user-arn or --account")
            }
        }

        var subject: AWSAuthSubject {
            if let roleARN { return .role(roleARN) }
            if let userARN { return .user(userARN) }
            return .account(account ?? "")
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Map a role, user or account in aws-auth.",
            discussion: """
                An identical entry changes nothing ("unchanged"). An entry for the same ARN (compared without \
                case, as aws-iam-authenticator compares) that differs is refused (exit 78) unless --replace, \
                which rewrites it in place. A role ARN with a path is written without it (the authenticator \
                never matches one with a path), saying so; an assumed-role session ARN is refused with the role \
                ARN to give instead.

                EXAMPLES:
                  eks-auth aws-auth add --file aws-auth.yaml \\
                    --role-arn arn:aws:iam::111122223333:role/admin \\
                    --username admin --group system:masters
                  eks-auth aws-auth add --cluster-name prod --region eu-west-1 \\
                    --user-arn arn:aws:iam::111122223333:user/ci \\
                    --username ci --group deployers --replace
                """)

        @OptionGroup var subject: SubjectOptions

        @Option(help: "The Kubernetes user name (required for a role or user; templates like {{SessionName}} allowed).")
        var username: String?

        @Option(name: .customLong("group"), help: "A Kubernetes group (repeat for more).")
        var groups: [String] = []

        @Flag(help: "Rewrite an existing, different entry for the same ARN in place.")
        var replace = false

        @OptionGroup var place: PlaceOptions

        @OptionGroup var log: LogOptions

        func validate() throws {
            if subject.account != nil, username != nil || !groups.isEmpty {
                throw ValidationError(
                    "--account takes no --username or --group: the account's identities map to their ARN")
            }
            if subject.account == nil, username == nil {
                throw ValidationError("--username is required: aws-iam-authenticator rejects an entry without one")
            }
        }

        func run() throws {
            try AWSAuth.run(
                AWSAuthEdit(
                    subject: subject.subject, action: .add(username: username, groups: groups, replace: replace)),
                place)
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a role's, user's or account's entries from aws-auth.",
            discussion: """
                Removes every entry for the ARN (compared without case; for a role, also one written with its \
                path). An absent entry is an error (exit 78), as 'kubectl delete' of a missing object is, \
                unless --ignore-missing.

                EXAMPLES:
                  eks-auth aws-auth remove --file aws-auth.yaml \\
                    --role-arn arn:aws:iam::111122223333:role/old
                  eks-auth aws-auth remove --cluster-name prod --account 111122223333 \\
                    --ignore-missing
                """)

        @OptionGroup var subject: SubjectOptions

        @Flag(help: "Succeed, changing nothing, when there is no such entry.")
        var ignoreMissing = false

        @OptionGroup var place: PlaceOptions

        @OptionGroup var log: LogOptions

        func run() throws {
            try AWSAuth.run(AWSAuthEdit(subject: subject.subject, action: .remove(ignoreMissing: ignoreMissing)), place)
        }
    }

    /// Runs the edit and shows what it did: the document or diff on stdout with the summary on stderr,
    /// else the summary on stdout.
    static func run(_ edit: AWSAuthEdit, _ options: PlaceOptions) throws {
        let live = LiveSystem(verbose: options.verbose)
        defer { live.shutdown() }
        let request = AWSAuthEditRequest(edit: edit, place: try options.place(live), dryRun: options.dryRun)
        let report = try AWSAuthService(system: live.context).run(request)
        guard let output = report.output else { return live.writeStdout(report.summary) }
        if isatty(STDOUT_FILENO) == 1 {
            if !output.isEmpty { live.writeStdout(output.hasSuffix("\n") ? String(output.dropLast()) : output) }
        } else {
            LiveSystem.write(output, to: STDOUT_FILENO)
        }
        Reporter.write(level: .info, report.summary)
    }
}
