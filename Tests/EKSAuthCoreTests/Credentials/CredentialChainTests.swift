import EKSAuthTestSupport
import Foundation
import Synchronization
import Testing

@testable import AWSConfiguration
@testable import AWSSigning
@testable import AWSTransport
@testable import EKSAuthCore
@testable import EKSAuthSystem

/// Collects trace lines so a test can check that none of them holds a secret.
private final class TraceLines: Sendable {
    private let lines = Mutex<[String]>([])

    var tracer: Tracer { Tracer { line in self.lines.withLock { $0.append(line) } } }
    var all: [String] { lines.withLock { $0 } }
}

@Suite("CredentialChain")
struct CredentialChainTests {
    static let home = "/home/u"
    static let configPath = "/home/u/.aws/config"
    static let credentialsPath = "/home/u/.aws/credentials"
    static let keyID = Fixtures.accessKeyID
    static let secret = Fixtures.secretAccessKey
    static let token = Fixtures.sessionToken
    static let envKeys = ["AWS_ACCESS_KEY_ID": "AKIDFROMENV", "AWS_SECRET_ACCESS_KEY": "env/secret+KEY"]
    /// The sources after the profile, as a context without a network passes them over.
    static let machineSources = [
        SkippedSource(
            source: .container, reason: "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and _FULL_URI not set"),
        SkippedSource(
            source: .instanceMetadata, reason: "no answer from http://169.254.169.254 (no network in this context)"),
    ]

    static let credentialsFile = """
        [default]
        aws_access_key_id = \(keyID)
        aws_secret_access_key = \(secret)

        [dev]
        aws_access_key_id = AKIDDEV
        aws_secret_access_key = dev/secret+KEY
        aws_session_token = dev-session-token
        """

    /// Resolves the chain for `profile` and `environment` over the given files.
    func resolve(
        profile: String? = nil, environment: [String: String] = [:], config: String = "",
        credentials: String = credentialsFile, tracer: Tracer = .silent
    ) throws -> ResolvedCredentials {
        var variables = environment
        variables["HOME"] = Self.home
        let env = Environment(variables)
        let files = InMemoryFileSystem([Self.configPath: config, Self.credentialsPath: credentials])
        let settings = try AWSSettings.resolve(
            profileFlag: profile, regionFlag: nil, environment: env, fileSystem: files)
        let system = SystemContext(
            environment: env, clock: .fixed(Fixtures.tokenVectorDate), fileSystem: files, tracer: tracer)
        return try CredentialChain(settings: settings, system: system).resolve()
    }

    @Test("takes the environment's keys before the profile's")
    func environmentBeatsProfile() throws {
        let found = try resolve(environment: Self.envKeys)
        #expect(found.credentials == AWSCredentials(accessKeyID: "AKIDFROMENV", secretAccessKey: "env/secret+KEY"))
        #expect(found.source.description == "environment variables")
    }

    @Test("does not let AWS_PROFILE turn the environment's keys off")
    func awsProfileKeepsEnvironment() throws {
        let found = try resolve(environment: Self.envKeys.merging(["AWS_PROFILE": "dev"]) { a, _ in a })
        #expect(found.credentials.accessKeyID == "AKIDFROMENV")
        #expect(found.source.description == "environment variables")
    }

