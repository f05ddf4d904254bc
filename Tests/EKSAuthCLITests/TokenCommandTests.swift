import AWSSigning
import EKSAuthCore
import EKSAuthSystem
import EKSAuthTestSupport
import Foundation
import Testing

/// The built `eks-auth` binary, run with a controlled environment and a temporary HOME.
struct EKSAuthBinary {
    /// The package root: three levels up from this file (Tests/EKSAuthCLITests/<file>).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let path = packageRoot.appendingPathComponent(".build/debug/eks-auth").path

    /// What one run printed and how it ended.
    struct Run {
        var stdout: String
        var stderr: String
        var status: Int32

        var stdoutLines: [Substring] { stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast() }
        var stderrLines: [Substring] { stderr.split(separator: "\n", omittingEmptySubsequences: false).dropLast() }
    }

    /// Runs the binary with `arguments` and exactly `environment` plus PATH and HOME (a fresh directory
    /// holding `files`, paths relative to it). Fails the test, never passes silently, when it is not built.
    static func run(
        _ arguments: [String], environment: [String: String] = [:], files: [String: String] = [:],
        directories: [String] = []
    ) throws -> Run {
        try #require(
            FileManager.default.isExecutableFile(atPath: path),
            "eks-auth is not built at \(path); run 'swift build' (swift test builds it before the tests)")
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("eks-auth-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: home) }
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        for (relative, text) in files {
            let url = home.appendingPathComponent(relative)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        for relative in directories {
            try FileManager.default.createDirectory(
                at: home.appendingPathComponent(relative), withIntermediateDirectories: true)
        }
        var variables = environment.mapValues { $0.replacingOccurrences(of: "$HOME", with: home.path) }
        variables["PATH"] = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        variables["HOME"] = variables["HOME"] ?? home.path
        // Off EC2 a real instance-metadata look-up only costs time; the chain's last source is tested
        // against loopback peers instead.
        variables["AWS_EC2_METADATA_DISABLED"] = variables["AWS_EC2_METADATA_DISABLED"] ?? "true"

        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = variables
        process.currentDirectoryURL = home
        // Output goes to files outside HOME, so a chatty child can never block on a full pipe.
        let outputs = FileManager.default.temporaryDirectory.appendingPathComponent("eks-auth-out-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: outputs, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: outputs) }
        let stdoutURL = outputs.appendingPathComponent("stdout")
        let stderrURL = outputs.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        let stdout = try FileHandle(forWritingTo: stdoutURL)
        let stderr = try FileHandle(forWritingTo: stderrURL)
        defer {
            try? stdout.close()
            try? stderr.close()
        }
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return Run(
            stdout: String(decoding: try Data(contentsOf: stdoutURL), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: stderrURL), as: UTF8.self),
            status: process.terminationStatus)
    }
}

/// Distinctive fake secrets: if any of them shows up in the output, something leaked.
enum FakeSecrets {
    static let keyID = "AKIDEXAMPLE"
    static let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    static let sessionToken = "SESSIONxTOKENxMUSTxNOTxLEAKx0123456789"
    static let profileSecret = "PROFILExSECRETxMUSTxNOTxLEAKx9876543210"
    static let environment = ["AWS_ACCESS_KEY_ID": keyID, "AWS_SECRET_ACCESS_KEY": secret]

