import EKSAuthTestSupport
import Foundation
import Testing

@testable import AWSConfiguration
@testable import AWSSigning
@testable import AWSTransport
@testable import EKSAuthCore
@testable import EKSAuthSystem

@Suite("Web identity credentials")
struct WebIdentityProviderTests {
    static let home = "/home/w"
    static let tokenPath = "/var/run/secrets/eks.amazonaws.com/serviceaccount/token"
    static let webToken = "eyJhbGciOiJSUzI1NiJ9.web-identity-token-ONE.sig_nature"
    static let roleARN = "arn:aws:iam::123456789012:role/irsa-role"
    static let secret = "web/secret+KEY"
    static let sessionToken = "web-session-token"
    static let irsaEnvironment = [
        "AWS_WEB_IDENTITY_TOKEN_FILE": tokenPath, "AWS_ROLE_ARN": roleARN, "AWS_ROLE_SESSION_NAME": "pod-session",
    ]

    static func reply(expiration: String = "2024-01-02T04:04:05Z") -> HTTPResponse {
        HTTPResponse(
            status: 200,
            body: Array(
                """
                <AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
                  <AssumeRoleWithWebIdentityResult>
                    <SubjectFromWebIdentityToken>system:serviceaccount:default:app</SubjectFromWebIdentityToken>
                    <AssumedRoleUser>
                      <Arn>arn:aws:sts::123456789012:assumed-role/irsa-role/pod-session</Arn>
                      <AssumedRoleId>AROAEXAMPLE:pod-session</AssumedRoleId>
                    </AssumedRoleUser>
                    <Credentials>
                      <AccessKeyId>ASIAWEBIDENTITY</AccessKeyId>
                      <SecretAccessKey>\(secret)</SecretAccessKey>
                      <SessionToken>\(sessionToken)</SessionToken>
                      <Expiration>\(expiration)</Expiration>
                    </Credentials>
                  </AssumeRoleWithWebIdentityResult>
                </AssumeRoleWithWebIdentityResponse>
                """.utf8))
    }

    struct Setup {
        var system: SystemContext
        var files: InMemoryFileSystem
        var http: FakeHTTPClient
        var trace: Recorder<String>
        var warnings: Recorder<String>

        func settings(profile: String? = nil) throws -> AWSSettings {
            try AWSSettings.resolve(
                profileFlag: profile, regionFlag: nil, environment: system.environment, fileSystem: system.fileSystem)
        }

        /// The chain's credentials.
        func resolve(profile: String? = nil) throws -> ResolvedCredentials {
            try CredentialChain(settings: try settings(profile: profile), system: system).resolve()
        }

        /// The form fields of each STS request.
        var forms: [[String: String]] {
            http.requests.map { request in
                var fields: [String: String] = [:]
                for pair in String(decoding: request.body, as: UTF8.self).split(separator: "&") {
                    let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                    fields[parts[0]] = (parts.count > 1 ? parts[1] : "").removingPercentEncoding
                }
                return fields
            }
        }
    }

    static func setup(
        environment: [String: String] = irsaEnvironment, config: String = "", token: String? = webToken,
        answer: @escaping @Sendable (HTTPRequest) throws -> HTTPResponse = { _ in reply() }
    ) -> Setup {
        var variables = environment
        variables["HOME"] = home
        variables["AWS_REGION"] = variables["AWS_REGION"] ?? "eu-west-1"
        var contents = ["\(home)/.aws/config": config]
        if let token { contents[tokenPath] = token }
        let files = InMemoryFileSystem(contents)
        let http = FakeHTTPClient { request, _ in try answer(request) }
        let trace = Recorder<String>()
        let warnings = Recorder<String>()
        let system = SystemContext(
            environment: Environment(variables), clock: .fixed(Fixtures.tokenVectorDate), fileSystem: files,
            tracer: Tracer { trace.append($0) }, warn: { warnings.append($0) }, http: { http })
        return Setup(system: system, files: files, http: http, trace: trace, warnings: warnings)
    }