    @Test("ignores the environment's keys when --profile names a profile")
    func profileFlagTurnsEnvironmentOff() throws {
        let found = try resolve(profile: "dev", environment: Self.envKeys)
        #expect(
            found.credentials
                == AWSCredentials(
                    accessKeyID: "AKIDDEV", secretAccessKey: "dev/secret+KEY", sessionToken: "dev-session-token"))
        #expect(found.source.description == "profile 'dev' (\(Self.credentialsPath))")
    }

    @Test("ignores even half-set environment keys when --profile is given")
    func profileFlagIgnoresPartialEnvironment() throws {
        let found = try resolve(profile: "dev", environment: ["AWS_ACCESS_KEY_ID": "AKIDFROMENV"])
        #expect(found.credentials.accessKeyID == "AKIDDEV")
    }

    @Test(
        "refuses half of an environment key pair, naming the missing variable",
        arguments: [
            (["AWS_ACCESS_KEY_ID": "AKIDEXAMPLE"], "AWS_SECRET_ACCESS_KEY"),
            (["AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": ""], "AWS_SECRET_ACCESS_KEY"),
            (["AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"], "AWS_ACCESS_KEY_ID"),
            (
                ["AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "AWS_SESSION_TOKEN": "t"],
                "AWS_ACCESS_KEY_ID"
            ),
        ])
    func partialEnvironment(environment: [String: String], missing: String) throws {
        let expected = CredentialError.partialCredentials(source: "the environment", missing: missing)
        #expect(throws: expected) { try resolve(environment: environment) }
        #expect(expected.kind == .badInput)
        #expect(!expected.message.contains(Self.secret))
    }

    @Test("reads AWS_SESSION_TOKEN, and AWS_SECURITY_TOKEN before it")
    func sessionTokens() throws {
        let withSession = try resolve(
            environment: Self.envKeys.merging(["AWS_SESSION_TOKEN": Self.token]) { a, _ in a })
        #expect(withSession.credentials.sessionToken == Self.token)
        let withSecurity = try resolve(
            environment: Self.envKeys.merging(["AWS_SECURITY_TOKEN": "legacy-token"]) { a, _ in a })
        #expect(withSecurity.credentials.sessionToken == "legacy-token")
        let withBoth = try resolve(
            environment: Self.envKeys.merging(["AWS_SESSION_TOKEN": Self.token, "AWS_SECURITY_TOKEN": "legacy-token"]) {
                a, _ in a
            })
        #expect(withBoth.credentials.sessionToken == "legacy-token")
        let withEmpty = try resolve(environment: Self.envKeys.merging(["AWS_SESSION_TOKEN": ""]) { a, _ in a })
        #expect(withEmpty.credentials.sessionToken == nil)
    }

    @Test("trims whitespace around the environment's keys")
    func trimsEnvironmentKeys() throws {
        let found = try resolve(environment: [
            "AWS_ACCESS_KEY_ID": " AKIDEXAMPLE\n", "AWS_SECRET_ACCESS_KEY": "\tsecret ",
        ])
        #expect(found.credentials.accessKeyID == "AKIDEXAMPLE")
        #expect(found.credentials.secretAccessKey == "secret")
    }

    @Test(
        "reads AWS_CREDENTIAL_EXPIRATION as an ISO 8601 time",
        arguments: [
            ("2024-01-02T03:04:05Z", 1_704_164_645.0),
            ("2024-01-02T03:04:05+00:00", 1_704_164_645.0),
            ("2024-01-02T04:04:05+01:00", 1_704_164_645.0),
            ("2024-01-02T03:04:05.500Z", 1_704_164_645.5),
        ])
    func credentialExpiration(text: String, seconds: Double) throws {
        let found = try resolve(environment: Self.envKeys.merging(["AWS_CREDENTIAL_EXPIRATION": text]) { a, _ in a })
        #expect(found.credentials.expiration == Date(timeIntervalSince1970: seconds))
    }

    @Test(
        "refuses an AWS_CREDENTIAL_EXPIRATION that is not a time", arguments: ["tomorrow", "1704164645", "2024-01-02"])
    func invalidCredentialExpiration(text: String) throws {
        let error = #expect(throws: CredentialError.self) {
            try resolve(environment: Self.envKeys.merging(["AWS_CREDENTIAL_EXPIRATION": text]) { a, _ in a })
        }
        guard case .invalidValue(let name, let source, _) = error else {
            Issue.record("expected invalidValue, got \(String(describing: error))")
            return
        }
        #expect(name == "AWS_CREDENTIAL_EXPIRATION")
        #expect(source == "the environment")
        #expect(error?.kind == .badInput)
    }

    @Test("takes static keys from the default profile of the credentials file")
    func profileStaticKeys() throws {
        let found = try resolve()
        #expect(found.credentials == AWSCredentials(accessKeyID: Self.keyID, secretAccessKey: Self.secret))
        #expect(found.source.description == "profile 'default' (\(Self.credentialsPath))")
    }

    @Test("takes static keys from a profile of the config file, and names both files when merged")
    func profileKeysInConfig() throws {
        let config = """
            [profile cfg]
            region = eu-west-1
            aws_access_key_id = AKIDCONFIG
            aws_secret_access_key = config/secret
            aws_security_token = legacy-token
            aws_session_token = newer-token
            """
        let found = try resolve(profile: "cfg", config: config)
        #expect(found.credentials.accessKeyID == "AKIDCONFIG")
        #expect(found.credentials.sessionToken == "legacy-token")
        #expect(found.source.description == "profile 'cfg' (\(Self.configPath))")
        let merged = try resolve(
            profile: "dev", config: "[profile dev]\nregion = eu-west-1\naws_access_key_id = AKIDCONFIG\n")
        #expect(merged.credentials.accessKeyID == "AKIDDEV")
        #expect(merged.source.description == "profile 'dev' (\(Self.configPath), \(Self.credentialsPath))")
    }

    @Test(
        "refuses half of a profile's key pair",
        arguments: [
            ("[dev]\naws_access_key_id = AKIDEXAMPLE\n", "aws_secret_access_key"),
            ("[dev]\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n", "aws_access_key_id"),
        ])
    func partialProfile(credentials: String, missing: String) throws {
        #expect(
            throws: CredentialError.partialCredentials(
                source: "profile 'dev' (\(Self.credentialsPath))", missing: missing)
        ) { try resolve(profile: "dev", credentials: credentials) }
    }

    @Test(
        "refuses a profile whose credential source is configured but incomplete, naming what is missing",
        arguments: [
            ("role_arn = arn:aws:iam::123456789012:role/dev", "source_profile or credential_source"),
            ("web_identity_token_file = /var/run/token", "AWS_ROLE_ARN (or role_arn) is missing"),
            ("web_identity_token_file = /var/run/token\nrole_arn = not-an-arn", "arn:PARTITION:iam::ACCOUNT:role/NAME"),
            ("sso_session = corp\nsso_account_id = 123456789012", "[sso-session corp] section"),
            ("sso_account_id = 123456789012", "sso_start_url is missing"),
            ("sso_start_url = https://corp.awsapps.com/start\nsso_role_name = Admin", "sso_region is missing"),
            ("credential_process = 'unterminated", "unterminated"),
            ("login_session = corp", "login_session (aws login)"),
        ])
    func incompleteProfile(keys: String, mentions: String) throws {
        do {
            _ = try resolve(profile: "dev", config: "[profile dev]\n\(keys)\n", credentials: "")
            Issue.record("resolved a broken profile")
        } catch let error as EKSAuthError {
            #expect(error.message.contains(mentions), "\(error.message)")
            #expect(error.kind == .badInput || error.kind == .configuration)
        }
    }

    @Test("an assume-role profile's role wins over its own static keys; an sso_session alone does not")
    func roleARNBeatsStaticKeys() throws {
        let config = """
            [profile dev]
            role_arn = arn:aws:iam::123456789012:role/dev
            aws_access_key_id = AKIDEXAMPLE
            aws_secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
            """
        #expect(
            throws: CredentialError.partialCredentials(
                source: "profile 'dev'", missing: "source_profile or credential_source (for its role_arn)")
        ) {
            try resolve(profile: "dev", config: config, credentials: "")
        }
        let found = try resolve(
            profile: "dev", config: "[profile dev]\nsso_session = corp\n", credentials: Self.credentialsFile)
        #expect(found.credentials.accessKeyID == "AKIDDEV")
    }

    @Test("uses a profile's static keys before its credential_process, as botocore's chain does")
    func staticKeysBeatCredentialProcess() throws {
        let config = "[profile dev]\ncredential_process = /usr/bin/get-creds\n"
        let found = try resolve(profile: "dev", config: config)
        #expect(found.credentials.accessKeyID == "AKIDDEV")
    }

    /// Answers every command with credentials whose key id names the command's first word.
    private struct EchoingRunner: ProcessRunner {
        func run(_ request: ProcessRequest) throws -> ProcessResult {
            let name = request.arguments.first.map { $0.split(separator: "/").last.map(String.init) ?? $0 } ?? ""
            let json = #"{"Version": 1, "AccessKeyId": "AKIDPROC\#(name.uppercased())", "SecretAccessKey": "s"}"#
            return ProcessResult(status: 0, stdout: Array(json.utf8))
        }
    }

    @Test("runs credential_process before static keys of the config file, as botocore's chain does")
    func credentialProcessBeatsConfigFileKeys() throws {
        let config = """
            [profile dev]
            credential_process = /usr/bin/getcreds --for dev
            aws_access_key_id = AKIDCONFIGFILE
            aws_secret_access_key = config/secret
            """
        let env = Environment(["HOME": Self.home])
        let files = InMemoryFileSystem([Self.configPath: config, Self.credentialsPath: ""])
        let settings = try AWSSettings.resolve(profileFlag: "dev", regionFlag: nil, environment: env, fileSystem: files)
        let system = SystemContext(
            environment: env, clock: .fixed(Fixtures.tokenVectorDate), fileSystem: files, processes: EchoingRunner())
        let found = try CredentialChain(settings: settings, system: system).resolve()
        #expect(found.credentials.accessKeyID == "AKIDPROCGETCREDS")
        #expect(found.source.description == "credential_process of profile 'dev'")
    }

    @Test("lists every source it tried when none has credentials")
    func noCredentialsNoProfile() throws {
        let expected = CredentialError.noCredentials(
            tried: [
                SkippedSource(source: .environment, reason: "AWS_ACCESS_KEY_ID not set"),
                SkippedSource(
                    source: .profile("default"), reason: "not in \(Self.configPath) or \(Self.credentialsPath)"),
            ] + Self.machineSources)
        #expect(throws: expected) { try resolve(credentials: "") }
        #expect(expected.kind == .configuration)
        #expect(expected.message.contains("environment: AWS_ACCESS_KEY_ID not set"))
        #expect(expected.message.contains("profile 'default': not in \(Self.configPath)"))
        #expect(expected.hint != nil)
    }

    @Test("lists a profile without keys and an environment turned off by --profile")
    func noCredentialsProfileWithoutKeys() throws {
        #expect(
            throws: CredentialError.noCredentials(
                tried: [
                    SkippedSource(source: .environment, reason: "ignored because --profile was given"),
                    SkippedSource(source: .profile("plain"), reason: "no credentials in it"),
                ] + Self.machineSources)
        ) {
            try resolve(profile: "plain", environment: Self.envKeys, config: "[profile plain]\nregion = eu-west-1\n")
        }
        #expect(
            throws: CredentialError.noCredentials(
                tried: [
                    SkippedSource(source: .environment, reason: "AWS_ACCESS_KEY_ID not set"),
                    SkippedSource(source: .profile("plain"), reason: "no credentials in it"),
                ] + Self.machineSources)
        ) {
            try resolve(environment: ["AWS_PROFILE": "plain"], config: "[profile plain]\nregion = eu-west-1\n")
        }
    }

    @Test("traces each source without a secret")
    func traceHasNoSecrets() throws {
        let lines = TraceLines()
        _ = try resolve(
            environment: [
                "AWS_ACCESS_KEY_ID": Self.keyID, "AWS_SECRET_ACCESS_KEY": Self.secret, "AWS_SESSION_TOKEN": Self.token,
            ],
            tracer: lines.tracer)
        _ = try resolve(profile: "dev", environment: Self.envKeys, tracer: lines.tracer)
        _ = try? resolve(credentials: "", tracer: lines.tracer)
        #expect(!lines.all.isEmpty)
        #expect(lines.all.contains { $0.contains(Self.keyID) })
        for line in lines.all {
            #expect(!line.contains(Self.secret))
            #expect(!line.contains(Self.token))
            #expect(!line.contains("dev/secret+KEY"))
            #expect(!line.contains("dev-session-token"))
            #expect(!line.contains("env/secret+KEY"))
        }
    }
}

