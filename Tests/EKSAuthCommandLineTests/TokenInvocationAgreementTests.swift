import ArgumentParser
import EKSAuthCommandLine
import Testing

/// What one argument list should become.
enum Outcome: Sendable {
    /// The scanner and ArgumentParser both accept it, as this invocation.
    case both(TokenInvocation)
    /// The scanner declines; ArgumentParser accepts it as this invocation.
    case parserOnly(TokenInvocation)
    /// The scanner declines; ArgumentParser refuses it (an error, or help).
    case parserRefuses
}

/// One command line of the corpus, as kubectl would pass it (before `ForeignArguments.normalize`).
struct ArgumentCase: CustomTestStringConvertible, Sendable {
    var arguments: [String]
    var outcome: Outcome
    var testDescription: String { arguments.joined(separator: " ") }

    init(_ arguments: [String], _ outcome: Outcome) {
        self.arguments = arguments
        self.outcome = outcome
    }
}

private let arn = "arn:aws:iam::111122223333:role/dev"

private func invocation(
    cluster: String? = nil, _ credentials: CredentialInvocation = CredentialInvocation(), cache: Bool = false,
    tokenOnly: Bool = false, verbose: Bool = false, logFormat: LogFormat = .text, output: TokenOutputFormat? = nil
) -> TokenInvocation {
    TokenInvocation(
        clusterName: cluster, credentials: credentials, cache: cache, tokenOnly: tokenOnly, verbose: verbose,
        logFormat: logFormat, output: output)
}

/// Both peers' spellings, `=` forms, repeats, unknown flags, missing values and bad values.
private let corpus: [ArgumentCase] = [
    // aws eks get-token, as `aws eks update-kubeconfig` writes it.
    ArgumentCase(
        ["--region", "eu-west-1", "eks", "get-token", "--cluster-name", "prod"],
        .both(invocation(cluster: "prod", CredentialInvocation(region: "eu-west-1")))),
    ArgumentCase(
        [
            "--region", "eu-west-1", "--profile", "dev", "--output", "json", "eks", "get-token", "--cluster-name",
            "prod",
        ],
        .both(invocation(cluster: "prod", CredentialInvocation(region: "eu-west-1", profile: "dev"), output: .json))),
    ArgumentCase(
        ["eks", "get-token", "--cluster-id", "op-1", "--role-arn", arn, "--region", "us-east-1"],
        .both(invocation(cluster: "op-1", CredentialInvocation(region: "us-east-1", roleARN: arn)))),
    ArgumentCase(
        ["--output=json", "eks", "get-token", "--cluster-name=prod"],
        .both(invocation(cluster: "prod", output: .json))),
    ArgumentCase(["eks", "get-token", "--cluster-name", "prod", "--output", "text"], .parserRefuses),
    ArgumentCase(["--output", "yaml", "eks", "get-token", "--cluster-name", "prod"], .parserRefuses),
    // aws-iam-authenticator token.
    ArgumentCase(
        ["token", "-i", "prod", "-r", arn, "-e", "ext-id", "-s", "alice", "--cache", "--token-only"],
        .both(
            invocation(
                cluster: "prod", CredentialInvocation(roleARN: arn, externalID: "ext-id", sessionName: "alice"),
                cache: true, tokenOnly: true))),
    ArgumentCase(
        ["token", "-i", "prod", "-r", arn, "--forward-session-name"],
        .both(invocation(cluster: "prod", CredentialInvocation(roleARN: arn, forwardSessionName: true)))),
    ArgumentCase(
        ["token", "--role", arn, "--cluster-id", "prod"],
        .both(invocation(cluster: "prod", CredentialInvocation(roleARN: arn)))),
    // Ours.
    ArgumentCase(["token"], .both(invocation())),
    ArgumentCase(["get-token", "--cluster-name", "prod"], .both(invocation(cluster: "prod"))),
    ArgumentCase(
        [
            "token", "--cluster-name", "prod", "--role-arn", arn, "--duration-seconds", "900", "--serial-number",
            "arn:aws:iam::111122223333:mfa/alice", "--token-code", "123456", "--no-cache", "--verbose",
        ],
        .both(
            invocation(
                cluster: "prod",
                CredentialInvocation(
                    roleARN: arn, durationSeconds: 900, serialNumber: "arn:aws:iam::111122223333:mfa/alice",
                    tokenCode: "123456", noCache: true),
                verbose: true))),
    ArgumentCase(
        ["token", "--duration-seconds=43200", "--external-id=x:y/z", "--session-name=s"],
        .both(invocation(CredentialInvocation(externalID: "x:y/z", sessionName: "s", durationSeconds: 43200)))),
    // Values ArgumentParser does not check: the core's validation refuses them later, for both paths alike.
    ArgumentCase(
        ["token", "--duration-seconds", "5"], .both(invocation(CredentialInvocation(durationSeconds: 5)))),
    ArgumentCase(["token", "--cluster-name", ""], .both(invocation(cluster: ""))),
    ArgumentCase(["token", "--cluster-name="], .parserRefuses),
    ArgumentCase(["--region=", "eks", "get-token", "--cluster-name", "prod"], .parserRefuses),
    // Bad numbers.
    ArgumentCase(["token", "--duration-seconds", "abc"], .parserRefuses),
    ArgumentCase(["token", "--duration-seconds=1h"], .parserRefuses),
    // Repeats: ArgumentParser keeps the last value; the scanner leaves them to it.
    ArgumentCase(
        ["token", "--region", "a-b-1", "--region", "c-d-2"],
        .parserOnly(invocation(CredentialInvocation(region: "c-d-2")))),
    ArgumentCase(["token", "-i", "one", "--cluster-name", "two"], .parserOnly(invocation(cluster: "two"))),
    ArgumentCase(["token", "--verbose", "--verbose"], .parserOnly(invocation(verbose: true))),
    // --log-format: the scanner reads it so that a kubectl call with it keeps the fast path.
    ArgumentCase(
        ["token", "-i", "prod", "--verbose", "--log-format", "json"],
        .both(invocation(cluster: "prod", verbose: true, logFormat: .json))),
    ArgumentCase(["token", "--log-format=text"], .both(invocation(logFormat: .text))),
    ArgumentCase(["token", "-i", "prod", "-l", "json"], .both(invocation(cluster: "prod", logFormat: .json))),
    ArgumentCase(["token", "--log-format", "yaml"], .parserRefuses),
    ArgumentCase(["token", "--log-format", "JSON"], .parserRefuses),
    // Unknown flags, stray words, missing values.
    ArgumentCase(["token", "--cluster-name", "prod", "--bogus"], .parserRefuses),
    ArgumentCase(["token", "-x"], .parserRefuses),
    ArgumentCase(["token", "prod"], .parserRefuses),
    ArgumentCase(["token", "--cluster-name"], .parserRefuses),
    ArgumentCase(["token", "-i"], .parserRefuses),
    ArgumentCase(["token", "--cluster-name", "--region", "us-east-1"], .parserRefuses),
    ArgumentCase(["token", "--verbose=yes"], .parserRefuses),
    // Help.
    ArgumentCase(["token", "--help"], .parserRefuses),
    ArgumentCase(["token", "-h"], .parserRefuses),
    ArgumentCase(["eks", "get-token", "--help"], .parserRefuses),
]

