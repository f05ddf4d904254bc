import EKSAuthTestSupport
import Foundation
import Testing

@testable import AWSConfiguration
@testable import AWSSigning
@testable import AWSTransport
@testable import EKSAuthCore
@testable import EKSAuthSystem

@Suite("Assuming the role through the cache")
struct RoleAssumerTests {
    static let roleARN = "arn:aws:iam::123456789012:role/dev.eks-access.role"
    static let now = Fixtures.tokenVectorDate  // 2024-01-02T03:04:05Z; canned sessions expire 04:04:05
    static let cacheDir = "/home/alice/.kube/cache/eks-auth"

    struct Harness {
        let fileSystem: InMemoryFileSystem
        let http: FakeHTTPClient
        let warnings = Recorder<String>()
        let trace = Recorder<String>()
        var environment: Environment = [
            "HOME": "/home/alice", "AWS_ACCESS_KEY_ID": Fixtures.accessKeyID,
            "AWS_SECRET_ACCESS_KEY": Fixtures.secretAccessKey, "AWS_REGION": "eu-west-1",
        ]
        var terminal: Terminal = .none
        var clock: WallClock = .fixed(RoleAssumerTests.now)

        init(fileSystem: InMemoryFileSystem = InMemoryFileSystem(), http: FakeHTTPClient) {
            self.fileSystem = fileSystem
            self.http = http
        }

        var system: SystemContext {
            let warnings = self.warnings
            let trace = self.trace
            let http = self.http
            return SystemContext(
                environment: environment, clock: clock, fileSystem: fileSystem,
                tracer: Tracer { trace.append($0) }, warn: { warnings.append($0) }, http: { http },
                terminal: terminal)
        }

        func token(_ role: RoleRequest) throws -> TokenResult {
            try TokenService(system: system).token(
                for: TokenRequest(clusterID: "dev.my-eks-cluster", role: role))
        }
    }

    static func stsHandler(session: String = "alice") -> FakeHTTPClient.Handler {
        { request, _ in
            STSReplies.action(of: request) == "GetCallerIdentity"
                ? STSReplies.callerIdentity() : STSReplies.assumeRole(session: session)
        }
    }

    @Test("the token is signed with the assumed role's keys and expires no later than they do")
    func tokenUsesAssumedRole() throws {
        let harness = Harness(http: FakeHTTPClient(Self.stsHandler()))
        let result = try harness.token(RoleRequest(roleARN: Self.roleARN))
        #expect(result.accessKeyID == "ASIAASSUMEDEXAMPLE")
        #expect(result.token.url.contains("X-Amz-Credential=ASIAASSUMEDEXAMPLE%2F"))
        #expect(result.token.url.contains("X-Amz-Security-Token=assumed-session-token"))
        #expect(result.token.expiration == Self.now.addingTimeInterval(14 * 60))
        #expect(harness.http.actions == ["GetCallerIdentity", "AssumeRole"])
        let body = String(decoding: harness.http.requests[1].body, as: UTF8.self)
        #expect(body.contains("RoleSessionName=alice&DurationSeconds=3600"))
    }

    @Test("a second call within the session makes no STS call at all")
    func cachedSecondCall() throws {
        let harness = Harness(http: FakeHTTPClient(Self.stsHandler()))
        _ = try harness.token(RoleRequest(roleARN: Self.roleARN))
        let second = try harness.token(RoleRequest(roleARN: Self.roleARN))
        #expect(harness.http.actions == ["GetCallerIdentity", "AssumeRole"])
        #expect(second.accessKeyID == "ASIAASSUMEDEXAMPLE")
        let files = try harness.fileSystem.contents(of: Self.cacheDir)
        #expect(files.count == 1)
        let status = try #require(try harness.fileSystem.status(of: "\(Self.cacheDir)/\(files[0])"))
        #expect(status.mode == 0o600)
        let stored = try #require(harness.fileSystem.text(of: "\(Self.cacheDir)/\(files[0])"))
        #expect(stored.contains("\"roleArn\":\"arn:aws:iam::123456789012:role/dev.eks-access.role\""))
    }

