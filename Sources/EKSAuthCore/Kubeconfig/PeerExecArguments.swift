/// Reads the exec blocks other tools write into kubeconfigs, for `eks-auth kubeconfig convert`.
///
/// Two peers, read strictly: only the flags whose meaning eks-auth's `token` has exactly are taken, so a
/// converted user gets the same cluster, role, region and profile and nothing is silently dropped.
/// - `aws [--region R] [--profile P] [--output json] eks get-token (--cluster-name N | --cluster-id ID)
///   [--role-arn R]`: what `aws eks update-kubeconfig` writes (aws-eks-auth-facts §8.2: it spells the
///   role `--role`, an argparse prefix of `--role-arn`, and the global options may come anywhere).
/// - `aws-iam-authenticator token -i N [-r ARN] [--region R]` (§8.3; `-i` and `-r` also as
///   `--cluster-id` and `--role`, each as `--flag value` or `--flag=value`).
public enum PeerExecArguments {
    /// The tool an exec block ran before it was converted.
    public enum Peer: String, Sendable, Equatable {
        /// `aws eks get-token`.
        case awsCLI = "aws eks get-token"
        /// `aws-iam-authenticator token`.
        case authenticator = "aws-iam-authenticator token"
    }

    /// What an exec block is, for conversion.
    public enum Reading: Sendable, Equatable {
        /// It runs a peer and converts exactly to these `eks-auth` arguments.
        case convertible(Peer, arguments: [String])
        /// It already runs eks-auth.
        case eksAuth
        /// It runs a peer (or wraps one) in a way eks-auth cannot say exactly; why.
        case unconvertible(reason: String)
        /// It runs some other plugin: nothing to do, nothing to say.
        case other
    }

    /// The environment variables that change what a peer does and that eks-auth does not read the same
    /// way: a block that sets one is left alone. (AWS_PROFILE, AWS_REGION and the like are read by both.)
    static let peerOnlyVariables = [
        "KUBERNETES_AWS_AUTHENTICATOR_CLUSTER_ID", "DEFAULT_ROLE", "AWS_IAM_AUTHENTICATOR_LOG_VERBOSITY",
    ]

    /// Reads the exec block that runs `command` with `args`, setting the variables named `environment`.
    /// `command` may be a path (`/usr/local/bin/aws`); only its last component is compared.
    public static func read(command: String, args: [String], environment: [String] = []) -> Reading {
        let program = command.split(separator: "/").last.map(String.init) ?? command
        switch program {
        case "eks-auth": return .eksAuth
        case "aws", "aws-iam-authenticator":
            if let variable = environment.first(where: peerOnlyVariables.contains) {
                return .unconvertible(reason: "its env sets \(variable), which eks-auth does not read")
            }
            return program == "aws" ? readAWSCLI(args) : readAuthenticator(args)
        default:
            let words = ([program] + args).joined(separator: " ")
            if words.contains("get-token") || words.contains("aws-iam-authenticator") {
                return .unconvertible(
                    reason: "it runs '\(program)', not aws or aws-iam-authenticator directly (a wrapper is "
                        + "not rewritten)")
            }
            return .other
        }
    }

    /// The flags read, and their values.
    struct Flags {
        var values: [String: String] = [:]
        var positionals: [String] = []
    }

    /// Splits `args` into flags with a value and positionals; nil and a reason for anything else.
    /// `aliases` maps each spelling accepted to the name it is stored under.
    static func scan(_ args: [String], aliases: [String: String]) -> Result<Flags, ReasonText> {
        var flags = Flags()
        var index = 0
        while index < args.count {
            let arg = args[index]
            index += 1
            guard arg.hasPrefix("-"), arg.count > 1 else {
                flags.positionals.append(arg)
                continue
            }
            let parts = arg.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = aliases[String(parts[0])] else {
                return .failure(ReasonText("it passes \(String(parts[0])), which eks-auth does not convert exactly"))
            }
            let value: String
            if parts.count == 2 {
                value = String(parts[1])
            } else if index < args.count {
                value = args[index]
                index += 1
            } else {
                return .failure(ReasonText("\(arg) has no value"))
            }
            guard flags.values[name] == nil else { return .failure(ReasonText("\(arg) is given twice")) }
            flags.values[name] = value
        }
        return .success(flags)
    }

    /// A reason a block is left alone, as an `Error` so it can ride in a `Result`.
    struct ReasonText: Error, Equatable {
        var text: String
        init(_ text: String) { self.text = text }
    }

    static func readAWSCLI(_ args: [String]) -> Reading {
        let aliases = [
            "--region": "region", "--profile": "profile", "--output": "output", "--cluster-name": "name",
            "--cluster-id": "id", "--role-arn": "role", "--role": "role",
        ]
        let flags: Flags
        switch scan(args, aliases: aliases) {
        case .success(let value): flags = value
        case .failure(let reason): return .unconvertible(reason: reason.text)
        }
        guard flags.positionals == ["eks", "get-token"] else {
            return .unconvertible(
                reason: "its args are not 'eks get-token' (they run '\(flags.positionals.joined(separator: " "))')")
        }
        if let output = flags.values["output"], output != "json" {
            return .unconvertible(reason: "--output \(output) is not the ExecCredential JSON kubectl reads")
        }
        return tokenArguments(.awsCLI, name: flags.values["name"], id: flags.values["id"], flags: flags)
    }

    static func readAuthenticator(_ args: [String]) -> Reading {
        let aliases = [
            "-i": "name", "--cluster-id": "name", "-r": "role", "--role": "role", "--region": "region",
        ]
        let flags: Flags
        switch scan(args, aliases: aliases) {
        case .success(let value): flags = value
        case .failure(let reason): return .unconvertible(reason: reason.text)
        }
        guard flags.positionals == ["token"] else {
            return .unconvertible(
                reason: "its args are not 'token' (they run '\(flags.positionals.joined(separator: " "))')")
        }
        // The authenticator's cluster id is the cluster's name (the token's x-k8s-aws-id), not an Outposts id.
        return tokenArguments(.authenticator, name: flags.values["name"], id: nil, flags: flags)
    }

    static func tokenArguments(_ peer: Peer, name: String?, id: String?, flags: Flags) -> Reading {
        let cluster: (name: String, outposts: String?)
        switch (name, id) {
        case (let name?, nil) where !name.isEmpty: cluster = (name, nil)
        case (nil, let id?) where !id.isEmpty: cluster = (id, id)
        case (.some, .some): return .unconvertible(reason: "it names the cluster twice")
        default: return .unconvertible(reason: "it names no cluster")
        }
        for (key, value) in flags.values where value.isEmpty {
            return .unconvertible(reason: "its \(key) is empty")
        }
        return .convertible(
            peer,
            arguments: PluginCommandLine.tokenArguments(
                clusterName: cluster.name, outpostsID: cluster.outposts, region: flags.values["region"],
                roleARN: flags.values["role"], profile: flags.values["profile"]))
    }
}