@Suite("token arguments: the fast scanner and ArgumentParser agree")
struct TokenInvocationAgreementTests {
    /// The arguments after the `token` (or `get-token`) word, as `EKSAuthCommand.main` hands them on.
    static func tokenArguments(_ arguments: [String]) throws -> ArraySlice<String> {
        let normalized = ForeignArguments.normalize(arguments)
        let first = try #require(normalized.first)
        #expect(first == "token" || first == "get-token")
        return normalized.dropFirst()
    }

    @Test("each argument list is scanned as ArgumentParser parses it, or left to ArgumentParser", arguments: corpus)
    func agreement(_ c: ArgumentCase) throws {
        let arguments = try Self.tokenArguments(c.arguments)
        let scanned = TokenInvocation.scan(arguments)
        let parsed = Result { try TokenOptions.parse(Array(arguments)).invocation }
        switch c.outcome {
        case .both(let expected):
            #expect(scanned == expected)
            #expect(try parsed.get() == expected)
        case .parserOnly(let expected):
            #expect(scanned == nil)
            #expect(try parsed.get() == expected)
        case .parserRefuses:
            #expect(scanned == nil)
            #expect(throws: (any Error).self) { try parsed.get() }
        }
    }

    @Test("--output text is refused with the message the integration tests pin")
    func outputText() {
        #expect(TokenInvocation.scan(["--output", "text"]) == nil)
        let error = Result { try TokenOptions.parse(["--output", "text"]) }
        guard case .failure(let failure) = error else {
            Issue.record("--output text parsed")
            return
        }
        #expect(
            TokenOptions.message(for: failure).contains("--output text is not supported: eks-auth token prints JSON"))
    }

    @Test("every spelling in the flag table is one the scanner reads", arguments: TokenFlag.allCases)
    func everySpelling(_ flag: TokenFlag) {
        let spellings = flag.longNames.map { "--\($0)" } + flag.shortNames.map { "-\($0)" }
        for spelling in spellings {
            #expect(TokenFlag.named(spelling) == flag, "\(spelling)")
            let value = flag == .durationSeconds ? "900" : flag == .output || flag == .logFormat ? "json" : "v"
            let arguments: ArraySlice<String> = flag.takesValue ? [spelling, value] : [spelling]
            let scanned = TokenInvocation.scan(arguments)
            #expect(scanned != nil, "\(spelling)")
            #expect(scanned == (try? TokenOptions.parse(Array(arguments)).invocation), "\(spelling)")
        }
    }
}