    @Test("--no-cache neither reads nor writes the cache")
    func noCache() throws {
        let harness = Harness(http: FakeHTTPClient(Self.stsHandler()))
        _ = try harness.token(RoleRequest(roleARN: Self.roleARN, useCache: false))
        _ = try harness.token(RoleRequest(roleARN: Self.roleARN, useCache: false))
        #expect(harness.http.actions.filter { $0 == "AssumeRole" }.count == 2)
        #expect(try harness.fileSystem.contents(of: Self.cacheDir).isEmpty)
    }

    @Test("a session too close to expiry for a full token is renewed")
    func refreshNearExpiry() throws {
        var harness = Harness(http: FakeHTTPClient(Self.stsHandler()))
        _ = try harness.token(RoleRequest(roleARN: Self.roleARN))
        harness.clock = .fixed(Self.now.addingTimeInterval(50 * 60))  // 10 minutes left
        _ = try harness.token(RoleRequest(roleARN: Self.roleARN))
        #expect(harness.http.actions.filter { $0 == "AssumeRole" }.count == 2)
        #expect(RoleAssumer.refreshWindow(duration: 3600) == 900)
        #expect(RoleAssumer.refreshWindow(duration: 900) == 450)
    }

    @Test("the token never outlives the assumed credentials")
    func tokenCappedBySession() throws {
        var harness = Harness(http: FakeHTTPClient(Self.stsHandler()))
        harness.clock = .fixed(Self.now.addingTimeInterval(55 * 60 + 1))  // canned expiry is 04:04:05
        let result = try harness.token(RoleRequest(roleARN: Self.roleARN, useCache: false))
        #expect(result.token.expiration == Timestamp.parseISO8601("2024-01-02T04:04:05Z"))
    }

    @Test(
        "a corrupt, truncated or foreign cache entry is ignored with a warning and never fatal",
        arguments: ["not json at all", "{\"version\":1,\"roleArn\":", "{}"])
    func corruptEntry(content: String) throws {
        let harness = Harness(http: FakeHTTPClient(Self.stsHandler()))
        _ = try harness.token(RoleRequest(roleARN: Self.roleARN))
        let file = "\(Self.cacheDir)/\(try harness.fileSystem.contents(of: Self.cacheDir)[0])"
        harness.fileSystem.write(content, to: file)
        let result = try harness.token(RoleRequest(roleARN: Self.roleARN))
        #expect(result.accessKeyID == "ASIAASSUMEDEXAMPLE")
        #expect(harness.warnings.all.contains { $0.contains("ignoring corrupt cache file") })
        #expect(harness.http.actions.filter { $0 == "AssumeRole" }.count == 2)
        #expect(harness.fileSystem.text(of: file)?.contains("ASIAASSUMEDEXAMPLE") == true)
    }

    @Test("an entry readable by others is ignored, then replaced by a private one")
    func groupReadableEntry() throws {
        let harness = Harness(http: FakeHTTPClient(Self.stsHandler()))
        _ = try harness.token(RoleRequest(roleARN: Self.roleARN))
        let file = "\(Self.cacheDir)/\(try harness.fileSystem.contents(of: Self.cacheDir)[0])"
        harness.fileSystem.write(harness.fileSystem.text(of: file)!, to: file, mode: 0o644)
        _ = try harness.token(RoleRequest(roleARN: Self.roleARN))
        #expect(harness.warnings.all.contains { $0.contains("readable by others") })
        #expect(try harness.fileSystem.status(of: file)?.mode == 0o600)
    }

    @Test("an entry owned by someone else is neither trusted nor overwritten")
    func foreignEntry() throws {
        let harness = Harness(http: FakeHTTPClient(Self.stsHandler()))
        _ = try harness.token(RoleRequest(roleARN: Self.roleARN))
        let file = "\(Self.cacheDir)/\(try harness.fileSystem.contents(of: Self.cacheDir)[0])"
        harness.fileSystem.write("planted", to: file, mode: 0o600, ownerID: 0)
        _ = try harness.token(RoleRequest(roleARN: Self.roleARN))
        #expect(harness.warnings.all.contains { $0.contains("belongs to uid 0") })
        #expect(harness.fileSystem.text(of: file) == "planted")
    }

