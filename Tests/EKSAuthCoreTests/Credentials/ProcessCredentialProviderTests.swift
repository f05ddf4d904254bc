import EKSAuthTestSupport
import Foundation
import Testing

@testable import AWSConfiguration
@testable import AWSSigning
@testable import AWSTransport
@testable import EKSAuthCore
@testable import EKSAuthSystem

@Suite("credential_process credentials")
struct ProcessCredentialProviderTests {
    static let secret = "process/secret+KEY"
    static let sessionToken = "process-session-token"
    static let output = """
        {"Version": 1, "AccessKeyId": "ASIAPROCESS", "SecretAccessKey": "\(secret)",
         "SessionToken": "\(sessionToken)", "Expiration": "2024-01-02T05:04:05Z"}
        """

    struct Setup {
        var system: SystemContext
        var runner: FakeProcessRunner
        var trace: Recorder<String>

        func resolve(_ command: String = "/usr/local/bin/get-creds --account dev") throws -> ResolvedCredentials {
            let provider = ProcessCredentialProvider(command: command, profileName: "dev", system: system)
            return try #require(try provider.credentials().resolved)
        }
    }

    static func setup(
        environment: [String: String] = [:], clock: Date = Fixtures.tokenVectorDate,
        runner: FakeProcessRunner = FakeProcessRunner(printing: output)
    ) -> Setup {
        var variables = environment
        variables["HOME"] = "/home/p"
        let trace = Recorder<String>()
        let system = SystemContext(
            environment: Environment(variables), clock: .fixed(clock), fileSystem: InMemoryFileSystem(),
            tracer: Tracer { trace.append($0) }, processes: runner)
        return Setup(system: system, runner: runner, trace: trace)
    }

