import EKSAuthTestSupport
import Foundation
import Synchronization
import Testing

@testable import AWSConfiguration
@testable import AWSSigning
@testable import AWSTransport
@testable import EKSAuthCore
@testable import EKSAuthSystem

@Suite("IAM Identity Center login (device authorization)")
struct SSODeviceLoginTests {
    typealias Base = SSOCredentialProviderTests
    /// Where the AWS CLI v2 caches the registration of `[sso-session my-sso]` with scope
    /// `sso:account:access`: SHA-1 of Python's `json.dumps({...}, sort_keys=True)`, computed with Python.
    static let registrationPath = "/home/s/.aws/sso/cache/c5cfae6e3e4f067423a532368c8b514b6a4b0ace.json"
    static let oidc = "https://oidc.us-east-1.amazonaws.com"

    static func json(_ status: Int, _ text: String) -> HTTPResponse {
        HTTPResponse(status: status, body: Array(text.utf8))
    }

    static let registered = json(
        200,
        #"{"clientId":"new-client","clientSecret":"new-secret","clientIdIssuedAt":1704186245,"clientSecretExpiresAt":1711962245}"#
    )
    static let authorization = json(
        200,
        #"{"deviceCode":"device-1","userCode":"ABCD-EFGH","verificationUri":"https://device.sso.us-east-1.amazonaws.com/","verificationUriComplete":"https://device.sso.us-east-1.amazonaws.com/?user_code=ABCD-EFGH","expiresIn":600,"interval":1}"#
    )
    static let created = json(
        200, #"{"accessToken":"logged-in-token","tokenType":"Bearer","expiresIn":28800,"refreshToken":"new-refresh"}"#)
    static func pollError(_ code: String) -> HTTPResponse {
        json(400, #"{"error":"\#(code)","error_description":"x"}"#)
    }

    /// A world where the cached token expired, a person is at the terminal, and the OIDC service answers
    /// CreateToken polls with `polls` in turn; the clock moves on by each sleep.
    struct World {
        var setup: Base.Setup
        var notices: Recorder<String>
        var processes: FakeProcessRunner

        func resolve(profile: String = "dev") throws -> ResolvedCredentials { try setup.resolve(profile: profile) }
        var calls: [String] {
            setup.http.requests.map { request in
                request.url.hasPrefix(SSODeviceLoginTests.oidc)
                    ? String(request.url.dropFirst(SSODeviceLoginTests.oidc.count)) : "portal"
            }
        }
    }

    /// The token `aws sso login` left, expired a day before the test's clock.
    static let expiredToken = Base.tokenFile(expiresAt: "2024-01-01T00:00:00Z")

    static func world(
        polls: [HTTPResponse] = [created], token: String? = expiredToken, interactive: Bool = true,
        environment: [String: String] = [:], files extra: [String: String] = [:],
        portal: @escaping @Sendable (HTTPRequest) -> HTTPResponse = { _ in Base.portalReply() }
    ) -> World {
        let pollIndex = Mutex(0)
        var setup = Base.setup(token: token, environment: environment) { request, _ in
            if request.url.hasSuffix("/client/register") { return registered }
            if request.url.hasSuffix("/device_authorization") { return authorization }
            if request.url.hasSuffix("/token") {
                let index = pollIndex.withLock { index in
                    defer { index += 1 }
                    return index
                }
                return polls[min(index, polls.count - 1)]
            }
            return portal(request)
        }
        for (path, text) in extra { setup.files.write(text, to: path) }
        let notices = Recorder<String>()
        let processes = FakeProcessRunner { _ in ProcessResult(status: 0) }
        let slept = setup.sleeps
        let start = Fixtures.tokenVectorDate
        setup.system.clock = WallClock { start.addingTimeInterval(slept.all.reduce(0, +)) }
        setup.system.notice = { message, _ in notices.append(message) }
        setup.system.terminal = Terminal(stdinIsTerminal: interactive) { _ in nil }
        setup.system.processes = processes
        return World(setup: setup, notices: notices, processes: processes)
    }

    @Test("an expired token, at a terminal: registers, authorizes, polls with slow_down, writes the AWS CLI's files")
    func fullLogin() throws {
        let world = Self.world(polls: [
            Self.pollError("authorization_pending"), Self.pollError("slow_down"), Self.created,
        ])
        let resolved = try world.resolve()
        #expect(resolved.credentials.accessKeyID == "ASIASSO")
        #expect(world.calls == ["/client/register", "/device_authorization", "/token", "/token", "/token", "portal"])
        // The interval given (1 s), then 5 s more after slow_down.
        #expect(world.setup.sleeps.all == [1, 6])
        let portal = try #require(world.setup.portalRequests.last)
        #expect(portal.headers.first { $0.name == "x-amz-sso_bearer_token" }?.value == "logged-in-token")
        let register = try #require(world.setup.http.requests.first)
        let registerBody = try JSONSerialization.jsonObject(with: Data(register.body)) as? [String: Any]
        #expect(registerBody?["clientType"] as? String == "public")
        #expect(registerBody?["scopes"] as? [String] == ["sso:account:access"])
        let poll = try #require(world.setup.http.requests.first { $0.url.hasSuffix("/token") })
        let pollBody = try JSONSerialization.jsonObject(with: Data(poll.body)) as? [String: String]
        #expect(
            pollBody == [
                "grantType": "urn:ietf:params:oauth:grant-type:device_code", "clientId": "new-client",
                "clientSecret": "new-secret", "deviceCode": "device-1",
            ])

        let written = try #require(try world.setup.files.read(Base.sessionTokenPath))
        let token = try #require(try JSONSerialization.jsonObject(with: Data(written)) as? [String: String])
        // 1 + 6 s of polling after the fixed start, then 8 hours.
        #expect(
            token == [
                "startUrl": Base.startURL, "region": "us-east-1", "accessToken": "logged-in-token",
                "expiresAt": Timestamp.rfc3339(Fixtures.tokenVectorDate.addingTimeInterval(7 + 28800)),
                "clientId": "new-client", "clientSecret": "new-secret",
                "registrationExpiresAt": Timestamp.rfc3339(Date(timeIntervalSince1970: 1_711_962_245)),
                "refreshToken": "new-refresh",
            ])
        #expect(try world.setup.files.status(of: Base.sessionTokenPath)?.mode == 0o600)
        let registration = try #require(try world.setup.files.read(Self.registrationPath))
        let fields = try #require(try JSONSerialization.jsonObject(with: Data(registration)) as? [String: Any])
        #expect(fields["clientId"] as? String == "new-client")
        #expect(fields["scopes"] as? [String] == ["sso:account:access"])
        let notices = world.notices.all.joined(separator: "\n")
        #expect(notices.contains("open https://device.sso.us-east-1.amazonaws.com/?user_code=ABCD-EFGH"))
        #expect(notices.contains("the code ABCD-EFGH"))
        #expect(notices.contains("logged in to IAM Identity Center"))
        // No DISPLAY: no browser.
        #expect(world.processes.requests.isEmpty)
        #expect(!notices.contains("new-secret") && !notices.contains("logged-in-token"))
    }