    /// The example keys plus `extra` (the keys win where both name a variable).
    static func environment(adding extra: [String: String]) -> [String: String] {
        environment.merging(extra) { key, _ in key }
    }
}

@Suite("eks-auth token (the built binary)")
struct TokenCommandTests {
    /// The presigned URL inside a `k8s-aws-v1.` token.
    func presignedURL(of token: String) throws -> String {
        #expect(token.hasPrefix("k8s-aws-v1."))
        let bytes = try #require(Base64URL.decode(String(token.dropFirst("k8s-aws-v1.".count))))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The one ExecCredential line of a successful run, parsed.
    func execCredential(_ run: EKSAuthBinary.Run) throws -> [String: Any] {
        #expect(run.status == 0, "stderr: \(run.stderr)")
        #expect(run.stdoutLines.count == 1, "stdout: \(run.stdout)")
        #expect(run.stdout.hasSuffix("\n"))
        let line = try #require(run.stdoutLines.first)
        return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    @Test("prints exactly one ExecCredential line with a k8s-aws-v1 token and an RFC 3339 expiry")
    func execCredentialOnSuccess() throws {
        let before = Date()
        let run = try EKSAuthBinary.run(["token", "--cluster-name", "prod"], environment: FakeSecrets.environment)
        let object = try execCredential(run)
        #expect(run.stderr.isEmpty)
        #expect(object["kind"] as? String == "ExecCredential")
        #expect(object["apiVersion"] as? String == "client.authentication.k8s.io/v1beta1")
        #expect((object["spec"] as? [String: Any])?.isEmpty == true)
        let status = try #require(object["status"] as? [String: Any])
        let token = try #require(status["token"] as? String)
        let url = try presignedURL(of: token)
        #expect(url.hasPrefix("https://sts.us-east-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&"))
        #expect(url.contains("X-Amz-Credential=AKIDEXAMPLE%2F"))
        #expect(url.contains("X-Amz-SignedHeaders=host%3Bx-k8s-aws-id"))
        let expiry = try #require(status["expirationTimestamp"] as? String)
        #expect(expiry.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z/) != nil)
        let expiresAt = try #require(Timestamp.parseISO8601(expiry))
        #expect(expiresAt > before.addingTimeInterval(13 * 60))
        #expect(expiresAt < Date().addingTimeInterval(15 * 60 + 1))
        #expect(!run.stdout.contains(FakeSecrets.secret))
    }

    @Test("prints only the token with --token-only")
    func tokenOnly() throws {
        let run = try EKSAuthBinary.run(
            ["token", "--cluster-name", "prod", "--token-only"], environment: FakeSecrets.environment)
        #expect(run.status == 0, "stderr: \(run.stderr)")
        #expect(run.stderr.isEmpty)
        #expect(run.stdoutLines.count == 1)
        let token = String(try #require(run.stdoutLines.first))
        #expect(token.hasPrefix("k8s-aws-v1."))
        #expect(!token.contains("{"))
        #expect(try presignedURL(of: token).contains("GetCallerIdentity"))
    }

    @Test("accepts the arguments aws eks update-kubeconfig writes")
    func awsStyleArguments() throws {
        let run = try EKSAuthBinary.run(
            ["--region", "us-west-2", "eks", "get-token", "--cluster-name", "x", "--output", "json"],
            environment: FakeSecrets.environment)
        let object = try execCredential(run)
        let token = try #require((object["status"] as? [String: Any])?["token"] as? String)
        #expect(try presignedURL(of: token).hasPrefix("https://sts.us-west-2.amazonaws.com/?"))
    }

    @Test("accepts aws-iam-authenticator's token -i NAME")
    func authenticatorArguments() throws {
        let run = try EKSAuthBinary.run(["token", "-i", "prod"], environment: FakeSecrets.environment)
        _ = try execCredential(run)
    }

    @Test(
        "answers in the apiVersion KUBERNETES_EXEC_INFO names",
        arguments: [
            ("client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1", false),
            ("client.authentication.k8s.io/v1beta1", "client.authentication.k8s.io/v1beta1", false),
            ("client.authentication.k8s.io/v1alpha1", "client.authentication.k8s.io/v1alpha1", true),
        ])
    func execInfoVersion(requested: String, answered: String, warns: Bool) throws {
        let info = #"{"kind":"ExecCredential","apiVersion":"\#(requested)","spec":{"interactive":false}}"#
        let run = try EKSAuthBinary.run(
            ["token", "--cluster-name", "prod"],
            environment: FakeSecrets.environment(adding: ["KUBERNETES_EXEC_INFO": info]))
        let object = try execCredential(run)
        #expect(object["apiVersion"] as? String == answered)
        if warns {
            #expect(run.stderrLines.count == 1)
            #expect(run.stderr.hasPrefix("eks-auth: warning: "))
        } else {
            #expect(run.stderr.isEmpty)
        }
    }

    @Test("answers in v1beta1 with a warning on stderr when KUBERNETES_EXEC_INFO is garbage")
    func execInfoGarbage() throws {
        let run = try EKSAuthBinary.run(
            ["token", "--cluster-name", "prod"],
            environment: FakeSecrets.environment(adding: ["KUBERNETES_EXEC_INFO": "{garbage"]))
        let object = try execCredential(run)
        #expect(object["apiVersion"] as? String == "client.authentication.k8s.io/v1beta1")
        #expect(run.stderr.hasPrefix("eks-auth: warning: "))
    }

    @Test("uses the profile's keys and region from the ~/.aws files")
    func profileFromFiles() throws {
        let run = try EKSAuthBinary.run(
            ["token", "--cluster-name", "prod", "--profile", "dev"],
            files: [
                ".aws/config": "[profile dev]\nregion = eu-west-1\n",
                ".aws/credentials":
                    "[dev]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = \(FakeSecrets.profileSecret)\n",
            ])
        let object = try execCredential(run)
        let token = try #require((object["status"] as? [String: Any])?["token"] as? String)
        let url = try presignedURL(of: token)
        #expect(url.hasPrefix("https://sts.eu-west-1.amazonaws.com/?"))
        #expect(url.contains("X-Amz-Credential=AKIDPROFILE%2F"))
        #expect(url.contains("%2Feu-west-1%2Fsts%2Faws4_request"))
    }

    @Test("reads ~/.aws files written with CRLF line ends and a byte order mark")
    func windowsLineEnds() throws {
        let run = try EKSAuthBinary.run(
            ["token", "--cluster-name", "prod"],
            environment: ["AWS_PROFILE": "dev"],
            files: [
                ".aws/config": "\u{FEFF}[profile dev]\r\nregion = ca-central-1\r\n",
                ".aws/credentials":
                    "[dev]\r\naws_access_key_id = AKIDPROFILE\r\naws_secret_access_key = \(FakeSecrets.profileSecret)\r\n",
            ])
        let object = try execCredential(run)
        let token = try #require((object["status"] as? [String: Any])?["token"] as? String)
        #expect(try presignedURL(of: token).hasPrefix("https://sts.ca-central-1.amazonaws.com/?"))
    }

    @Test("traces profile, region and endpoint on stderr with --verbose, never a secret")
    func verboseTrace() throws {
        let fromEnvironment = try EKSAuthBinary.run(
            ["token", "--cluster-name", "prod", "--verbose"],
            environment: FakeSecrets.environment(adding: [
                "AWS_SESSION_TOKEN": FakeSecrets.sessionToken, "AWS_PROFILE": "dev",
            ]),
            files: [".aws/config": "[profile dev]\nregion = eu-west-1\n"])
        _ = try execCredential(fromEnvironment)
        let trace = fromEnvironment.stderr
        #expect(trace.contains("profile: dev (from AWS_PROFILE)"))
        #expect(trace.contains("region: eu-west-1 (from region in profile 'dev')"))
        #expect(trace.contains("sts endpoint: https://sts.eu-west-1.amazonaws.com/"))
        #expect(trace.contains("AKIDEXAMPLE"))
        #expect(fromEnvironment.stderrLines.allSatisfy { $0.hasPrefix("eks-auth: ") })

        let fromProfile = try EKSAuthBinary.run(
            ["token", "--cluster-name", "prod", "--verbose", "--profile", "dev", "--region", "ap-south-1"],
            files: [
                ".aws/credentials": """
                [dev]
                aws_access_key_id = AKIDPROFILE
                aws_secret_access_key = \(FakeSecrets.profileSecret)
                aws_session_token = \(FakeSecrets.sessionToken)
                """
            ])
        _ = try execCredential(fromProfile)
        #expect(fromProfile.stderr.contains("profile: dev (from --profile)"))
        #expect(fromProfile.stderr.contains("region: ap-south-1 (from --region)"))
        #expect(fromProfile.stderr.contains("sts endpoint: https://sts.ap-south-1.amazonaws.com/"))

        for run in [fromEnvironment, fromProfile] {
            for secret in [FakeSecrets.secret, FakeSecrets.sessionToken, FakeSecrets.profileSecret, "K7MDENG"] {
                #expect(!run.stderr.contains(secret), "stderr leaks a secret: \(run.stderr)")
            }
            // The presigned URL carries the session token (it must), but never the secret key.
            #expect(!run.stdout.contains(FakeSecrets.secret))
            #expect(!run.stdout.contains(FakeSecrets.profileSecret))
        }
    }

    struct FailureCase: Sendable, CustomTestStringConvertible {
        var name: String
        var arguments: [String]
        var environment: [String: String] = [:]
        var files: [String: String] = [:]
        var directories: [String] = []
        var status: Int32
        /// Text the error line must contain.
        var mentions: String
        var testDescription: String { name }
    }

    static let malformedConfig = """
        [default]
        region = us-west-2
        \(FakeSecrets.secret)
        """

    static let failures: [FailureCase] = [
        FailureCase(
            name: "unknown profile via --profile", arguments: ["token", "--cluster-name", "c", "--profile", "nope"],
            environment: FakeSecrets.environment, status: 78, mentions: "profile 'nope' not found"),
        FailureCase(
            name: "unknown profile via AWS_PROFILE", arguments: ["token", "--cluster-name", "c"],
            environment: FakeSecrets.environment(adding: ["AWS_PROFILE": "nope"]), status: 78,
            mentions: "(selected by AWS_PROFILE)"),
        FailureCase(
            name: "malformed config file", arguments: ["token", "--cluster-name", "c"],
            environment: FakeSecrets.environment, files: [".aws/config": malformedConfig], status: 65,
            mentions: ".aws/config:3:"),
        FailureCase(
            name: "malformed credentials file named by AWS_SHARED_CREDENTIALS_FILE",
            arguments: ["token", "--cluster-name", "c"],
            environment: ["AWS_SHARED_CREDENTIALS_FILE": "$HOME/creds"], files: ["creds": "key = value\n"],
            status: 65, mentions: "/creds:1:"),
        FailureCase(
            name: "unreadable config file (a directory at its path)", arguments: ["token", "--cluster-name", "c"],
            environment: FakeSecrets.environment, directories: [".aws/config"], status: 65,
            mentions: "cannot read"),
        FailureCase(
            name: "access key without secret", arguments: ["token", "--cluster-name", "c"],
            environment: ["AWS_ACCESS_KEY_ID": FakeSecrets.keyID], status: 65, mentions: "AWS_SECRET_ACCESS_KEY"),
        FailureCase(
            name: "secret without access key", arguments: ["token", "--cluster-name", "c"],
            environment: ["AWS_SECRET_ACCESS_KEY": FakeSecrets.secret], status: 65, mentions: "AWS_ACCESS_KEY_ID"),
        FailureCase(
            name: "profile key without secret", arguments: ["token", "--cluster-name", "c", "--profile", "dev"],
            files: [".aws/credentials": "[dev]\naws_access_key_id = AKIDEXAMPLE\n"], status: 65,
            mentions: "aws_secret_access_key"),
        FailureCase(
            name: "unparsable AWS_CREDENTIAL_EXPIRATION", arguments: ["token", "--cluster-name", "c"],
            environment: FakeSecrets.environment(adding: ["AWS_CREDENTIAL_EXPIRATION": "soon"]),
            status: 65, mentions: "AWS_CREDENTIAL_EXPIRATION"),
        FailureCase(
            name: "empty cluster name", arguments: ["token", "--cluster-name", ""],
            environment: FakeSecrets.environment, status: 64, mentions: "cluster"),
        FailureCase(
            name: "no cluster name at all", arguments: ["token"], environment: FakeSecrets.environment, status: 64,
            mentions: "cluster"),
        FailureCase(
            name: "invalid region flag", arguments: ["token", "--cluster-name", "c", "--region", "US_WEST"],
            environment: FakeSecrets.environment, status: 64, mentions: "'US_WEST'"),
        FailureCase(
            name: "invalid AWS_REGION", arguments: ["token", "--cluster-name", "c"],
            environment: FakeSecrets.environment(adding: ["AWS_REGION": "us west 2"]), status: 64,
            mentions: "AWS_REGION"),
        FailureCase(
            name: "invalid AWS_USE_FIPS_ENDPOINT", arguments: ["token", "--cluster-name", "c"],
            environment: FakeSecrets.environment(adding: ["AWS_USE_FIPS_ENDPOINT": "yes"]),
            status: 64, mentions: "AWS_USE_FIPS_ENDPOINT"),
        FailureCase(
            name: "invalid AWS_ENDPOINT_URL_STS", arguments: ["token", "--cluster-name", "c"],
            environment: FakeSecrets.environment(adding: ["AWS_ENDPOINT_URL_STS": "localhost:4566"]),
            status: 64, mentions: "AWS_ENDPOINT_URL_STS"),
        FailureCase(
            name: "no credentials anywhere", arguments: ["token", "--cluster-name", "c"], status: 78,
            mentions: "no AWS credentials found"),
        FailureCase(
            name: "SSO profile", arguments: ["token", "--cluster-name", "c", "--profile", "sso"],
            files: [
                ".aws/config": "[profile sso]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = R\n"
                    + "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n"
            ],
            status: 77, mentions: "IAM Identity Center session of profile 'sso' has no cached token"),
        FailureCase(
            name: "assume-role profile without a source", arguments: ["token", "--cluster-name", "c"],
            environment: ["AWS_PROFILE": "role"],
            files: [
                ".aws/config": """
                [profile role]
                role_arn = arn:aws:iam::123456789012:role/dev
                aws_access_key_id = AKIDEXAMPLE
                aws_secret_access_key = \(FakeSecrets.profileSecret)
                """
            ], status: 65, mentions: "source_profile or credential_source"),
        FailureCase(
            name: "expired environment credentials", arguments: ["token", "--cluster-name", "c"],
            environment: FakeSecrets.environment(adding: ["AWS_CREDENTIAL_EXPIRATION": "2020-01-01T00:00:00Z"]),
            status: 77, mentions: "expired at 2020-01-01T00:00:00Z"),
    ]

    @Test("reports bad input as one error line on stderr, nothing on stdout, and its exit code", arguments: failures)
    func failure(_ c: FailureCase) throws {
        let run = try EKSAuthBinary.run(
            c.arguments, environment: c.environment, files: c.files, directories: c.directories)
        #expect(run.status == c.status, "stderr: \(run.stderr)")
        #expect(run.stdout.isEmpty, "stdout: \(run.stdout)")
        let lines = run.stderrLines
        #expect(lines.count == 1 || lines.count == 2, "stderr: \(run.stderr)")
        let first = try #require(lines.first)
        #expect(first.hasPrefix("eks-auth: error: "), "stderr: \(run.stderr)")
        #expect(first.contains(c.mentions), "stderr: \(run.stderr)")
        if lines.count == 2 { #expect(lines[1].hasPrefix("eks-auth: hint: "), "stderr: \(run.stderr)") }
        for secret in [FakeSecrets.secret, FakeSecrets.profileSecret, "K7MDENG"] {
            #expect(!run.stderr.contains(secret), "stderr leaks a secret: \(run.stderr)")
        }
    }

    static let argumentFailures: [FailureCase] = [
        FailureCase(
            name: "--output yaml", arguments: ["token", "--cluster-name", "c", "--output", "yaml"],
            environment: FakeSecrets.environment, status: 64, mentions: "yaml"),
        FailureCase(
            name: "unknown flag", arguments: ["token", "--cluster-name", "c", "--bogus"],
            environment: FakeSecrets.environment, status: 64, mentions: "--bogus"),
        FailureCase(
            name: "flag without its value", arguments: ["token", "--cluster-name"],
            environment: FakeSecrets.environment, status: 64, mentions: "cluster-name"),
        FailureCase(
            name: "unknown subcommand", arguments: ["frobnicate"], environment: FakeSecrets.environment, status: 64,
            mentions: "frobnicate"),
    ]

    @Test("rejects bad flags with exit 64, one error line and nothing on stdout", arguments: argumentFailures)
    func badFlags(_ c: FailureCase) throws {
        let run = try EKSAuthBinary.run(c.arguments, environment: c.environment)
        #expect(run.status == c.status, "stderr: \(run.stderr)")
        #expect(run.stdout.isEmpty, "stdout: \(run.stdout)")
        let lines = run.stderrLines
        #expect(lines.count == 1 || lines.count == 2, "stderr: \(run.stderr)")
        let first = try #require(lines.first)
        #expect(first.hasPrefix("eks-auth: error: "), "stderr: \(run.stderr)")
        #expect(first.contains(c.mentions), "stderr: \(run.stderr)")
        if lines.count == 2 { #expect(lines[1].hasPrefix("eks-auth: hint: "), "stderr: \(run.stderr)") }
    }

    @Test("lists the token flags with --help and exits 0, --role-arn optional")
    func help() throws {
        let run = try EKSAuthBinary.run(["token", "--help"])
        #expect(run.status == 0)
        #expect(run.stdout.contains("--cluster-name"))
        #expect(run.stdout.contains("--region"))
        #expect(run.stdout.contains("--profile"))
        #expect(run.stdout.contains("--token-only"))
        #expect(run.stdout.contains("--verbose"))
        #expect(run.stdout.contains("--role-arn"))
        let usage = try #require(run.stdout.split(separator: "\n").first { $0.hasPrefix("USAGE:") })
        // A required option would be spelled out bare in the usage line; an optional one is bracketed or hidden in <options>.
        #expect(!usage.contains("--role-arn <"), "usage: \(usage)")
        #expect(!usage.contains("--role-arn") || usage.contains("[--role-arn"), "usage: \(usage)")

        let top = try EKSAuthBinary.run(["--help"])
        #expect(top.status == 0)
        #expect(top.stdout.contains("token"))
    }

    @Test("makes a token without --role-arn: the role is optional")
    func roleIsOptional() throws {
        let run = try EKSAuthBinary.run(["token", "-i", "prod", "--token-only"], environment: FakeSecrets.environment)
        #expect(run.status == 0, "stderr: \(run.stderr)")
    }

    @Test("--version and 'version' print the same line: version, commit, build date and platform")
    func version() throws {
        let flag = try EKSAuthBinary.run(["--version"])
        #expect(flag.status == 0)
        #expect(
            flag.stdout.wholeMatch(of: /eks-auth \d+\.\d+\.\d+\S* \(commit \S+, built \S+, [a-z]+\/[a-z0-9]+\)\n/)
                != nil,
            "stdout: \(flag.stdout)")
        let command = try EKSAuthBinary.run(["version"])
        #expect(command.status == 0)
        #expect(command.stdout == flag.stdout)
        #expect(command.stderr.isEmpty)
    }

    @Test("version --output json has kubectl's client-version field names and agrees with the text")
    func versionJSON() throws {
        let run = try EKSAuthBinary.run(["version", "--output", "json"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: String])
        #expect(Set(object.keys) == ["version", "gitCommit", "buildDate", "platform"])
        #expect(object["version"] == EKSAuthVersion.current)
        let text = try EKSAuthBinary.run(["--version"]).stdout
        for value in object.values { #expect(text.contains(value), "\(value) not in \(text)") }
        let refused = try EKSAuthBinary.run(["version", "--output", "yaml"])
        #expect(refused.status == 64)
        #expect(refused.stderr.contains("'text' and 'json'"), "stderr: \(refused.stderr)")
    }

    @Test("--log-format json writes the trace, warnings and errors as JSON lines; stdout is unchanged")
    func jsonLog() throws {
        let run = try EKSAuthBinary.run(
            ["token", "--cluster-name", "prod", "--region", "eu-west-1", "--verbose", "--log-format", "json"],
            environment: FakeSecrets.environment(adding: ["AWS_SESSION_TOKEN": FakeSecrets.sessionToken]))
        _ = try execCredential(run)
        let objects = try run.stderrLines.map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any], "\($0)")
        }
        #expect(!objects.isEmpty)
        for object in objects {
            #expect(object["level"] as? String == "debug")
            #expect((object["time"] as? String).flatMap { Timestamp.parseISO8601($0) } != nil)
            #expect(object["msg"] is String)
        }
        #expect(objects.contains { $0["region"] as? String == "eu-west-1" && $0["from"] as? String == "--region" })
        #expect(objects.contains { $0["accesskeyid"] as? String == FakeSecrets.keyID })
        #expect(objects.contains { $0["cluster"] as? String == "prod" && $0["expiration"] is String })
        #expect(!run.stderr.contains(FakeSecrets.secret) && !run.stderr.contains(FakeSecrets.sessionToken))

        let quiet = try EKSAuthBinary.run(
            ["token", "--cluster-name", "prod", "--log-format", "json"], environment: FakeSecrets.environment)
        #expect(quiet.status == 0 && quiet.stderr.isEmpty, "stderr: \(quiet.stderr)")
    }

    @Test(
        "--log-format json writes an error as one object with its hint and exit code, argument errors too",
        arguments: [
            ["token", "--cluster-name", "prod", "--region", "nowhere-1", "--log-format", "json"],
            ["whoami", "--bogus", "--log-format=json"],
            ["token", "--cluster-name", "prod", "-l", "json", "--duration-seconds", "abc"],
        ])
    func jsonError(_ arguments: [String]) throws {
        let code: Int32 = 64
        let run = try EKSAuthBinary.run(arguments, environment: FakeSecrets.environment)
        #expect(run.status == code)
        #expect(run.stdout.isEmpty)
        #expect(run.stderrLines.count == 1, "stderr: \(run.stderr)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(run.stderr.utf8)) as? [String: Any], "\(run.stderr)")
        #expect(object["level"] as? String == "error")
        #expect((object["msg"] as? String)?.isEmpty == false)
        #expect(object["hint"] is String)
        #expect(object["exitCode"] as? Int == Int(code))
    }
}