    @Test("runs the command's words without a shell and reads its Version 1 JSON")
    func runsCommand() throws {
        let s = Self.setup()
        let found = try s.resolve(#"/opt/bin/get creds --name 'my profile' "a \"b\" c" d\ e $HOME ~ '' x;y"#)
        #expect(
            found.credentials
                == AWSCredentials(
                    accessKeyID: "ASIAPROCESS", secretAccessKey: Self.secret, sessionToken: Self.sessionToken,
                    expiration: Date(timeIntervalSince1970: 1_704_171_845)))
        #expect(found.source.description == "credential_process of profile 'dev'")
        #expect(
            s.runner.requests == [
                ProcessRequest(
                    arguments: [
                        "/opt/bin/get", "creds", "--name", "my profile", #"a "b" c"#, "d e", "$HOME", "~", "", "x;y",
                    ],
                    // The profile joins the chain the command sees, so a loop back to eks-auth stops at once.
                    timeout: 60, environment: ["EKS_AUTH_CREDENTIAL_PROCESS_CHAIN": "dev"])
            ])
        #expect(s.trace.all.contains("credentials: running credential_process of profile 'dev' (/opt/bin/get)"))
    }

    @Test(
        "refuses output that is not Version 1 credentials JSON, never quoting it",
        arguments: [
            ("", "not a JSON object with the credentials (Version 1)"),
            (
                "AccessKeyId=ASIA\nSecretAccessKey=process/secret+KEY",
                "not a JSON object with the credentials (Version 1)"
            ),
            (#"[{"Version": 1}]"#, "not a JSON object with the credentials (Version 1)"),
            (
                #"{"Version": "1", "AccessKeyId": "ASIA", "SecretAccessKey": "process/secret+KEY"}"#,
                "not a JSON object with the credentials (Version 1)"
            ),
            (#"{"AccessKeyId": "ASIA", "SecretAccessKey": "process/secret+KEY"}"#, "Version is missing"),
            (
                #"{"Version": 2, "AccessKeyId": "ASIA", "SecretAccessKey": "process/secret+KEY"}"#,
                "Version is 2, only 1 is supported"
            ),
            (#"{"Version": 1, "SecretAccessKey": "process/secret+KEY"}"#, "AccessKeyId is missing"),
            (#"{"Version": 1, "AccessKeyId": "", "SecretAccessKey": "process/secret+KEY"}"#, "AccessKeyId is missing"),
            (#"{"Version": 1, "AccessKeyId": "ASIA"}"#, "SecretAccessKey is missing"),
            (
                #"{"Version": 1, "AccessKeyId": "ASIA", "SecretAccessKey": "process/secret+KEY", "Expiration": "in an hour"}"#,
                "Expiration is not an ISO 8601 time"
            ),
        ])
    func invalidOutput(stdout: String, reason: String) throws {
        let s = Self.setup(runner: FakeProcessRunner(printing: stdout))
        let expected = CredentialError.processOutputInvalid(profile: "dev", reason: "printed invalid output: \(reason)")
        #expect(throws: expected) { try s.resolve() }
        #expect(expected.kind == .badInput)
        #expect(expected.message.hasPrefix("credential_process of profile 'dev' printed invalid output: "))
        #expect(!expected.message.contains(Self.secret))
    }

    @Test("accepts credentials without a session token or expiry")
    func longTermKeys() throws {
        let s = Self.setup(
            runner: FakeProcessRunner(printing: #"{"Version": 1, "AccessKeyId": "AKIAPROC", "SecretAccessKey": "s"}"#))
        #expect(try s.resolve().credentials == AWSCredentials(accessKeyID: "AKIAPROC", secretAccessKey: "s"))
    }

    @Test("caches credentials with an Expiration: a second resolution does not run the command")
    func cachedWithExpiration() throws {
        let s = Self.setup()
        let first = try s.resolve()
        let second = try s.resolve()
        #expect(first == second)
        #expect(s.runner.requests.count == 1)
        #expect(s.trace.all.contains { $0.hasPrefix("cache: hit ") })
    }

    @Test("a different command line is a different cache entry")
    func cacheKeyedByCommand() throws {
        let s = Self.setup()
        _ = try s.resolve("/usr/local/bin/get-creds --account dev")
        _ = try s.resolve("/usr/local/bin/get-creds --account prod")
        #expect(s.runner.requests.count == 2)
    }

    @Test(
        "runs the command every time when there is no Expiration, or it is within 15 minutes",
        arguments: [
            #"{"Version": 1, "AccessKeyId": "ASIAPROCESS", "SecretAccessKey": "s", "SessionToken": "t"}"#,
            #"{"Version": 1, "AccessKeyId": "AKIAPROCESS", "SecretAccessKey": "s"}"#,
            #"{"Version": 1, "AccessKeyId": "ASIAPROCESS", "SecretAccessKey": "s", "SessionToken": "t", "Expiration": "2024-01-02T03:15:00Z"}"#,
        ])
    func notCached(stdout: String) throws {
        let s = Self.setup(runner: FakeProcessRunner(printing: stdout))
        _ = try s.resolve()
        _ = try s.resolve()
        #expect(s.runner.requests.count == 2)
    }

    @Test(
        "a failing command's message carries its last stderr line, never its stdout",
        arguments: [
            (
                "warming up\nerror: token expired, run login\n\n",
                "exited with status 2: error: token expired, run login"
            ),
            ("only line", "exited with status 2: only line"),
            ("", "exited with status 2 (no message on stderr)"),
            ("  \n\t\n", "exited with status 2 (no message on stderr)"),
            ("bad\u{1B}[31m colour\u{7}\r\n", "exited with status 2: bad[31m colour"),
        ])
    func nonZeroExit(stderr: String, reason: String) throws {
        let s = Self.setup(
            runner: FakeProcessRunner { _ in
                ProcessResult(status: 2, stdout: Array(Self.output.utf8), stderr: Array(stderr.utf8))
            })
        let expected = CredentialError.processFailed(profile: "dev", reason: reason)
        #expect(throws: expected) { try s.resolve() }
        #expect(expected.kind == .unavailable)
        #expect(expected.hint == "run the command by hand to see what it needs")
        #expect(!expected.message.contains(Self.secret))
        #expect(!expected.message.contains("ASIAPROCESS"))
    }

    @Test("a failing command that printed its keys does not get its secrets echoed from stderr")
    func redactsPrintedSecrets() throws {
        let s = Self.setup(
            runner: FakeProcessRunner { _ in
                ProcessResult(
                    status: 1, stdout: Array(Self.output.utf8),
                    stderr: Array("refusing to hand out \(Self.secret) with \(Self.sessionToken)\n".utf8))
            })
        #expect(
            throws: CredentialError.processFailed(
                profile: "dev", reason: "exited with status 1: refusing to hand out <redacted> with <redacted>")
        ) { try s.resolve() }
    }

    @Test(
        "passes the command's stderr on to a person who can answer its prompts, not to kubectl without one",
        arguments: [
            ([:], false, false),
            ([:], true, true),
            (
                [
                    "KUBERNETES_EXEC_INFO":
                        #"{"apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":true}}"#
                ], false, true
            ),
            (
                [
                    "KUBERNETES_EXEC_INFO":
                        #"{"apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":false}}"#
                ], true, false
            ),
        ])
    func echoesStderrWhenInteractive(environment: [String: String], terminal: Bool, echoes: Bool) throws {
        var s = Self.setup(environment: environment)
        s.system.terminal = Terminal(stdinIsTerminal: terminal) { _ in nil }
        _ = try s.resolve()
        #expect(s.runner.requests.map(\.echoStderr) == [echoes])
    }

    @Test("cuts a long stderr line to 300 characters")
    func longStderr() throws {
        let line = String(repeating: "x", count: 5000)
        let s = Self.setup(runner: FakeProcessRunner { _ in ProcessResult(status: 1, stderr: Array(line.utf8)) })
        #expect(
            throws: CredentialError.processFailed(
                profile: "dev", reason: "exited with status 1: " + String(repeating: "x", count: 300))
        ) { try s.resolve() }
    }

    @Test(
        "says how long a command that timed out was allowed",
        arguments: [
            ([String: String](), 60.0, "did not finish within 60 s"),
            (["EKS_AUTH_CREDENTIAL_PROCESS_TIMEOUT": "5"], 5.0, "did not finish within 5 s"),
            (["EKS_AUTH_CREDENTIAL_PROCESS_TIMEOUT": "2.5"], 2.5, "did not finish within 2.5 s"),
        ])
    func timedOut(environment: [String: String], timeout: Double, reason: String) throws {
        let s = Self.setup(environment: environment, runner: FakeProcessRunner { _ in throw ProcessRunError.timedOut })
        let expected = CredentialError.processFailed(profile: "dev", reason: reason)
        #expect(throws: expected) { try s.resolve() }
        #expect(expected.message == "credential_process of profile 'dev' \(reason)")
        #expect(s.runner.requests.map(\.timeout) == [timeout])
    }

    @Test("says why a command could not be started")
    func cannotStart() throws {
        let s = Self.setup(
            runner: FakeProcessRunner { _ in throw ProcessRunError.cannotStart("No such file or directory") })
        let expected = CredentialError.processFailed(
            profile: "dev", reason: "could not be started: No such file or directory")
        #expect(throws: expected) { try s.resolve() }
        #expect(expected.kind == .unavailable)
    }

    @Test(
        "reads EKS_AUTH_CREDENTIAL_PROCESS_TIMEOUT as seconds up to 3600",
        arguments: [
            ([String: String](), 60.0), (["EKS_AUTH_CREDENTIAL_PROCESS_TIMEOUT": ""], 60.0),
            (["EKS_AUTH_CREDENTIAL_PROCESS_TIMEOUT": "1"], 1.0),
            (["EKS_AUTH_CREDENTIAL_PROCESS_TIMEOUT": "0.25"], 0.25),
            (["EKS_AUTH_CREDENTIAL_PROCESS_TIMEOUT": "3600"], 3600.0),
        ])
    func timeoutSetting(environment: [String: String], seconds: Double) throws {
        #expect(try ProcessCredentialProvider.timeout(in: Environment(environment)) == seconds)
    }

    @Test(
        "refuses an EKS_AUTH_CREDENTIAL_PROCESS_TIMEOUT that is not a positive number up to 3600",
        arguments: ["0", "-1", "3601", "ten", "1m", "nan"])
    func badTimeoutSetting(value: String) throws {
        let expected = CredentialError.invalidValue(
            name: "EKS_AUTH_CREDENTIAL_PROCESS_TIMEOUT", source: "the environment",
            expected: "a number of seconds (up to 3600)")
        #expect(throws: expected) {
            try ProcessCredentialProvider.timeout(in: ["EKS_AUTH_CREDENTIAL_PROCESS_TIMEOUT": value])
        }
        let s = Self.setup(environment: ["EKS_AUTH_CREDENTIAL_PROCESS_TIMEOUT": value])
        #expect(throws: expected) { try s.resolve() }
        #expect(s.runner.requests.isEmpty)
    }

    @Test("refuses an empty command and an unterminated quote without running or quoting it")
    func badCommand() throws {
        let s = Self.setup()
        #expect(throws: CredentialError.processFailed(profile: "dev", reason: "is empty")) { try s.resolve("  \t") }
        let error = #expect(throws: CredentialError.self) { try s.resolve("get-creds --secret 'hunter2-password") }
        guard case .invalidValue(let name, let source, let expected)? = error else {
            Issue.record("expected invalidValue, got \(String(describing: error))")
            return
        }
        #expect(name == "credential_process")
        #expect(source == "profile 'dev'")
        #expect(expected.contains("unterminated single quote"))
        let message = error?.message ?? ""
        #expect(!message.contains("hunter2"))
        #expect(s.runner.requests.count == 0)
    }

    @Test("never traces the command's secrets")
    func traceHasNoSecrets() throws {
        let s = Self.setup()
        _ = try s.resolve()
        _ = try s.resolve()
        #expect(!s.trace.all.isEmpty)
        for line in s.trace.all {
            #expect(!line.contains(Self.secret))
            #expect(!line.contains(Self.sessionToken))
        }
    }
}
