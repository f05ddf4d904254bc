import ArgumentParser

/// Every flag of `eks-auth token` for ArgumentParser: the slow path, taken when the start-up scanner
/// declines, and the source of `token --help`. Its `invocation` is what the scanner would have built.
package struct TokenOptions: ParsableArguments {
    @Option(
        name: TokenFlag.clusterName.names, help: "The cluster name (or Outposts cluster id) the token is for.",
        completion: ShellCompletion.clusterNames)
    var clusterName: String?

    @OptionGroup var credentials: CredentialOptions

    @Flag(
        name: TokenFlag.cache.names,
        help: ArgumentHelp("Accepted for aws-iam-authenticator; caching is on by default.", visibility: .hidden))
    var cache = false

    @Flag(name: TokenFlag.tokenOnly.names, help: "Print only the token, not an ExecCredential.")
    var tokenOnly = false

    @Flag(
        name: TokenFlag.verbose.names,
        help: "Trace on stderr which profile, region, endpoint and credentials are used (never secrets).")
    var verbose = false

    @OptionGroup var log: LogOptions

    // A string rather than `TokenOutputFormat`, so a wrong value gets our message instead of ArgumentParser's.
    @Option(
        name: TokenFlag.output.names,
        help: "Only json (the default): accepted as 'aws eks get-token --output json' writes it in kubeconfigs.")
    var output: String?

    /// ArgumentParser's initializer; the values come from parsing.
    package init() {}

    /// Refuses an `--output` other than json.
    /// - Throws: `ValidationError`.
    package func validate() throws {
        if let output, TokenOutputFormat(rawValue: output) == nil {
            throw ValidationError(
                "--output \(output) is not supported: eks-auth token prints JSON (the one value is 'json')")
        }
    }

    /// The parsed flags as the one typed value the token path reads.
    package var invocation: TokenInvocation {
        TokenInvocation(
            clusterName: clusterName, credentials: credentials.invocation, cache: cache, tokenOnly: tokenOnly,
            verbose: verbose, logFormat: log.format, output: output.flatMap(TokenOutputFormat.init(rawValue:)))
    }
}
