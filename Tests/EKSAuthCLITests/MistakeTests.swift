import Foundation
import Testing

/// The messages and exit codes of the usual mistakes, pinned: each is one error line and one hint line
/// naming the help to read, exit 64, nothing on stdout.
@Suite("eks-auth mistakes (the built binary)")
struct MistakeTests {
    struct Mistake: Sendable, CustomStringConvertible {
        var arguments: [String]
        var error: String
        var hint: String
        var environment: [String: String] = [:]
        var description: String { arguments.joined(separator: " ") }
    }

    static let keys = [
        "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_REGION": "us-east-1",
    ]

    static let mistakes = [
        Mistake(
            arguments: ["tokne", "--cluster-name", "x"], error: "unknown command 'tokne'; did you mean 'token'?",
            hint: "see 'eks-auth --help'"),
        Mistake(
            arguments: ["kubeconfg"], error: "unknown command 'kubeconfg'; did you mean 'kubeconfig'?",
            hint: "see 'eks-auth --help'"),
        Mistake(
            arguments: ["get-tokn"], error: "unknown command 'get-tokn'; did you mean 'get-token'?",
            hint: "see 'eks-auth --help'"),
        Mistake(arguments: ["xyzzy"], error: "unknown command 'xyzzy'", hint: "see 'eks-auth --help'"),
        Mistake(arguments: ["help", "nosuch"], error: "unknown command 'nosuch'", hint: "see 'eks-auth --help'"),
        Mistake(
            arguments: ["cache", "lst"], error: "unknown command 'cache lst'; did you mean 'cache list'?",
            hint: "see 'eks-auth cache --help'"),
        Mistake(
            arguments: ["help", "config", "shwo"],
            error: "unknown command 'config shwo'; did you mean 'config show'?", hint: "see 'eks-auth config --help'"),
        Mistake(
            arguments: ["cache", "list", "--bogus"], error: "Unknown option '--bogus'",
            hint: "see 'eks-auth cache list --help'"),
        Mistake(
            arguments: ["decode", "--output", "yaml"],
            error: "The value 'yaml' is invalid for '--output <output>'. Please provide one of 'text' and 'json'.",
            hint: "see 'eks-auth decode --help'"),
        Mistake(
            arguments: ["config", "show", "--all", "--profile", "x"],
            error: "--all and --profile cannot be used together", hint: "see 'eks-auth config show --help'"),
        // Command lines written for the other tools say what to write instead.
        Mistake(
            arguments: ["kubeconfig", "--name", "demo"],
            error: "Missing expected argument '--cluster-name <cluster-name>'",
            hint: "aws eks update-kubeconfig's --name is --cluster-name here"),
        Mistake(
            arguments: ["--region", "eu-west-1", "eks", "update-kubeconfig", "--name", "demo"],
            error: "Unknown option '--region'",
            hint: "'aws eks update-kubeconfig --name N' is 'eks-auth kubeconfig --cluster-name N' "
                + "(see 'eks-auth kubeconfig --help')"),
        Mistake(
            arguments: ["token", "-i", "demo", "-c", "config.yaml"], error: "Unknown option '-c'",
            hint: "aws-iam-authenticator's global -c/--config and -v/--log-verbosity are not taken: drop them "
                + "(-l/--log-format is)"),
        // A usage error found by the core gets the same hint as the parser's.
        Mistake(
            arguments: ["token", "--cluster-name", "x", "--role-arn", "bad"],
            error: "invalid --role-arn: expected arn:PARTITION:iam::ACCOUNT:role/NAME",
            hint: "see 'eks-auth token --help'", environment: keys),
        // A role from DEFAULT_ROLE is blamed on DEFAULT_ROLE, not on a --role-arn nobody gave.
        Mistake(
            arguments: ["token", "-i", "demo"],
            error: "invalid value 'garbage' for DEFAULT_ROLE (from the environment): "
                + "expected arn:PARTITION:iam::ACCOUNT:role/NAME",
            hint: "see 'eks-auth token --help'", environment: keys.merging(["DEFAULT_ROLE": "garbage"]) { a, _ in a }),
        Mistake(
            arguments: ["whoami", "--role-arn", "bad"],
            error: "invalid --role-arn: expected arn:PARTITION:iam::ACCOUNT:role/NAME",
            hint: "see 'eks-auth whoami --help'", environment: keys),
    ]

    @Test("each mistake: its error, its hint, exit 64", arguments: mistakes)
    func mistake(_ mistake: Mistake) throws {
        let run = try EKSAuthBinary.run(mistake.arguments, environment: mistake.environment)
        #expect(run.status == 64)
        #expect(run.stdout.isEmpty)
        #expect(
            run.stderrLines == ["eks-auth: error: \(mistake.error)", "eks-auth: hint: \(mistake.hint)"],
            "stderr: \(run.stderr)")
    }

    @Test("help for a real command still works, exit 0", arguments: [["help", "token"], ["help", "cache", "list"]])
    func help(_ arguments: [String]) throws {
        let run = try EKSAuthBinary.run(arguments)
        #expect(run.status == 0)
        #expect(run.stdout.hasPrefix("OVERVIEW: "))
    }

    @Test(
        "a key or session token with a control character is refused as bad input, naming the variable, never echoed",
        arguments: ["AWS_SESSION_TOKEN", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"])
    func unprintableCredential(_ variable: String) throws {
        let secret = "IQoJb3JpZ2luX2VjEXAMPLESECRETSESSIONTOKEN"
        var environment = Self.keys
        // In the middle: the environment source trims the ends of the keys, as botocore does not (a
        // trailing line break of a pasted key is forgiven there).
        environment[variable] = String(secret.prefix(10)) + "\u{1}" + secret.dropFirst(10)
        for arguments in [["token", "-i", "demo"], ["whoami"], ["token", "-i", "demo", "--log-format", "json"]] {
            let run = try EKSAuthBinary.run(arguments, environment: environment)
            #expect(run.status == 65, "\(arguments): \(run.stderr)")
            #expect(run.stdout.isEmpty)
            #expect(!run.stderr.contains(secret.dropFirst(10)), "\(run.stderr)")
            #expect(
                run.stderr.contains("invalid \(variable) in the environment: expected printable ASCII"), "\(run.stderr)"
            )
        }
    }
}