    @Test("not interactive, or EKS_AUTH_NO_SSO_LOGIN set: today's remedy, and no call to sso-oidc")
    func notInteractive() throws {
        for (interactive, environment) in [
            (false, [:]), (true, ["EKS_AUTH_NO_SSO_LOGIN": "1"]),
            (
                false,
                [
                    "KUBERNETES_EXEC_INFO":
                        #"{"apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":false}}"#
                ]
            ),
        ] {
            let world = Self.world(interactive: interactive, environment: environment)
            #expect(throws: CredentialError.self) { try world.resolve() }
            do {
                _ = try world.resolve()
            } catch let error as CredentialError {
                guard case .ssoLoginRequired = error else { Issue.record("got \(error)"); continue }
                #expect(error.hint == "run 'aws sso login --profile dev' and try again")
            }
            #expect(world.calls.allSatisfy { !$0.hasPrefix("/") })
        }
    }

    @Test("kubectl's KUBERNETES_EXEC_INFO interactive: true lets it log in without a terminal")
    func interactiveUnderKubectl() throws {
        let world = Self.world(
            interactive: false,
            environment: [
                "KUBERNETES_EXEC_INFO": #"{"apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":true}}"#
            ])
        _ = try world.resolve()
        #expect(world.calls.contains("/device_authorization"))
    }

