import EKSAuthTestSupport
import Foundation
import Testing

@testable import AWSConfiguration
@testable import AWSSigning
@testable import AWSTransport
@testable import EKSAuthCore
@testable import EKSAuthSystem

@Suite("IAM Identity Center credentials")
struct SSOCredentialProviderTests {
    static let home = "/home/s"
    static let startURL = "https://my-sso-portal.awsapps.com/start"
    /// SHA-1 of "my-sso", as the AWS CLI names the token cache file of `[sso-session my-sso]`.
    static let sessionTokenPath = "/home/s/.aws/sso/cache/0ad374308c5a4e22f723adf10145eafad7c4031c.json"
    /// SHA-1 of the start URL, the name of a legacy profile's token cache file.
    static let legacyTokenPath = "/home/s/.aws/sso/cache/c7aaaf71fcc8777ae2475525ed049d39fe16c484.json"
    static let accessToken = "sso-access-token-ONE"
    static let refreshToken = "sso-refresh-token-ONE"
    static let clientSecret = "sso-client-secret-XYZ"
    static let secret = "sso/secret+KEY"
    static let sessionToken = "sso-role-session-token"
    static let portalURL =
        "https://portal.sso.us-east-1.amazonaws.com/federation/credentials?account_id=123456789012&role_name=Admin"

    static let config = """
        [profile dev]
        sso_session = my-sso
        sso_account_id = 123456789012
        sso_role_name = Admin
        region = eu-west-1

        [sso-session my-sso]
        sso_start_url = \(startURL)
        sso_region = us-east-1
        sso_registration_scopes = sso:account:access

        [profile legacy]
        sso_start_url = \(startURL)
        sso_region = us-east-1
        sso_account_id = 123456789012
        sso_role_name = ReadOnly
        """

    /// The token cache file `aws sso login` writes; `refreshable` adds the registration fields.
    static func tokenFile(
        accessToken: String = accessToken, expiresAt: String = "2024-01-02T11:04:05Z", refreshable: Bool = false,
        registrationExpiresAt: String = "2024-03-01T00:00:00Z"
    ) -> String {
        var fields = [
            #""startUrl": "\#(startURL)""#, #""region": "us-east-1""#, #""accessToken": "\#(accessToken)""#,
            #""expiresAt": "\#(expiresAt)""#,
        ]
        if refreshable {
            fields += [
                #""refreshToken": "\#(refreshToken)""#, #""clientId": "client-id-123""#,
                #""clientSecret": "\#(clientSecret)""#, #""registrationExpiresAt": "\#(registrationExpiresAt)""#,
                #""futureField": {"kept": true, "n": 3}"#,
            ]
        }
        return "{" + fields.joined(separator: ", ") + "}"
    }

    static func portalReply(expiration: Int64 = 1_704_186_245_000) -> HTTPResponse {
        HTTPResponse(
            status: 200,
            body: Array(
                """
                {"roleCredentials": {"accessKeyId": "ASIASSO", "secretAccessKey": "\(secret)",
                 "sessionToken": "\(sessionToken)", "expiration": \(expiration)}}
                """.utf8))
    }

    struct Setup {
        var system: SystemContext
        var files: InMemoryFileSystem
        var http: FakeHTTPClient
        var trace: Recorder<String>
        var warnings: Recorder<String>
        var sleeps: Recorder<Double>

        func resolve(profile: String = "dev") throws -> ResolvedCredentials {
            let config = try SharedConfig.load(environment: system.environment, fileSystem: files)
            let provider = try SSORole(
                profile: try #require(config.profile(named: profile)), config: config)
            return try provider.credentials(system: system, config: config)
        }

        var portalRequests: [HTTPRequest] { http.requests.filter { $0.url.contains("/federation/credentials") } }
        var refreshRequests: [HTTPRequest] { http.requests.filter { $0.url.hasSuffix("/token") } }
    }

