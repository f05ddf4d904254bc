import EKSAuthTestSupport
import Foundation
import Testing

@testable import AWSSigning
@testable import AWSTransport
@testable import EKSAuthCore
@testable import EKSAuthSystem

@Suite("Clock skew learned from AWS's Date header")
struct ClockSkewTests {
    static let path = "/home/k/.kube/cache/eks-auth/clock-skew.json"
    static let local = Date(timeIntervalSince1970: 1_798_000_000)  // 2026-12-23T04:26:40Z

    static func reply(_ date: String?) -> HTTPResponse {
        HTTPResponse(status: 200, headers: date.map { [HTTPHeader(name: "Date", value: $0)] } ?? [])
    }

    static func system(_ files: InMemoryFileSystem) -> SystemContext {
        SystemContext(environment: Environment(["HOME": "/home/k"]), clock: .fixed(local), fileSystem: files)
    }

    static let signed = HTTPRequest(
        method: "POST", url: "https://sts.eu-west-1.amazonaws.com/",
        headers: [HTTPHeader(name: "Authorization", value: "AWS4-HMAC-SHA256 Credential=AKID/…")], body: [],
        timeout: 5)

    @Test("the offset is the server's mid-second against the middle of the exchange")
    func measure() throws {
        // Server says 04:46:40 (20 min ahead); the exchange took 2 s from 04:26:39.
        let skew = try #require(
            ClockSkew.measure(
                Self.reply("Wed, 23 Dec 2026 04:46:40 GMT"), sent: Self.local.addingTimeInterval(-1),
                received: Self.local.addingTimeInterval(1), host: "sts"))
        #expect(skew.offset == 1200)
        #expect(skew.direction == "20 min 0 s behind")
        #expect(ClockSkew.measure(Self.reply(nil), sent: Self.local, received: Self.local, host: "sts") == nil)
        #expect(ClockSkew.measure(Self.reply("yesterday"), sent: Self.local, received: Self.local, host: "sts") == nil)
        // A slow round trip says too little.
        #expect(
            ClockSkew.measure(
                Self.reply("Wed, 23 Dec 2026 04:46:40 GMT"), sent: Self.local,
                received: Self.local.addingTimeInterval(30), host: "sts") == nil)
    }

    @Test("it applies from the threshold on, for a day, and not to a learning from the future")
    func applies() {
        let skew = ClockSkew(offset: 31, learnedAt: Self.local, host: "sts")
        #expect(skew.applies(at: Self.local, boot: nil))
        #expect(!ClockSkew(offset: 29, learnedAt: Self.local, host: "sts").applies(at: Self.local, boot: nil))
        #expect(
            ClockSkew(offset: -600, learnedAt: Self.local, host: "sts").applies(
                at: Self.local.addingTimeInterval(3600), boot: nil)
        )
        #expect(!skew.applies(at: Self.local.addingTimeInterval(ClockSkew.maximumAge + 1), boot: nil))
        #expect(!skew.applies(at: Self.local.addingTimeInterval(-3600), boot: nil))
    }

    @Test("stored as 0600 JSON and read back; a file others may write, or of another owner, is ignored")
    func storage() {
        let files = InMemoryFileSystem()
        let system = Self.system(files)
        let skew = ClockSkew(offset: -905, learnedAt: Self.local, host: "sts.eu-west-1.amazonaws.com")
        skew.save(system: system)
        #expect(ClockSkew.load(system: system) == skew)
        let text = String(decoding: (try? files.read(Self.path)) ?? [], as: UTF8.self)
        files.write(text, to: Self.path, mode: 0o644)
        #expect(ClockSkew.load(system: system) == nil)
        files.write(text, to: Self.path, mode: 0o600, ownerID: 0)
        #expect(ClockSkew.load(system: system) == nil)
        files.write(#"{"offset":"1200","learnedAt":"x","host":"h"}"#, to: Self.path)
        #expect(ClockSkew.load(system: system) == nil)
    }

    @Test("the observer learns from signed AWS replies only, and writes once, when it matters")
    func observer() throws {
        let files = InMemoryFileSystem()
        let system = Self.system(files)
        let http = FakeHTTPClient { _, _ in Self.reply("Wed, 23 Dec 2026 04:46:40 GMT") }
        let observer = ClockSkewObserver(
            inner: http, system: system, rawClock: .fixed(Self.local), bootClock: { 500 }, stored: nil)
        // Instance metadata and Kubernetes answers carry other clocks: not learned from.
        _ = try observer.send(
            HTTPRequest(method: "GET", url: "http://169.254.169.254/latest", headers: [], body: [], timeout: 1))
        #expect(observer.latest == nil)
        _ = try observer.send(Self.signed)
        #expect(observer.latest?.offset == 1200)
        #expect(ClockSkew.load(system: system)?.offset == 1200)
        // A presigned URL counts too (verify's replay).
        let presigned = HTTPRequest(
            method: "GET", url: "https://sts.amazonaws.com/?Action=GetCallerIdentity&X-Amz-Signature=ab", headers: [],
            body: [], timeout: 1)
        #expect(ClockSkewObserver.isAWSRequest(presigned))
    }

    @Test("a small offset is not written; a stored one that is now wrong is replaced, so a clock set right clears it")
    func updates() throws {
        let files = InMemoryFileSystem()
        let system = Self.system(files)
        let exact = FakeHTTPClient { _, _ in Self.reply("Wed, 23 Dec 2026 04:26:40 GMT") }
        _ = try ClockSkewObserver(
            inner: exact, system: system, rawClock: .fixed(Self.local), bootClock: { nil }, stored: nil
        ).send(
            Self.signed)
        #expect((try? files.read(Self.path)) == nil)
        let old = ClockSkew(offset: 1200, learnedAt: Self.local.addingTimeInterval(-60), host: "sts")
        old.save(system: system)
        _ = try ClockSkewObserver(
            inner: exact, system: system, rawClock: .fixed(Self.local), bootClock: { nil }, stored: old
        ).send(
            Self.signed)
        let now = try #require(ClockSkew.load(system: system))
        #expect(now.offset == 0 && !now.applies(at: Self.local, boot: nil))
    }

    @Test("a wall clock set since the learning (against the boot clock), or a restart, drops the offset")
    func clockSetSince() throws {
        let skew = ClockSkew(offset: 1200, learnedAt: Self.local, host: "sts", boot: 1000)
        // An hour later on both clocks: still used.
        #expect(skew.applies(at: Self.local.addingTimeInterval(3600), boot: 4600))
        // The wall clock jumped 20 minutes (NTP set it right) while 10 s passed: dropped.
        #expect(!skew.applies(at: Self.local.addingTimeInterval(1210), boot: 1010))
        // A restart: the boot clock began again.
        #expect(!skew.applies(at: Self.local.addingTimeInterval(600), boot: 300))
        // Saved and read back with its boot time.
        let files = InMemoryFileSystem()
        skew.save(system: Self.system(files))
        #expect(ClockSkew.load(system: Self.system(files))?.boot == 1000)
    }

    @Test("only AWS's hosts (or configured endpoints) teach the offset, and never by more than a week")
    func trustedHosts() throws {
        let environment = Environment(["AWS_ENDPOINT_URL_STS": "http://127.0.0.1:5000"])
        #expect(ClockSkewObserver.isAWSHost("sts.eu-west-1.amazonaws.com", environment: environment))
        #expect(ClockSkewObserver.isAWSHost("eks.cn-north-1.amazonaws.com.cn", environment: environment))
        #expect(ClockSkewObserver.isAWSHost("127.0.0.1", environment: environment))
        #expect(!ClockSkewObserver.isAWSHost("proxy.corp.example", environment: environment))
        #expect(!ClockSkewObserver.isAWSHost("amazonaws.com.evil.example", environment: environment))
        #expect(
            ClockSkew.measure(
                Self.reply("Sat, 23 Dec 2028 04:26:40 GMT"), sent: Self.local, received: Self.local, host: "sts") == nil
        )
        let files = InMemoryFileSystem()
        files.write(
            #"{"offset":31536000,"learnedAt":"2026-12-23T04:26:40Z","host":"sts"}"#,
            to: "/home/k/.kube/cache/eks-auth/clock-skew.json")
        #expect(ClockSkew.load(system: Self.system(files)) == nil)
    }
}