@Suite("AWSCredentials")
struct AWSCredentialsTests {
    static let credentials = AWSCredentials(
        accessKeyID: Fixtures.accessKeyID, secretAccessKey: Fixtures.secretAccessKey,
        sessionToken: Fixtures.sessionToken, expiration: Fixtures.tokenVectorDate)

    @Test("never shows the secret key or the session token, however it is printed")
    func redacted() {
        let c = Self.credentials
        let renderings = [
            c.description, c.debugDescription, String(describing: c), String(reflecting: c), "\(c)",
            String(describing: ResolvedCredentials(credentials: c, source: .environment)),
            String(reflecting: ResolvedCredentials(credentials: c, source: .environment)),
            String(describing: [c]), String(describing: Optional(c)),
        ]
        for text in renderings {
            #expect(!text.contains(Fixtures.secretAccessKey))
            #expect(!text.contains(Fixtures.sessionToken))
            #expect(!text.contains("K7MDENG"))
        }
        #expect(
            c.description
                == "AWSCredentials(accessKeyID: AKIDEXAMPLE, secretAccessKey: <redacted>, sessionToken: <redacted>, "
                + "expiration: 2024-01-02T03:04:05Z)")
    }

    @Test("leaves out the session token and expiry when there are none")
    func shortDescription() {
        let c = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: Fixtures.secretAccessKey)
        #expect(c.description == "AWSCredentials(accessKeyID: AKIDEXAMPLE, secretAccessKey: <redacted>)")
    }

    @Test("expires at its expiration instant, and never without one")
    func expiry() {
        let c = Self.credentials
        #expect(!c.isExpired(at: Fixtures.tokenVectorDate.addingTimeInterval(-1)))
        #expect(c.isExpired(at: Fixtures.tokenVectorDate))
        #expect(c.isExpired(at: Fixtures.tokenVectorDate.addingTimeInterval(1)))
        #expect(!AWSCredentials(accessKeyID: "a", secretAccessKey: "b").isExpired(at: .distantFuture))
    }
}