    @Test("calls AssumeRoleWithWebIdentity unsigned, with the role, session name and token from the file")
    func unsignedRequest() throws {
        let s = Self.setup()
        let found = try s.resolve()
        #expect(
            found.credentials
                == AWSCredentials(
                    accessKeyID: "ASIAWEBIDENTITY", secretAccessKey: Self.secret, sessionToken: Self.sessionToken,
                    expiration: Date(timeIntervalSince1970: 1_704_168_245)))
        #expect(
            found.source.description
                == "web identity arn:aws:sts::123456789012:assumed-role/irsa-role/pod-session (token file "
                + "\(Self.tokenPath), from AWS_WEB_IDENTITY_TOKEN_FILE)")
        let request = try #require(s.http.requests.first)
        #expect(s.http.requests.count == 1)
        #expect(request.method == "POST")
        #expect(request.url == "https://sts.eu-west-1.amazonaws.com/")
        #expect(request.header("Authorization") == nil)
        #expect(request.header("X-Amz-Security-Token") == nil)
        #expect(request.header("X-Amz-Date") == nil)
        let form = try #require(s.forms.first)
        #expect(form["Action"] == "AssumeRoleWithWebIdentity")
        #expect(form["Version"] == "2011-06-15")
        #expect(form["RoleArn"] == Self.roleARN)
        #expect(form["RoleSessionName"] == "pod-session")
        #expect(form["WebIdentityToken"] == Self.webToken)
    }

    @Test("derives a session name from the clock when none is configured")
    func defaultSessionName() throws {
        let s = Self.setup(environment: ["AWS_WEB_IDENTITY_TOKEN_FILE": Self.tokenPath, "AWS_ROLE_ARN": Self.roleARN])
        _ = try s.resolve()
        #expect(s.forms.first?["RoleSessionName"] == "eks-auth-1704164645")
    }

    @Test("reaches STS through AWS_ENDPOINT_URL_STS")
    func endpointOverride() throws {
        var env = Self.irsaEnvironment
        env["AWS_ENDPOINT_URL_STS"] = "http://127.0.0.1:5000"
        let s = Self.setup(environment: env)
        _ = try s.resolve()
        #expect(s.http.requests.first?.url == "http://127.0.0.1:5000/")
    }

    @Test("a cached session makes no second STS call")
    func cacheHit() throws {
        let s = Self.setup()
        let first = try s.resolve()
        let second = try s.resolve()
        #expect(first == second)
        #expect(s.http.requests.count == 1)
        #expect(s.trace.all.contains { $0.hasPrefix("cache: hit ") && $0.contains("web identity \(Self.roleARN)") })
    }

    @Test("reads the token file again for every STS call")
    func tokenReread() throws {
        // A session that expires within the refresh window is not reused, so each resolution calls STS.
        let s = Self.setup(answer: { _ in Self.reply(expiration: "2024-01-02T03:10:00Z") })
        _ = try s.resolve()
        s.files.write("second-web-identity-token", to: Self.tokenPath)
        _ = try s.resolve()
        #expect(s.forms.map { $0["WebIdentityToken"] } == [Self.webToken, "second-web-identity-token"])
    }

    @Test("a fresh cache directory calls STS again with the token the file holds now")
    func tokenRereadFreshCache() throws {
        let s = Self.setup()
        _ = try s.resolve()
        s.files.write("rotated-web-identity-token\n", to: Self.tokenPath)
        var env = s.system.environment
        env.variables["EKS_AUTH_CACHE_DIR"] = "/tmp/other-cache"
        var system = s.system
        system.environment = env
        let settings = try AWSSettings.resolve(
            profileFlag: nil, regionFlag: nil, environment: env, fileSystem: s.files)
        _ = try CredentialChain(settings: settings, system: system).resolve()
        #expect(s.forms.map { $0["WebIdentityToken"] } == [Self.webToken, "rotated-web-identity-token"])
    }

    @Test(
        "fails naming the token file when it cannot be read, before any STS call",
        arguments: [
            (nil, false, "no such file"),
            ("x", true, "Permission denied"),
            ("  \n", false, "it holds no token (4 to 20000 characters)"),
            ("abc", false, "it holds no token (4 to 20000 characters)"),
        ])
    func unreadableToken(content: String?, unreadable: Bool, reason: String) throws {
        let s = Self.setup(token: content)
        if unreadable { s.files.makeUnreadable(Self.tokenPath) }
        let expected = CredentialError.unreadableFile(
            path: Self.tokenPath, purpose: "the web identity token file", reason: reason)
        #expect(throws: expected) { try s.resolve() }
        #expect(expected.kind == .badInput)
        #expect(expected.message.contains(Self.tokenPath))
        #expect(s.http.requests.isEmpty)
    }

    @Test("an STS refusal is a denial whose message holds no token or secret")
    func accessDenied() throws {
        let s = Self.setup(answer: { _ in
            STSReplies.error(
                status: 403, code: "AccessDenied", message: "Not authorized to perform sts:AssumeRoleWithWebIdentity")
        })
        let error = #expect(throws: AWSServiceError.self) { try s.resolve() }
        #expect(error?.kind == .denied)
        let message = error?.message ?? ""
        #expect(message.contains(Self.roleARN))
        #expect(!message.contains(Self.webToken))
    }

    @Test(
        "takes each setting from the environment or the profile, the variable winning key by key",
        arguments: [
            (
                ["AWS_WEB_IDENTITY_TOKEN_FILE": "/env/token"],
                [
                    "web_identity_token_file": "/profile/token",
                    "role_arn": "arn:aws:iam::111111111111:role/profile-role",
                ],
                true, "/env/token", "arn:aws:iam::111111111111:role/profile-role", nil as String?,
                "AWS_WEB_IDENTITY_TOKEN_FILE"
            ),
            (
                ["AWS_ROLE_ARN": "arn:aws:iam::222222222222:role/env-role", "AWS_ROLE_SESSION_NAME": "env-session"],
                [
                    "web_identity_token_file": "/profile/token",
                    "role_arn": "arn:aws:iam::111111111111:role/profile-role",
                ],
                true, "/profile/token", "arn:aws:iam::222222222222:role/env-role", "env-session", "profile 'dev'"
            ),
            (
                [
                    "AWS_WEB_IDENTITY_TOKEN_FILE": "/env/token",
                    "AWS_ROLE_ARN": "arn:aws:iam::222222222222:role/env-role",
                    "AWS_ROLE_SESSION_NAME": "env-session",
                ],
                [
                    "web_identity_token_file": "/profile/token",
                    "role_arn": "arn:aws:iam::111111111111:role/profile-role",
                    "role_session_name": "profile-session",
                ],
                false, "/profile/token", "arn:aws:iam::111111111111:role/profile-role", "profile-session",
                "profile 'dev'"
            ),
            (
                ["AWS_WEB_IDENTITY_TOKEN_FILE": "~/token", "AWS_ROLE_ARN": "arn:aws:iam::222222222222:role/env-role"],
                [:], true, "/home/w/token", "arn:aws:iam::222222222222:role/env-role", nil,
                "AWS_WEB_IDENTITY_TOKEN_FILE"
            ),
        ])
    func settingsPerKey(
        environment: [String: String], profile: [String: String], useEnvironment: Bool, file: String, role: String,
        session: String?, origin: String
    ) throws {
        var variables = environment
        variables["HOME"] = Self.home
        let provider = try #require(
            try WebIdentityRole.configured(
                profile: Profile(name: "dev", values: profile.mapValues { .string($0) }),
                environment: Environment(variables), useEnvironment: useEnvironment, profileName: "dev"))
        #expect(provider.tokenFile == file)
        #expect(provider.roleARN == role)
        #expect(provider.sessionName == session)
        #expect(provider.origin == origin)
        #expect(provider.profileName == "dev")
    }

    @Test("is not configured without a token file, and ignores the environment when told to")
    func notConfigured() throws {
        #expect(
            try WebIdentityRole.configured(
                profile: nil, environment: ["AWS_ROLE_ARN": Self.roleARN], useEnvironment: true, profileName: "default")
                == nil)
        #expect(
            try WebIdentityRole.configured(
                profile: nil, environment: Environment(Self.irsaEnvironment), useEnvironment: false,
                profileName: "default") == nil)
    }

    @Test(
        "refuses a missing or malformed role and a bad session name",
        arguments: [
            (
                ["AWS_WEB_IDENTITY_TOKEN_FILE": "/t"],
                CredentialError.partialCredentials(
                    source: "the web identity settings (AWS_WEB_IDENTITY_TOKEN_FILE)",
                    missing: "AWS_ROLE_ARN (or role_arn)")
            ),
            (
                ["AWS_WEB_IDENTITY_TOKEN_FILE": "/t", "AWS_ROLE_ARN": "irsa-role"],
                CredentialError.invalidValue(
                    name: "role ARN", source: "the web identity settings (AWS_WEB_IDENTITY_TOKEN_FILE)",
                    expected: "arn:PARTITION:iam::ACCOUNT:role/NAME")
            ),
            (
                [
                    "AWS_WEB_IDENTITY_TOKEN_FILE": "/t", "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/irsa-role",
                    "AWS_ROLE_SESSION_NAME": "has space",
                ],
                CredentialError.invalidValue(
                    name: "role session name", source: "the web identity settings (AWS_WEB_IDENTITY_TOKEN_FILE)",
                    expected: "2-64 characters of letters, digits and _+=,.@-")
            ),
        ])
    func badSettings(environment: [String: String], expected: CredentialError) throws {
        #expect(throws: expected) {
            try WebIdentityRole.configured(
                profile: nil, environment: Environment(environment), useEnvironment: true, profileName: "default")
        }
        #expect(expected.kind == .badInput)
    }

    @Test("a profile's own web identity settings are used with --profile")
    func profileWebIdentity() throws {
        let config = """
            [profile ci]
            web_identity_token_file = \(Self.tokenPath)
            role_arn = arn:aws:iam::123456789012:role/ci-role
            role_session_name = ci-run
            """
        let s = Self.setup(environment: [:], config: config)
        let found = try s.resolve(profile: "ci")
        #expect(found.credentials.accessKeyID == "ASIAWEBIDENTITY")
        #expect(
            found.source.description.hasSuffix(
                "(token file \(Self.tokenPath), from profile 'ci' (/home/w/.aws/config:2))"))
        #expect(s.forms.first?["RoleArn"] == "arn:aws:iam::123456789012:role/ci-role")
        #expect(s.forms.first?["RoleSessionName"] == "ci-run")
    }

    @Test("never traces or warns with the web identity token or the session's secrets")
    func noSecrets() throws {
        let s = Self.setup()
        _ = try s.resolve()
        _ = try s.resolve()
        #expect(!s.trace.all.isEmpty)
        for line in s.trace.all + s.warnings.all {
            #expect(!line.contains(Self.webToken))
            #expect(!line.contains(Self.secret))
            #expect(!line.contains(Self.sessionToken))
        }
    }
}