    static func setup(
        config: String = config, token: String? = tokenFile(), at path: String = sessionTokenPath,
        environment: [String: String] = [:],
        answer: @escaping @Sendable (HTTPRequest, Int) throws -> HTTPResponse = { _, _ in portalReply() }
    ) -> Setup {
        var variables = environment
        variables["HOME"] = variables["HOME"] ?? home
        var contents = ["\(home)/.aws/config": config]
        if let token { contents[path] = token }
        let files = InMemoryFileSystem(contents)
        let http = FakeHTTPClient(answer)
        let trace = Recorder<String>()
        let warnings = Recorder<String>()
        let sleeps = Recorder<Double>()
        let system = SystemContext(
            environment: Environment(variables), clock: .fixed(Fixtures.tokenVectorDate), fileSystem: files,
            tracer: Tracer { trace.append($0) }, warn: { warnings.append($0) }, http: { http },
            sleep: { sleeps.append($0) })
        return Setup(system: system, files: files, http: http, trace: trace, warnings: warnings, sleeps: sleeps)
    }

    @Test("names the token cache file by the SHA-1 of the session name, or of the legacy start URL")
    func tokenPaths() throws {
        let config = try SharedConfig.load(
            environment: ["HOME": Self.home], fileSystem: InMemoryFileSystem(["\(Self.home)/.aws/config": Self.config]))
        let session = try SSORole(profile: try #require(config.profile(named: "dev")), config: config)
        #expect(session.tokenPath(home: Self.home) == Self.sessionTokenPath)
        #expect(session.startURL == Self.startURL)
        #expect(session.region == "us-east-1")
        #expect(session.sessionName == "my-sso")
        let legacy = try SSORole(profile: try #require(config.profile(named: "legacy")), config: config)
        #expect(legacy.tokenPath(home: Self.home) == Self.legacyTokenPath)
        #expect(legacy.sessionName == nil)
    }

    @Test("asks the portal for the role's credentials with the bearer token, unsigned")
    func portalRequest() throws {
        let s = Self.setup()
        let found = try s.resolve()
        #expect(
            found.credentials
                == AWSCredentials(
                    accessKeyID: "ASIASSO", secretAccessKey: Self.secret, sessionToken: Self.sessionToken,
                    expiration: Date(timeIntervalSince1970: 1_704_186_245)))
        #expect(
            found.source.description
                == "IAM Identity Center account 123456789012 role Admin (profile 'dev', sso-session 'my-sso')")
        let request = try #require(s.http.requests.first)
        #expect(s.http.requests.count == 1)
        #expect(request.method == "GET")
        #expect(request.url == Self.portalURL)
        #expect(request.header("x-amz-sso_bearer_token") == Self.accessToken)
        #expect(request.header("Authorization") == nil)
        #expect(request.timeout == 10)
    }

    @Test("reads the legacy form's token by start URL and names the start URL as the source")
    func legacyProfile() throws {
        let s = Self.setup(at: Self.legacyTokenPath)
        let found = try s.resolve(profile: "legacy")
        #expect(
            found.source.description
                == "IAM Identity Center account 123456789012 role ReadOnly (profile 'legacy', \(Self.startURL))")
        #expect(s.http.requests.first?.url.hasSuffix("account_id=123456789012&role_name=ReadOnly") == true)
    }

    @Test("reads the expiration as epoch milliseconds")
    func epochMilliseconds() throws {
        let s = Self.setup(answer: { _, _ in Self.portalReply(expiration: 1_704_186_245_500) })
        #expect(try s.resolve().credentials.expiration == Date(timeIntervalSince1970: 1_704_186_245.5))
    }