    @Test("a cache directory writable by others is not used")
    func unsafeDirectory() throws {
        let harness = Harness(http: FakeHTTPClient(Self.stsHandler()))
        harness.fileSystem.setDirectory(Self.cacheDir, mode: 0o777, ownerID: harness.fileSystem.currentUserID)
        _ = try harness.token(RoleRequest(roleARN: Self.roleARN))
        _ = try harness.token(RoleRequest(roleARN: Self.roleARN))
        #expect(harness.http.actions.filter { $0 == "AssumeRole" }.count == 2)
        #expect(harness.warnings.all.contains { $0.contains("writable by others") })
    }

    @Test("a cache that cannot be written only warns; the token is still made")
    func unwritableCache() throws {
        let fileSystem = InMemoryFileSystem()
        let key = CacheKey(
            baseAccessKeyID: Fixtures.accessKeyID, profile: "default", roleARN: Self.roleARN, externalID: nil,
            sessionName: nil, serialNumber: nil, durationSeconds: 3600,
            endpoint: "https://sts.eu-west-1.amazonaws.com/ eu-west-1")
        fileSystem.makeWritesFail("\(Self.cacheDir)/\(key.digest).json")
        let harness = Harness(fileSystem: fileSystem, http: FakeHTTPClient(Self.stsHandler()))
        let result = try harness.token(RoleRequest(roleARN: Self.roleARN))
        #expect(result.accessKeyID == "ASIAASSUMEDEXAMPLE")
        #expect(harness.warnings.all.contains { $0.contains("could not write cache file") })
    }

    @Test("the cache key changes with every input that changes the result")
    func cacheKeyInputs() {
        let base = CacheKey(
            baseAccessKeyID: "AKIA1", profile: "default", roleARN: Self.roleARN, externalID: nil, sessionName: nil,
            serialNumber: nil, durationSeconds: 3600, endpoint: "e")
        var variants: [CacheKey] = []
        for change in 0..<8 {
            var key = base
            switch change {
            case 0: key.baseAccessKeyID = "AKIA2"
            case 1: key.profile = "dev"
            case 2: key.roleARN += "2"
            case 3: key.externalID = "x"
            case 4: key.sessionName = "s"
            case 5: key.serialNumber = "arn:aws:iam::1:mfa/a"
            case 6: key.durationSeconds = 900
            default: key.endpoint = "f"
            }
            variants.append(key)
        }
        let digests = Set(([base] + variants).map(\.digest))
        #expect(digests.count == 9)
        #expect(base.digest.count == 64)
    }