    @Test("a missing token file logs in too")
    func missingToken() throws {
        let world = Self.world(token: nil)
        _ = try world.resolve()
        #expect(try world.setup.files.read(Base.sessionTokenPath) != nil)
    }

    @Test("denied in the browser, or the code expired: ssoLoginFailed, and the token file is left as it was")
    func deniedOrExpired() throws {
        for (code, reason) in [
            ("access_denied", "was denied in the browser"),
            ("expired_token", "was not approved before its code expired"),
        ] {
            let world = Self.world(polls: [Self.pollError("authorization_pending"), Self.pollError(code)])
            #expect(throws: CredentialError.ssoLoginFailed(profile: "dev", reason: reason)) { try world.resolve() }
            #expect(try world.setup.files.read(Base.sessionTokenPath) == Array(Self.expiredToken.utf8))
        }
    }

    @Test("polling stops when the device code's lifetime is over, even if the service keeps saying pending")
    func deadline() throws {
        let world = Self.world(polls: [Self.pollError("authorization_pending")])
        #expect(
            throws: CredentialError.ssoLoginFailed(
                profile: "dev", reason: "was not approved before its code expired (after 9 min 59 s)")
        ) { try world.resolve() }
        // About 600 polls at 1 s apart, never more.
        #expect(world.setup.sleeps.all.reduce(0, +) <= 600)
        #expect(world.setup.sleeps.all.count >= 590)
    }

    @Test("an unexpected CreateToken error is refused with its type; three failed polls in a row give up")
    func pollFailures() throws {
        let world = Self.world(polls: [Self.json(400, #"{"error":"invalid_client","error_description":"bad"}"#)])
        #expect(throws: CredentialError.self) { try world.resolve() }
        let failing = Self.world(polls: [Self.json(500, "{}")])
        #expect(throws: CredentialError.self) { try failing.resolve() }
        #expect(failing.calls.filter { $0 == "/token" }.count == 3)
    }

    @Test("a cached registration that still lasts is reused; one about to expire is replaced")
    func registrationReuse() throws {
        let lasting = #"{"clientId":"cached-client","clientSecret":"cached-secret","expiresAt":"2024-03-01T00:00:00Z"}"#
        let world = Self.world(files: [Self.registrationPath: lasting])
        _ = try world.resolve()
        #expect(!world.calls.contains("/client/register"))
        let poll = try #require(world.setup.http.requests.first { $0.url.hasSuffix("/token") })
        #expect(String(decoding: poll.body, as: UTF8.self).contains("cached-client"))

        let ending = #"{"clientId":"old","clientSecret":"old","expiresAt":"2024-01-02T03:10:00Z"}"#
        let renewed = Self.world(files: [Self.registrationPath: ending])
        _ = try renewed.resolve()
        #expect(renewed.calls.contains("/client/register"))
    }

    @Test("the registration file name matches the AWS CLI's, Python's JSON escapes included")
    func registrationKey() throws {
        let config = try SharedConfig.load(
            environment: ["HOME": Base.home], fileSystem: InMemoryFileSystem(["\(Base.home)/.aws/config": Base.config]))
        var role = try SSORole(profile: try #require(config.profile(named: "dev")), config: config)
        #expect(
            SSODeviceLogin.registrationKey(role: role, scopes: ["sso:account:access"])
                == "c5cfae6e3e4f067423a532368c8b514b6a4b0ace")
        // json.dumps({... "startUrl": "https://x/é", "scopes": None, "session_name": "s\"\\ 😀"}, sort_keys=True)
        role.startURL = "https://x/é"
        role.sessionName = "s\"\\ 😀"
        #expect(SSODeviceLogin.registrationKey(role: role, scopes: nil) == "6a3fb5b11254b1419e6b9fe6e2c5b1b3c526b058")
        role.sessionName = nil
        #expect(SSODeviceLogin.registrationKey(role: role, scopes: nil) == "botocore-client-id-us-east-1")
    }

    @Test("a token the portal refuses (401) while not expired: a new login, then the new token")
    func portalRefusal() throws {
        let world = Self.world(
            token: Base.tokenFile(expiresAt: "2024-01-02T11:04:05Z"),
            portal: { request in
                request.headers.contains { $0.value == Base.accessToken }
                    ? Self.json(401, #"{"message":"Session token not found or invalid"}"#) : Base.portalReply()
            })
        let resolved = try world.resolve()
        #expect(resolved.credentials.accessKeyID == "ASIASSO")
        #expect(world.calls == ["portal", "/client/register", "/device_authorization", "/token", "portal"])
    }

    @Test("the browser opens with a desktop session, never with EKS_AUTH_NO_BROWSER or for a link that is not https")
    func browser() throws {
        let desktop = Self.world(environment: ["DISPLAY": ":0"])
        _ = try desktop.resolve()
        #if os(macOS)
            let opener = "open"
        #else
            let opener = "xdg-open"
        #endif
        #expect(
            desktop.processes.requests.map(\.arguments) == [
                [opener, "https://device.sso.us-east-1.amazonaws.com/?user_code=ABCD-EFGH"]
            ])
        let refused = Self.world(environment: ["DISPLAY": ":0", "EKS_AUTH_NO_BROWSER": "1"])
        _ = try refused.resolve()
        #expect(refused.processes.requests.isEmpty)
        #expect(!SSODeviceLogin.isOpenable("file:///etc/passwd"))
        #expect(!SSODeviceLogin.isOpenable("https://x/ --new-window"))
        #expect(!SSODeviceLogin.isOpenable("-https://x"))
        #expect(SSODeviceLogin.isOpenable("https://device.sso.us-east-1.amazonaws.com/?user_code=A-B"))
    }

    @Test("control characters in the code or link from the service never reach the terminal")
    func sanitised() throws {
        let hostile = Self.json(
            200,
            #"{"deviceCode":"d","userCode":"AB\u001b[2JCD","verificationUri":"https://x/\u0007","expiresIn":600,"interval":1}"#
        )
        var world = Self.world()
        let http = FakeHTTPClient { request, _ in
            if request.url.hasSuffix("/client/register") { return Self.registered }
            if request.url.hasSuffix("/device_authorization") { return hostile }
            if request.url.hasSuffix("/token") { return Self.created }
            return Base.portalReply()
        }
        world.setup.system.http = { http }
        _ = try world.resolve()
        let notices = world.notices.all.joined(separator: "\n")
        #expect(!notices.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 })
    }
}

@Suite("IAM Identity Center login: review findings")
struct SSODeviceLoginReviewTests {
    typealias Login = SSODeviceLoginTests
    typealias Base = SSOCredentialProviderTests

    @Test("profiles sharing one sso-session share one login lock (it is per token file)")
    func lockPerTokenFile() throws {
        let config = try SharedConfig.load(
            environment: ["HOME": Base.home],
            fileSystem: InMemoryFileSystem([
                "\(Base.home)/.aws/config": Base.config
                    + "\n[profile other]\nsso_session = my-sso\nsso_account_id = 210987654321\nsso_role_name = Ops\n"
            ]))
        let dev = try SSORole(profile: try #require(config.profile(named: "dev")), config: config)
        let other = try SSORole(profile: try #require(config.profile(named: "other")), config: config)
        let path = dev.tokenPath(home: Base.home)
        #expect(path == other.tokenPath(home: Base.home))
        #expect(dev.tokenLockKey(path: path).digest == other.tokenLockKey(path: path).digest)
    }

    @Test("a portal that refuses the new token too: one login, then a plain error (exit 77), not a loop")
    func refusedAfterLogin() throws {
        let world = Login.world(portal: { _ in Login.json(401, #"{"message":"Session token not found or invalid"}"#) })
        #expect(throws: CredentialError.self) { try world.resolve() }
        do {
            _ = try world.resolve()
        } catch let error as CredentialError {
            #expect(error.kind == .denied)
            #expect(error.message.contains("was refused by the portal"))
        }
        #expect(world.calls.filter { $0 == "/device_authorization" }.count == 2, "one login per run")
    }

    @Test("a registration that has expired already is refused")
    func expiredRegistration() throws {
        var world = Login.world()
        let http = FakeHTTPClient { request, _ in
            if request.url.hasSuffix("/client/register") {
                return Login.json(200, #"{"clientId":"c","clientSecret":"s","clientSecretExpiresAt":5}"#)
            }
            return Base.portalReply()
        }
        world.setup.system.http = { http }
        #expect(throws: CredentialError.self) { try world.resolve() }
        #expect(try world.setup.files.read(Login.registrationPath) == nil)
    }

    @Test("a cached registration the service refuses is replaced by a new one, once")
    func refusedCachedRegistration() throws {
        let cached = #"{"clientId":"revoked","clientSecret":"revoked","expiresAt":"2024-03-01T00:00:00Z"}"#
        var world = Login.world(files: [Login.registrationPath: cached])
        let http = FakeHTTPClient { request, _ in
            if request.url.hasSuffix("/client/register") { return Login.registered }
            if request.url.hasSuffix("/device_authorization") {
                return String(decoding: request.body, as: UTF8.self).contains("revoked")
                    ? Login.json(401, #"{"error":"invalid_client"}"#) : Login.authorization
            }
            if request.url.hasSuffix("/token") { return Login.created }
            return Base.portalReply()
        }
        world.setup.system.http = { http }
        _ = try world.resolve()
        let routes = http.requests.map {
            $0.url.hasPrefix(Login.oidc) ? String($0.url.dropFirst(Login.oidc.count)) : "portal"
        }
        #expect(routes == ["/device_authorization", "/client/register", "/device_authorization", "/token", "portal"])
        let registration = String(
            decoding: try #require(try world.setup.files.read(Login.registrationPath)), as: UTF8.self)
        #expect(registration.contains("new-client"))
    }

    @Test(
        "a huge interval is capped, the last poll is made a second before the code expires, and the wait said is the one waited"
    )
    func deadlineWithHugeInterval() throws {
        var world = Login.world(polls: [Login.pollError("authorization_pending")])
        let http = FakeHTTPClient { request, _ in
            if request.url.hasSuffix("/client/register") { return Login.registered }
            if request.url.hasSuffix("/device_authorization") {
                return Login.json(
                    200,
                    #"{"deviceCode":"d","userCode":"U","verificationUri":"https://x/","expiresIn":8,"interval":1000000000}"#
                )
            }
            return Login.pollError("authorization_pending")
        }
        world.setup.system.http = { http }
        #expect(
            throws: CredentialError.ssoLoginFailed(
                profile: "dev", reason: "was not approved before its code expired (after 7 s)")
        ) { try world.resolve() }
        #expect(world.setup.sleeps.all == [7])
        #expect(http.requests.filter { $0.url.hasSuffix("/token") }.count == 2)
    }

    @Test("an access token with control characters or spaces is refused, not written to the AWS CLI's cache")
    func hostileToken() throws {
        let world = Login.world(polls: [
            Login.json(200, #"{"accessToken":"bad\u001b[2Jtoken","tokenType":"Bearer","expiresIn":28800}"#)
        ])
        #expect(throws: CredentialError.self) { try world.resolve() }
        #expect(try world.setup.files.read(Base.sessionTokenPath) == Array(Login.expiredToken.utf8))
        #expect(world.calls.filter { $0 == "/token" }.count == 1, "not polled again: the same answer would come")
    }

    @Test("the browser is started detached, never waited for")
    func browserDetached() throws {
        let world = Login.world(environment: ["DISPLAY": ":0"])
        _ = try world.resolve()
        #expect(world.processes.requests.map(\.detached) == [true])
    }
}