@Suite("TokenService with expired credentials")
struct ExpiredCredentialsTests {
    @Test("refuses credentials whose AWS_CREDENTIAL_EXPIRATION has passed")
    func expired() throws {
        let environment: Environment = [
            "HOME": "/home/u", "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": Fixtures.secretAccessKey,
            "AWS_CREDENTIAL_EXPIRATION": "2024-01-02T03:04:04Z",
        ]
        let system = SystemContext(
            environment: environment, clock: .fixed(Fixtures.tokenVectorDate), fileSystem: InMemoryFileSystem())
        let expected = CredentialError.expired(
            source: "environment variables", at: Date(timeIntervalSince1970: 1_704_164_644))
        #expect(throws: expected) { try TokenService(system: system).token(for: TokenRequest(clusterID: "c")) }
        #expect(expected.kind == .denied)
        #expect(expected.message.contains("2024-01-02T03:04:04Z"))
    }

    @Test("accepts credentials that expire after now")
    func notExpired() throws {
        let environment: Environment = [
            "HOME": "/home/u", "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": Fixtures.secretAccessKey,
            "AWS_CREDENTIAL_EXPIRATION": "2024-01-02T03:04:06Z",
        ]
        let system = SystemContext(
            environment: environment, clock: .fixed(Fixtures.tokenVectorDate), fileSystem: InMemoryFileSystem())
        let result = try TokenService(system: system).token(for: TokenRequest(clusterID: "c"))
        #expect(result.token.value.hasPrefix("k8s-aws-v1."))
        #expect(result.credentialSource == "environment variables")
    }
}