    @Test("an explicit session name is sent as given and skips GetCallerIdentity")
    func explicitSessionName() throws {
        let harness = Harness(http: FakeHTTPClient(Self.stsHandler()))
        _ = try harness.token(RoleRequest(roleARN: Self.roleARN, sessionName: "ci-job.42@team", useCache: false))
        #expect(harness.http.actions == ["AssumeRole"])
        #expect(
            String(decoding: harness.http.requests[0].body, as: UTF8.self).contains("RoleSessionName=ci-job.42%40team"))
    }

    @Test(
        "session names derived from the caller follow the STS rules",
        arguments: [
            ("arn:aws:iam::123456789012:user/alice", "alice"),
            ("arn:aws:iam::123456789012:user/engineering/bob.smith@example.com", "bob.smith@example.com"),
            ("arn:aws:sts::123456789012:assumed-role/Admin/carol", "carol"),
            ("arn:aws:sts::123456789012:federated-user/dave", "dave"),
            ("arn:aws:iam::123456789012:root", "root"),
            ("arn:aws:iam::123456789012:user/x", "eks-auth-x"),
            ("arn:aws:iam::123456789012:user/name with spaces", "name-with-spaces"),
        ])
    func derivedSessionNames(arn: String, expected: String) {
        let name = RoleSessionName.derived(from: CallerIdentity(account: "123456789012", arn: arn, userID: "u"))
        #expect(name == expected)
        #expect(RoleSessionName.isValid(name))
    }

    @Test("--forward-session-name reuses an assumed-role caller's session")
    func forwardedSessionName() throws {
        let harness = Harness(
            http: FakeHTTPClient { request, _ in
                STSReplies.action(of: request) == "GetCallerIdentity"
                    ? STSReplies.callerIdentity(arn: "arn:aws:sts::123456789012:assumed-role/SSOAdmin/erin@example.com")
                    : STSReplies.assumeRole()
            })
        _ = try harness.token(RoleRequest(roleARN: Self.roleARN, forwardSessionName: true, useCache: false))
        #expect(
            String(decoding: harness.http.requests[1].body, as: UTF8.self).contains(
                "RoleSessionName=erin%40example.com"))
    }

    @Test("AccessDenied names the role and the caller, and keeps secrets out")
    func accessDeniedNamesCaller() throws {
        let harness = Harness(
            http: FakeHTTPClient { request, _ in
                STSReplies.action(of: request) == "GetCallerIdentity"
                    ? STSReplies.callerIdentity(arn: "arn:aws:iam::123456789012:user/mallory")
                    : STSReplies.error(status: 403, code: "AccessDenied", message: "not authorized")
            })
        let error = try #require(throws: AWSServiceError.self) { try harness.token(RoleRequest(roleARN: Self.roleARN)) }
        #expect(
            error.message
                == "AssumeRole of \(Self.roleARN) denied for arn:aws:iam::123456789012:user/mallory: AccessDenied: not authorized (request id req-err)"
        )
        #expect(!error.message.contains(Fixtures.secretAccessKey))
        #expect(try harness.fileSystem.contents(of: Self.cacheDir).filter { $0.hasSuffix(".json") }.isEmpty)
    }

    @Test("MFA: the code given is sent; without one a non-interactive session fails clearly")
    func mfaWithoutTerminal() throws {
        let serial = "arn:aws:iam::123456789012:mfa/alice"
        let harness = Harness(http: FakeHTTPClient(Self.stsHandler()))
        _ = try harness.token(
            RoleRequest(roleARN: Self.roleARN, serialNumber: serial, tokenCode: "654321", useCache: false))
        #expect(String(decoding: harness.http.requests.last!.body, as: UTF8.self).contains("TokenCode=654321"))
        #expect(throws: RoleRequestError.mfaCodeNeeded(serial: serial)) {
            try harness.token(RoleRequest(roleARN: Self.roleARN, serialNumber: serial, useCache: false))
        }
    }

    @Test("MFA: an interactive kubectl session is prompted once, and the cache spares the next prompt")
    func mfaPromptOnce() throws {
        let prompts = Recorder<String>()
        var harness = Harness(http: FakeHTTPClient(Self.stsHandler()))
        harness.environment.variables["KUBERNETES_EXEC_INFO"] =
            #"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":true}}"#
        harness.terminal = Terminal(stdinIsTerminal: false) { prompt in
            prompts.append(prompt)
            return "123456\n"
        }
        let serial = "arn:aws:iam::123456789012:mfa/alice"
        let first = try harness.token(RoleRequest(roleARN: Self.roleARN, serialNumber: serial))
        _ = try harness.token(RoleRequest(roleARN: Self.roleARN, serialNumber: serial))
        #expect(prompts.all == ["Assume Role MFA token code: "])
        #expect(first.execCredential.apiVersion == .v1)
        #expect(String(decoding: harness.http.requests.last!.body, as: UTF8.self).contains("TokenCode=123456"))
    }

    @Test(
        "flags STS would refuse fail before any call, naming the flag",
        arguments: [
            RoleRequest(roleARN: "dev.eks-access.role"),
            RoleRequest(roleARN: RoleAssumerTests.roleARN, sessionName: "a"),
            RoleRequest(roleARN: RoleAssumerTests.roleARN, sessionName: "bad name"),
            RoleRequest(roleARN: RoleAssumerTests.roleARN, sessionName: "s1", forwardSessionName: true),
            RoleRequest(roleARN: RoleAssumerTests.roleARN, durationSeconds: 60),
            RoleRequest(roleARN: RoleAssumerTests.roleARN, durationSeconds: 50_000),
            RoleRequest(roleARN: RoleAssumerTests.roleARN, externalID: "x"),
            RoleRequest(roleARN: RoleAssumerTests.roleARN, serialNumber: "arn:aws:iam::1:mfa/a", tokenCode: "12ab56"),
            RoleRequest(roleARN: RoleAssumerTests.roleARN, tokenCode: "123456"),
        ])
    func invalidFlags(request: RoleRequest) throws {
        let harness = Harness(http: FakeHTTPClient(Self.stsHandler()))
        let error = try #require(throws: RoleRequestError.self) { try harness.token(request) }
        #expect(error.kind == FailureKind.usage)
        #expect(RoleField.allCases.contains { error.message.contains($0.description) })
        #expect(harness.http.requests.isEmpty)
    }
}

