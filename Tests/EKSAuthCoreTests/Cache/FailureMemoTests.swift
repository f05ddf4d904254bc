import EKSAuthTestSupport
import Foundation
import Synchronization
import Testing

@testable import AWSConfiguration
@testable import AWSSigning
@testable import AWSTransport
@testable import EKSAuthCore
@testable import EKSAuthSystem

@Suite("A failure under kubectl is remembered briefly")
struct FailureMemoTests {
    static let role = RoleRequest(roleARN: "arn:aws:iam::123456789012:role/denied", sessionName: "alice")
    static let memoPath = "/home/k/.kube/cache/eks-auth/last-failure.json"
    static let execInfo =
        #"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":false}}"#

    /// A token call's world: kubectl's variable (unless `byHand`), keys in the environment, a clock that
    /// can be moved, and STS answering `reply`.
    final class World: Sendable {
        let files = InMemoryFileSystem(["/home/k/.aws/config": "[default]\nregion = eu-west-1\n"])
        let now = Mutex(Fixtures.tokenVectorDate)
        let variables: Mutex<[String: String]>
        let http: FakeHTTPClient

        init(byHand: Bool = false, reply: @escaping @Sendable () throws -> HTTPResponse) {
            var variables = [
                "HOME": "/home/k", "AWS_ACCESS_KEY_ID": Fixtures.accessKeyID,
                "AWS_SECRET_ACCESS_KEY": Fixtures.secretAccessKey,
            ]
            if !byHand { variables["KUBERNETES_EXEC_INFO"] = FailureMemoTests.execInfo }
            self.variables = Mutex(variables)
            self.http = FakeHTTPClient { _, _ in try reply() }
        }

        func token(useCache: Bool = true) throws -> TokenResult {
            var system = SystemContext(
                environment: Environment(variables.withLock { $0 }), clock: WallClock { self.now.withLock { $0 } },
                fileSystem: files, http: { [http] in http })
            system.useCache = useCache
            return try TokenService(system: system).token(
                for: TokenRequest(clusterID: "dev", role: FailureMemoTests.role))
        }

        func advance(_ seconds: Double) { now.withLock { $0 = $0.addingTimeInterval(seconds) } }
    }

    static func denied() -> HTTPResponse { STSReplies.error(status: 403, code: "AccessDenied") }

    @Test("a denied AssumeRole is answered from memory within 10 s: same exit code, saying so, no call")
    func remembered() throws {
        let world = World(reply: Self.denied)
        let first = #expect(throws: (any Error).self) { try world.token() }
        let original = try #require(first as? EKSAuthError)
        #expect(original.kind == .denied)
        let calls = world.http.requests.count
        #expect(world.files.text(of: Self.memoPath)?.contains(Fixtures.secretAccessKey) == false)

        world.advance(9)
        let second = #expect(throws: RememberedFailure.self) { try world.token() }
        #expect(world.http.requests.count == calls)
        #expect(second?.kind == .denied)
        #expect(second?.hint == original.hint)
        #expect(second?.message.hasPrefix(original.message) == true)
        #expect(second?.message.contains("(remembered from 9 s ago") == true)

        world.advance(1.5)
        #expect(throws: (any Error).self) { try world.token() }
        #expect(world.http.requests.count == 2 * calls, "after 10 s AWS is asked again")
    }

    @Test(
        "a changed variable, profile file, SSO login or web identity token means a new call at once",
        arguments: ["variable", "config", "sso", "webIdentity"])
    func inputsChange(_ change: String) throws {
        let world = World(reply: Self.denied)
        world.variables.withLock { $0["AWS_WEB_IDENTITY_TOKEN_FILE"] = "/home/k/token" }
        world.files.write("first", to: "/home/k/token")
        world.files.write(#"{"accessToken":"old"}"#, to: "/home/k/.aws/sso/cache/abc.json")
        #expect(throws: (any Error).self) { try world.token() }
        let calls = world.http.requests.count
        switch change {
        case "variable": world.variables.withLock { $0["AWS_STS_REGIONAL_ENDPOINTS"] = "regional" }
        case "config": world.files.write("[default]\nregion = eu-west-2\n", to: "/home/k/.aws/config")
        case "sso": world.files.write(#"{"accessToken":"new"}"#, to: "/home/k/.aws/sso/cache/abc.json")
        default: world.files.write("second", to: "/home/k/token")
        }
        world.advance(1)
        #expect(throws: (any Error).self) { try world.token() }
        #expect(world.http.requests.count > calls)
    }

    @Test("by hand (no KUBERNETES_EXEC_INFO) or with --no-cache nothing is remembered")
    func notUnderKubectl() throws {
        let byHand = World(byHand: true, reply: Self.denied)
        #expect(throws: (any Error).self) { try byHand.token() }
        #expect(byHand.files.text(of: Self.memoPath) == nil)

        let noCache = World(reply: Self.denied)
        #expect(throws: (any Error).self) { try noCache.token(useCache: false) }
        #expect(noCache.files.text(of: Self.memoPath) == nil)
    }

    @Test("a failure of our own making (a bad flag, a missing profile) is not remembered")
    func localFailures() throws {
        let world = World(reply: Self.denied)
        world.variables.withLock { $0["AWS_PROFILE"] = "nosuch" }
        #expect(throws: (any Error).self) { try world.token() }
        #expect(world.files.text(of: Self.memoPath) == nil)
    }

    @Test("an unreachable STS is remembered too: kubectl's re-runs do not wait through the retries again")
    func unreachable() throws {
        let world = World { throw HTTPTransportError.timedOut }
        #expect(throws: (any Error).self) { try world.token() }
        let calls = world.http.requests.count
        let again = #expect(throws: RememberedFailure.self) { try world.token() }
        #expect(again?.kind == .unavailable)
        #expect(world.http.requests.count == calls)
    }

    @Test("a memo file another user owns, or others can read, is ignored")
    func untrustedMemo() throws {
        for (mode, owner) in [(UInt16(0o644), UInt32(1000)), (0o600, 0)] {
            let world = World(reply: Self.denied)
            #expect(throws: (any Error).self) { try world.token() }
            let text = try #require(world.files.text(of: Self.memoPath))
            world.files.write(text, to: Self.memoPath, mode: mode, ownerID: owner)
            let calls = world.http.requests.count
            #expect(throws: (any Error).self) { try world.token() }
            #expect(world.http.requests.count > calls, "mode \(mode) owner \(owner)")
        }
    }

    @Test("a success after the memo expired leaves nothing in the way; cache clear removes the memo")
    func clearRemovesIt() throws {
        let world = World(reply: Self.denied)
        #expect(throws: (any Error).self) { try world.token() }
        #expect(world.files.text(of: Self.memoPath) != nil)
        var system = SystemContext(
            environment: Environment(world.variables.withLock { $0 }), clock: .fixed(Fixtures.tokenVectorDate),
            fileSystem: world.files)
        system.useCache = true
        _ = try CacheService(system: system).clear()
        #expect(world.files.text(of: Self.memoPath) == nil)
    }
}