    @Test(
        "reaches the portal through AWS_ENDPOINT_URL_SSO or AWS_ENDPOINT_URL",
        arguments: [
            (["AWS_ENDPOINT_URL_SSO": "http://127.0.0.1:4566"], "http://127.0.0.1:4566"),
            (["AWS_ENDPOINT_URL": "http://127.0.0.1:4567/"], "http://127.0.0.1:4567"),
            (
                ["AWS_ENDPOINT_URL_SSO": "http://127.0.0.1:4566", "AWS_ENDPOINT_URL": "http://127.0.0.1:4567"],
                "http://127.0.0.1:4566"
            ),
        ])
    func portalOverride(environment: [String: String], base: String) throws {
        let s = Self.setup(environment: environment)
        _ = try s.resolve()
        #expect(
            s.http.requests.first?.url
                == "\(base)/federation/credentials?account_id=123456789012&role_name=Admin")
    }

    @Test("accepts the older expiresAt form ending in UTC")
    func utcSuffix() throws {
        let s = Self.setup(token: Self.tokenFile(expiresAt: "2024-01-02T11:04:05UTC"))
        #expect(try s.resolve().credentials.accessKeyID == "ASIASSO")
        #expect(s.refreshRequests.isEmpty)
    }

    @Test(
        "asks for a new login when the token is expired and cannot be refreshed",
        arguments: [
            (tokenFile(expiresAt: "2024-01-02T03:00:00Z"), "expired at 2024-01-02T03:00:00Z (no refresh token)"),
            (
                tokenFile(
                    expiresAt: "2024-01-02T03:00:00Z", refreshable: true, registrationExpiresAt: "2024-01-01T00:00:00Z"),
                "expired at 2024-01-02T03:00:00Z (the client registration expired)"
            ),
            (
                tokenFile(expiresAt: "2024-01-02T03:00:00Z").replacingOccurrences(
                    of: "}", with: #", "refreshToken": "sso-refresh-token-ONE"}"#),
                "expired at 2024-01-02T03:00:00Z (no client registration to refresh it with)"
            ),
        ])
    func expiredToken(token: String, reason: String) throws {
        let s = Self.setup(token: token)
        let expected = CredentialError.ssoLoginRequired(profile: "dev", reason: reason)
        #expect(throws: expected) { try s.resolve() }
        #expect(expected.kind == .denied)
        #expect(expected.hint?.contains("aws sso login --profile dev") == true)
        #expect(s.http.requests.isEmpty)
        #expect(!expected.message.contains(Self.accessToken) && !expected.message.contains(Self.refreshToken))
    }

    @Test("the legacy form never refreshes, even with a refresh token in the file")
    func legacyNoRefresh() throws {
        let s = Self.setup(
            token: Self.tokenFile(expiresAt: "2024-01-02T03:00:00Z", refreshable: true), at: Self.legacyTokenPath)
        #expect(
            throws: CredentialError.ssoLoginRequired(
                profile: "legacy",
                reason: "expired at 2024-01-02T03:00:00Z (profiles without sso_session cannot be refreshed)")
        ) { try s.resolve(profile: "legacy") }
        #expect(s.http.requests.isEmpty)
    }

    @Test(
        "asks for a login when the token cache is missing or unreadable",
        arguments: [
            (nil as String?, "has no cached token (\(sessionTokenPath))"),
            ("not json", "has an unreadable token cache file (\(sessionTokenPath))"),
            (#"{"expiresAt": "2024-01-02T11:04:05Z"}"#, "has an unreadable token cache file (\(sessionTokenPath))"),
            (
                #"{"accessToken": "", "expiresAt": "2024-01-02T11:04:05Z"}"#,
                "has an unreadable token cache file (\(sessionTokenPath))"
            ),
            (
                #"{"accessToken": "t", "expiresAt": "tomorrow"}"#,
                "has an unreadable token cache file (\(sessionTokenPath))"
            ),
        ])
    func missingToken(token: String?, reason: String) throws {
        let s = Self.setup(token: token)
        let expected = CredentialError.ssoLoginRequired(profile: "dev", reason: reason)
        #expect(throws: expected) { try s.resolve() }
        #expect(expected.hint == "run 'aws sso login --profile dev' and try again")
        #expect(s.http.requests.isEmpty)
    }

    @Test("names a token cache file it may not read")
    func unreadableTokenFile() throws {
        let s = Self.setup()
        s.files.makeUnreadable(Self.sessionTokenPath)
        #expect(
            throws: CredentialError.unreadableFile(
                path: Self.sessionTokenPath, purpose: "the SSO token cache file", reason: "Permission denied")
        ) { try s.resolve() }
    }

    @Test("asks for a login when HOME is not set")
    func noHome() throws {
        let config = try SharedConfig.load(
            environment: ["HOME": Self.home], fileSystem: InMemoryFileSystem(["\(Self.home)/.aws/config": Self.config]))
        let provider = try SSORole(profile: try #require(config.profile(named: "dev")), config: config)
        let system = SystemContext(
            environment: [:], clock: .fixed(Fixtures.tokenVectorDate), fileSystem: InMemoryFileSystem())
        #expect(
            throws: CredentialError.ssoLoginRequired(profile: "dev", reason: "has no token cache (HOME is not set)")
        ) { try provider.credentials(system: system, config: config) }
    }

    /// Answers the OIDC refresh with a new token and the portal with credentials.
    static func refreshing(reply: String) -> @Sendable (HTTPRequest, Int) throws -> HTTPResponse {
        { request, _ in
            if request.url.hasSuffix("/token") { return HTTPResponse(status: 200, body: Array(reply.utf8)) }
            return portalReply()
        }
    }

    @Test(
        "refreshes a token close to or past expiry, writes it back keeping unknown fields, and uses it",
        arguments: ["2024-01-02T03:10:00Z", "2024-01-02T02:00:00Z"])
    func refresh(expiresAt: String) throws {
        let s = Self.setup(
            token: Self.tokenFile(expiresAt: expiresAt, refreshable: true),
            answer: Self.refreshing(
                reply:
                    #"{"accessToken": "sso-access-token-TWO", "expiresIn": 28800, "refreshToken": "sso-refresh-token-TWO", "tokenType": "Bearer"}"#
            ))
        let found = try s.resolve()
        #expect(found.credentials.accessKeyID == "ASIASSO")
        let refresh = try #require(s.refreshRequests.first)
        #expect(s.refreshRequests.count == 1)
        #expect(refresh.method == "POST")
        #expect(refresh.url == "https://oidc.us-east-1.amazonaws.com/token")
        #expect(refresh.header("Content-Type") == "application/json")
        #expect(refresh.header("Authorization") == nil)
        let body = try #require(try JSONSerialization.jsonObject(with: Data(refresh.body)) as? [String: String])
        #expect(
            body == [
                "grantType": "refresh_token", "clientId": "client-id-123", "clientSecret": Self.clientSecret,
                "refreshToken": Self.refreshToken,
            ])
        #expect(s.portalRequests.map { $0.header("x-amz-sso_bearer_token") } == ["sso-access-token-TWO"])
        let written = try #require(s.files.text(of: Self.sessionTokenPath))
        let fields = try #require(try JSONSerialization.jsonObject(with: Data(written.utf8)) as? [String: Any])
        #expect(fields["accessToken"] as? String == "sso-access-token-TWO")
        #expect(fields["expiresAt"] as? String == "2024-01-02T11:04:05Z")
        #expect(fields["refreshToken"] as? String == "sso-refresh-token-TWO")
        #expect(fields["clientId"] as? String == "client-id-123")
        #expect(fields["clientSecret"] as? String == Self.clientSecret)
        #expect(fields["registrationExpiresAt"] as? String == "2024-03-01T00:00:00Z")
        #expect(fields["startUrl"] as? String == Self.startURL)
        #expect(fields["region"] as? String == "us-east-1")
        let future = try #require(fields["futureField"] as? [String: Any])
        #expect(future["kept"] as? Bool == true)
        #expect(future["n"] as? Int == 3)
        #expect(try s.files.status(of: Self.sessionTokenPath)?.mode == 0o600)
        #expect(s.warnings.all.isEmpty)
    }

    @Test("keeps the old refresh token when the refresh answer has none, and refreshes at AWS_ENDPOINT_URL_SSO_OIDC")
    func refreshWithoutNewRefreshToken() throws {
        let s = Self.setup(
            token: Self.tokenFile(expiresAt: "2024-01-02T03:00:00Z", refreshable: true),
            environment: ["AWS_ENDPOINT_URL_SSO_OIDC": "http://127.0.0.1:4566"],
            answer: Self.refreshing(reply: #"{"accessToken": "sso-access-token-TWO", "expiresIn": 3600}"#))
        _ = try s.resolve()
        #expect(s.refreshRequests.map(\.url) == ["http://127.0.0.1:4566/token"])
        let written = try #require(s.files.text(of: Self.sessionTokenPath))
        let fields = try #require(try JSONSerialization.jsonObject(with: Data(written.utf8)) as? [String: Any])
        #expect(fields["refreshToken"] as? String == Self.refreshToken)
        #expect(fields["expiresAt"] as? String == "2024-01-02T04:04:05Z")
    }

    @Test("uses the refreshed token for this run when it cannot be written back, and warns")
    func refreshNotWritten() throws {
        let s = Self.setup(
            token: Self.tokenFile(expiresAt: "2024-01-02T03:00:00Z", refreshable: true),
            answer: Self.refreshing(reply: #"{"accessToken": "sso-access-token-TWO", "expiresIn": 3600}"#))
        s.files.makeWritesFail(Self.sessionTokenPath)
        _ = try s.resolve()
        #expect(s.portalRequests.map { $0.header("x-amz-sso_bearer_token") } == ["sso-access-token-TWO"])
        #expect(s.warnings.all.contains { $0.contains("could not write the refreshed SSO token") })
    }

    @Test("a failed refresh of an expired token asks for a login, without showing the refresh secrets")
    func refreshFails() throws {
        let s = Self.setup(
            token: Self.tokenFile(expiresAt: "2024-01-02T03:00:00Z", refreshable: true),
            answer: { request, _ in
                HTTPResponse(
                    status: 400, headers: [HTTPHeader(name: "x-amzn-ErrorType", value: "InvalidGrantException:")],
                    body: Array(#"{"error": "invalid_grant", "error_description": "Invalid refresh token"}"#.utf8))
            })
        let error = #expect(throws: CredentialError.self) { try s.resolve() }
        guard case .ssoLoginRequired(let profile, let reason)? = error else {
            Issue.record("expected ssoLoginRequired, got \(String(describing: error))")
            return
        }
        #expect(profile == "dev")
        #expect(reason.hasPrefix("expired at 2024-01-02T03:00:00Z (refreshing it failed ("))
        #expect(reason.contains("HTTP 400 InvalidGrantException"))
        #expect(s.portalRequests.isEmpty)
        let text = (error?.message ?? "") + (error?.hint ?? "")
        for secret in [Self.accessToken, Self.refreshToken, Self.clientSecret] { #expect(!text.contains(secret)) }
    }

    @Test("a failed refresh of a token that is still valid uses the old token and says why")
    func refreshFailsTokenStillValid() throws {
        let s = Self.setup(
            token: Self.tokenFile(expiresAt: "2024-01-02T03:10:00Z", refreshable: true),
            answer: { request, _ in
                if request.url.hasSuffix("/token") { throw HTTPTransportError.connectionFailed("connection refused") }
                return Self.portalReply()
            })
        _ = try s.resolve()
        #expect(s.portalRequests.map { $0.header("x-amz-sso_bearer_token") } == [Self.accessToken])
        #expect(
            s.trace.all.contains {
                $0.hasPrefix(
                    "credentials: the IAM Identity Center token expires soon and was not refreshed: refreshing it failed"
                )
            })
        #expect(s.files.text(of: Self.sessionTokenPath)?.contains(Self.accessToken) == true)
    }

    @Test("a portal 401 asks for a new login")
    func portalUnauthorized() throws {
        let s = Self.setup(answer: { _, _ in
            HTTPResponse(
                status: 401,
                headers: [
                    HTTPHeader(name: "x-amzn-ErrorType", value: "UnauthorizedException:http://internal.amazon.com/")
                ],
                body: Array(#"{"message": "Session token not found or invalid"}"#.utf8))
        })
        let expected = CredentialError.ssoLoginRequired(
            profile: "dev",
            reason: "was refused by the portal (UnauthorizedException: Session token not found or invalid)")
        #expect(throws: expected) { try s.resolve() }
        #expect(expected.hint?.contains("aws sso login --profile dev") == true)
        #expect(s.http.requests.count == 1)
    }

    @Test("a portal 403 is a refusal naming the account and role")
    func portalForbidden() throws {
        let s = Self.setup(answer: { _, _ in
            HTTPResponse(
                status: 403, headers: [HTTPHeader(name: "x-amzn-ErrorType", value: "ForbiddenException")],
                body: Array(#"{"message": "No access"}"#.utf8))
        })
        let expected = CredentialError.endpointRefused(
            source: "the IAM Identity Center portal https://portal.sso.us-east-1.amazonaws.com",
            reason: "HTTP 403 ForbiddenException: No access for account 123456789012 role Admin")
        #expect(throws: expected) { try s.resolve() }
        #expect(expected.kind == .denied)
    }

    @Test("retries throttling, server errors and transport errors, up to 3 attempts", arguments: [429, 500, 503])
    func retries(status: Int) throws {
        let recovering = Self.setup(answer: { _, attempt in
            attempt < 3
                ? HTTPResponse(status: status, body: Array(#"{"message": "slow down"}"#.utf8)) : Self.portalReply()
        })
        #expect(try recovering.resolve().credentials.accessKeyID == "ASIASSO")
        #expect(recovering.http.requests.count == 3)
        #expect(recovering.sleeps.all == [0.5, 1.0])
        let failing = Self.setup(answer: { _, _ in
            HTTPResponse(status: status, body: Array(#"{"message": "slow down"}"#.utf8))
        })
        let expected = CredentialError.endpointFailed(
            source: "the IAM Identity Center portal https://portal.sso.us-east-1.amazonaws.com",
            reason: "HTTP \(status) slow down (after 3 attempts)")
        #expect(throws: expected) { try failing.resolve() }
        #expect(expected.kind == .unavailable)
        #expect(failing.http.requests.count == 3)
        let unreachable = Self.setup(answer: { _, _ in throw HTTPTransportError.timedOut })
        #expect(
            throws: CredentialError.endpointFailed(
                source: "the IAM Identity Center portal https://portal.sso.us-east-1.amazonaws.com",
                reason: "no answer within 10 s (after 3 attempts)")
        ) { try unreachable.resolve() }
    }

    @Test("an answer without role credentials fails at once")
    func badReply() throws {
        let s = Self.setup(answer: { _, _ in HTTPResponse(status: 200, body: Array(#"{"roleCredentials": {}}"#.utf8)) })
        #expect(
            throws: CredentialError.endpointFailed(
                source: "the IAM Identity Center portal https://portal.sso.us-east-1.amazonaws.com",
                reason: "the answer holds no role credentials")
        ) { try s.resolve() }
        #expect(s.http.requests.count == 1)
    }

    @Test(
        "refuses profile values that disagree with the [sso-session] section, and accepts ones that agree",
        arguments: [
            ("sso_start_url = https://other.awsapps.com/start", "sso_start_url"),
            ("sso_region = eu-west-1", "sso_region"),
        ])
    func disagreeingValues(line: String, key: String) throws {
        let config = Self.config.replacingOccurrences(
            of: "sso_role_name = Admin\n", with: "sso_role_name = Admin\n\(line)\n")
        let s = Self.setup(config: config)
        let expected = CredentialError.invalidValue(
            name: key, source: "profile 'dev' (/home/s/.aws/config:5)",
            expected: "the value of [sso-session my-sso] (or none)")
        #expect(throws: expected) { try s.resolve() }
        #expect(expected.kind == .badInput)
        let agreeing = Self.config.replacingOccurrences(
            of: "sso_role_name = Admin\n",
            with: "sso_role_name = Admin\nsso_start_url = \(Self.startURL)\nsso_region = us-east-1\n")
        #expect(try Self.setup(config: agreeing).resolve().credentials.accessKeyID == "ASIASSO")
    }

    @Test(
        "refuses an incomplete [sso-session] section or profile",
        arguments: [
            (
                "sso_start_url = \(startURL)\nsso_region = us-east-1\nsso_registration_scopes",
                "sso_region = us-east-1\nsso_registration_scopes",
                CredentialError.partialCredentials(source: "[sso-session my-sso]", missing: "sso_start_url")
            ),
            (
                "sso_region = us-east-1\n", "",
                CredentialError.partialCredentials(source: "[sso-session my-sso]", missing: "sso_region")
            ),
            (
                "sso_role_name = Admin\n", "",
                CredentialError.partialCredentials(source: "profile 'dev'", missing: "sso_role_name")
            ),
            (
                "sso_region = us-east-1\n", "sso_region = not a region\n",
                CredentialError.invalidValue(name: "sso_region", source: "profile 'dev'", expected: "a region name")
            ),
        ])
    func incomplete(remove: String, replacement: String, expected: CredentialError) throws {
        let s = Self.setup(config: Self.config.replacingOccurrences(of: remove, with: replacement))
        #expect(throws: expected) { try s.resolve() }
    }

    @Test("a cached session skips the portal")
    func cacheHit() throws {
        let s = Self.setup()
        let first = try s.resolve()
        let second = try s.resolve()
        #expect(first == second)
        #expect(s.http.requests.count == 1)
        #expect(s.trace.all.contains { $0.hasPrefix("cache: hit ") })
    }

    @Test("a new login (a new access token) misses the cache")
    func newLoginMisses() throws {
        let s = Self.setup()
        _ = try s.resolve()
        s.files.write(Self.tokenFile(accessToken: "sso-access-token-NEWLOGIN"), to: Self.sessionTokenPath)
        _ = try s.resolve()
        #expect(
            s.portalRequests.map { $0.header("x-amz-sso_bearer_token") } == [
                Self.accessToken, "sso-access-token-NEWLOGIN",
            ])
    }

    /// A file system on which another process refreshes the token while this one waits for the lock.
    final class RefreshedElsewhere: FileSystem {
        let base: InMemoryFileSystem
        let newToken: String
        init(_ base: InMemoryFileSystem, newToken: String) {
            self.base = base
            self.newToken = newToken
        }
        var currentUserID: UInt32 { base.currentUserID }
        func read(_ path: String) throws -> [UInt8]? { try base.read(path) }
        func status(of path: String) throws -> FileStatus? { try base.status(of: path) }
        func createDirectory(_ path: String, mode: UInt16) throws { try base.createDirectory(path, mode: mode) }
        func writeAtomically(_ bytes: [UInt8], to path: String, mode: UInt16) throws {
            try base.writeAtomically(bytes, to: path, mode: mode)
        }
        func remove(_ path: String) throws { try base.remove(path) }
        func contents(of directory: String) throws -> [String] { try base.contents(of: directory) }
        func withExclusiveLock<T>(_ lockPath: String, timeout: Double, _ body: () throws -> T) throws -> T? {
            base.write(
                SSOCredentialProviderTests.tokenFile(accessToken: newToken, refreshable: true),
                to: SSOCredentialProviderTests.sessionTokenPath)
            return try base.withExclusiveLock(lockPath, timeout: timeout, body)
        }
    }

    @Test("uses the token another process refreshed while it waited, without refreshing again")
    func refreshedByAnotherProcess() throws {
        let s = Self.setup(token: Self.tokenFile(expiresAt: "2024-01-02T03:10:00Z", refreshable: true))
        var system = s.system
        system.fileSystem = RefreshedElsewhere(s.files, newToken: "sso-access-token-OTHER")
        let config = try SharedConfig.load(environment: system.environment, fileSystem: s.files)
        let provider = try SSORole(profile: try #require(config.profile(named: "dev")), config: config)
        _ = try provider.credentials(system: system, config: config)
        #expect(s.refreshRequests.isEmpty)
        #expect(s.portalRequests.map { $0.header("x-amz-sso_bearer_token") } == ["sso-access-token-OTHER"])
        #expect(s.trace.all.contains("credentials: the IAM Identity Center token was refreshed by another process"))
    }

    @Test("never traces, warns or caches under a name holding the SSO tokens or the role's secrets")
    func noSecrets() throws {
        let s = Self.setup(
            token: Self.tokenFile(expiresAt: "2024-01-02T03:00:00Z", refreshable: true),
            answer: Self.refreshing(reply: #"{"accessToken": "sso-access-token-TWO", "expiresIn": 3600}"#))
        _ = try s.resolve()
        _ = try s.resolve()
        #expect(!s.trace.all.isEmpty)
        let secrets = [
            Self.accessToken, "sso-access-token-TWO", Self.refreshToken, Self.clientSecret, Self.secret,
            Self.sessionToken,
        ]
        for line in s.trace.all + s.warnings.all {
            for secret in secrets { #expect(!line.contains(secret), "\(line)") }
        }
    }
}