@Suite("Role flags")
struct RoleFlagsTests {
    @Test("the flags give a request; DEFAULT_ROLE stands in for --role-arn, which wins over it")
    func request() throws {
        let flagged = try RoleRequest.fromFlags(
            roleARN: "arn:aws:iam::1:role/a", defaultRole: "arn:aws:iam::1:role/b", sessionName: "s1",
            durationSeconds: 900, useCache: false)
        #expect(
            flagged
                == RoleRequest(
                    roleARN: "arn:aws:iam::1:role/a", sessionName: "s1", durationSeconds: 900, useCache: false))
        #expect(
            try RoleRequest.fromFlags(roleARN: nil, defaultRole: "arn:aws:iam::1:role/b")?.roleARN
                == "arn:aws:iam::1:role/b")
        #expect(try RoleRequest.fromFlags(roleARN: nil, defaultRole: nil) == nil)
    }

    @Test("a companion flag without a role is refused, naming the flag")
    func strayCompanion() {
        #expect(
            throws: RoleRequestError.needsRole(.sessionName)
        ) { try RoleRequest.fromFlags(roleARN: nil, defaultRole: nil, sessionName: "x") }
        #expect(
            throws: RoleRequestError.needsRole(.forwardSessionName)
        ) { try RoleRequest.fromFlags(roleARN: nil, defaultRole: nil, forwardSessionName: true, tokenCode: "123456") }
    }

    @Test("--token-code alone is no stray flag: it serves a profile's mfa_serial, which the chain must have")
    func tokenCodeForAProfile() throws {
        #expect(try RoleRequest.fromFlags(roleARN: nil, defaultRole: nil, tokenCode: "123456") == nil)
        let files = InMemoryFileSystem([
            "/home/u/.aws/config": """
            [profile base]
            aws_access_key_id = AKIDEXAMPLE
            aws_secret_access_key = secret
            [profile hop]
            role_arn = arn:aws:iam::1:role/hop
            source_profile = mfa
            [profile mfa]
            role_arn = arn:aws:iam::1:role/m
            source_profile = base
            mfa_serial = arn:aws:iam::1:mfa/u
            [profile loop]
            role_arn = arn:aws:iam::1:role/l
            source_profile = loop2
            [profile loop2]
            role_arn = arn:aws:iam::1:role/l2
            source_profile = loop
            """
        ])
        for (profile, expected) in [("hop", true), ("mfa", true), ("base", false), ("loop", false), ("none", false)] {
            let settings = try AWSSettings.resolve(
                profileFlag: profile == "none" ? nil : profile, regionFlag: "us-east-1",
                environment: ["HOME": "/home/u"], fileSystem: files)
            #expect(CredentialResolution.roleChainHasMFASerial(settings) == expected, "\(profile)")
        }
        #expect(
            RoleRequestError.needsRole(.tokenCode).message
                == "invalid token code: expected role ARN (or DEFAULT_ROLE) as well, or a profile whose role has mfa_serial"
        )
    }
}
