import EKSAuthTestSupport
import Foundation
import Synchronization
import Testing

@testable import AWSConfiguration
@testable import AWSSigning
@testable import AWSTransport
@testable import EKSAuthCore
@testable import EKSAuthSystem

/// A cluster whose API server keeps one aws-auth ConfigMap and checks `resourceVersion` on PUT, as
/// the Kubernetes API does; STS and EKS answer as in the doctor tests.
final class AWSAuthCluster_World: Sendable {
    struct Stored: Sendable {
        var object: String?
        var version = 1
        /// Bumped between the next GET and PUT, as another writer would.
        var raceNextWrite = false
        var status: Int?
    }

    /// The server's state, shared with the HTTP double's closure.
    final class Store: Sendable {
        let state: Mutex<Stored>
        init(_ stored: Stored) { state = Mutex(stored) }
    }

    let store: Store
    let http: FakeHTTPClient

    init(object: String?) {
        let store = Store(Stored(object: object))
        self.store = store
        let describe = DoctorWorld.Answers().describeCluster
        http = FakeHTTPClient { request, _ in
            let url = request.url
            if url.hasPrefix("https://sts.") { return STSReplies.callerIdentity() }
            if url.hasPrefix("https://eks.us-east-1.amazonaws.com/clusters/") { return describe() }
            guard url.hasPrefix(DoctorWorld.endpoint) else { throw HTTPTransportError.connectionFailed("refused") }
            #expect(request.header("Authorization")?.hasPrefix("Bearer k8s-aws-v1.") == true)
            return store.state.withLock { state -> HTTPResponse in
                if let status = state.status {
                    return HTTPResponse(status: status, body: Array(#"{"kind":"Status","message":"no"}"#.utf8))
                }
                func object(_ text: String, _ version: Int) -> String {
                    text.replacingOccurrences(
                        of: "\"resourceVersion\":\"RV\"", with: "\"resourceVersion\":\"\(version)\"")
                }
                let body = String(decoding: request.body, as: UTF8.self)
                switch (request.method, url.hasSuffix("/configmaps/aws-auth")) {
                case ("GET", true):
                    guard let stored = state.object else { return HTTPResponse(status: 404) }
                    let reply = object(stored, state.version)
                    if state.raceNextWrite { state.version += 1 }
                    return HTTPResponse(status: 200, body: Array(reply.utf8))
                case ("PUT", true):
                    guard body.contains("\"resourceVersion\":\"\(state.version)\"") else {
                        return HTTPResponse(status: 409, body: Array(#"{"kind":"Status","reason":"Conflict"}"#.utf8))
                    }
                    state.object = body.replacingOccurrences(
                        of: "\"resourceVersion\":\"\(state.version)\"", with: "\"resourceVersion\":\"RV\"")
                    state.version += 1
                    return HTTPResponse(status: 200, body: request.body)
                case ("POST", false):
                    guard state.object == nil else { return HTTPResponse(status: 409) }
                    state.object = body
                    return HTTPResponse(status: 201, body: request.body)
                default:
                    return HTTPResponse(status: 405)
                }
            }
        }
    }

    var system: SystemContext {
        let http = self.http
        return SystemContext(
            environment: Environment([
                "AWS_ACCESS_KEY_ID": "AKIDAWSAUTHEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_REGION": "us-east-1",
                "HOME": "/home/x",
            ]), clock: .fixed(DoctorWorld.now), fileSystem: InMemoryFileSystem(), http: { http })
    }

    static let served =
        #"{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"aws-auth","namespace":"kube-system","resourceVersion":"RV"},"#
        + #""data":{"mapRoles":"- rolearn: arn:aws:iam::111122223333:role/eks-node\n  username: node\n"}}"#

    func run(_ edit: AWSAuthEdit, dryRun: Bool = false) throws -> AWSAuthEditReport {
        try AWSAuthService(system: system).run(
            AWSAuthEditRequest(edit: edit, place: .cluster(name: "dev", region: nil, profile: nil), dryRun: dryRun))
    }
}

@Suite("aws-auth service")
struct AWSAuthServiceTests {
    typealias F = EditFixtures

    @Test("in place: the file is replaced keeping its mode; an unchanged file is not written again")
    func inPlace() throws {
        let files = InMemoryFileSystem()
        files.write(F.kubectlYAML, to: "/w/aws-auth.yaml", mode: 0o640)
        let system = SystemContext(environment: Environment([:]), clock: .fixed(DoctorWorld.now), fileSystem: files)
        let service = AWSAuthService(system: system)
        let request = AWSAuthEditRequest(edit: F.add(), place: .file(path: "/w/aws-auth.yaml", out: nil))
        let report = try service.run(request)
        #expect(report.written)
        #expect(report.summary == "added the mapRoles entry for \(F.admin) in /w/aws-auth.yaml")
        #expect(files.text(of: "/w/aws-auth.yaml") == report.edited.text)
        #expect(try files.status(of: "/w/aws-auth.yaml")?.mode == 0o640)
        let again = try service.run(request)
        #expect(!again.written)
        #expect(again.summary.hasPrefix("unchanged: "))
    }

    @Test("--out - returns the document for stdout; --dry-run returns the diff and writes nothing")
    func stdoutAndDryRun() throws {
        let files = InMemoryFileSystem()
        files.write(F.kubectlYAML, to: "/w/a.yaml")
        let service = AWSAuthService(
            system: SystemContext(environment: Environment([:]), clock: .fixed(DoctorWorld.now), fileSystem: files))
        let out = try service.run(AWSAuthEditRequest(edit: F.add(), place: .file(path: "/w/a.yaml", out: "-")))
        #expect(out.output == out.edited.text)
        #expect(!out.written)
        let dry = try service.run(
            AWSAuthEditRequest(edit: F.add(), place: .file(path: "/w/a.yaml", out: nil), dryRun: true))
        #expect(dry.output?.contains("+- rolearn: \(F.admin)\n") == true)
        #expect(files.text(of: "/w/a.yaml") == F.kubectlYAML)
        let stdin = try service.run(
            AWSAuthEditRequest(edit: F.add(), place: .text(F.kubectlYAML, source: "stdin", out: nil)))
        #expect(stdin.output == out.edited.text)
    }

    @Test("a missing file is a read error naming it")
    func missingFile() {
        let service = AWSAuthService(
            system: SystemContext(
                environment: Environment([:]), clock: .fixed(DoctorWorld.now), fileSystem: InMemoryFileSystem()))
        #expect(throws: AWSAuthEditError.file(path: "/nope", reason: "No such file or directory", writing: false)) {
            try service.run(AWSAuthEditRequest(edit: F.add(), place: .file(path: "/nope", out: nil)))
        }
    }

    @Test("live: GET, edit, PUT carrying the resourceVersion read; the next edit sees the change")
    func liveAddRemove() throws {
        let world = AWSAuthCluster_World(object: AWSAuthCluster_World.served)
        let added = try world.run(F.add())
        #expect(added.written)
        #expect(
            added.summary == "added the mapRoles entry for \(F.admin) in configmap kube-system/aws-auth of cluster dev")
        let put = try #require(world.http.requests.first { $0.method == "PUT" })
        #expect(String(decoding: put.body, as: UTF8.self).contains(#""resourceVersion":"1""#))
        #expect(put.trustedCertificates == Array(DoctorWorld.pem.utf8))
        #expect(try world.run(F.add()).edited.outcome == .unchanged)
        let removed = try world.run(F.remove(.role(F.admin)))
        #expect(removed.edited.outcome == .removed(1))
        let read = try #require(
            try LiveAWSAuth.fetch(clusterName: "dev", region: nil, profile: nil, system: world.system))
        #expect(read.resourceVersion == "3")
        #expect(try AWSAuthConfig.parse(read.text, source: read.source).entries.map(\.arn) == [F.node])
    }

    @Test("live: a connection explain and migrate made already reads aws-auth without describing the cluster again")
    func fetchFromConnection() throws {
        let world = AWSAuthCluster_World(object: AWSAuthCluster_World.served)
        let connection = try ClusterConnection.connect(
            clusterName: "dev", regionFlag: nil, profileFlag: nil, system: world.system)
        let described = world.http.requests.count
        let read = try #require(try LiveAWSAuth.fetch(from: connection))
        #expect(read.resourceVersion == "1")
        #expect(try AWSAuthConfig.parse(read.text, source: read.source).entries.map(\.arn) == [F.node])
        #expect(world.http.requests.dropFirst(described).map(\.method) == ["GET"])
    }

    @Test("live: a change between GET and PUT is a conflict, and nothing is written")
    func liveConflict() throws {
        let world = AWSAuthCluster_World(object: AWSAuthCluster_World.served)
        world.store.state.withLock { $0.raceNextWrite = true }
        #expect(throws: AWSAuthLiveError.conflict(cluster: "dev", resourceVersion: "1")) { try world.run(F.add()) }
        let error = AWSAuthLiveError.conflict(cluster: "dev", resourceVersion: "1")
        #expect(error.message.contains("nothing was written; run again"))
        #expect(world.store.state.withLock { $0.object } == AWSAuthCluster_World.served)
    }

    @Test("live: no ConfigMap: add creates it with POST; remove is an error unless ignoreMissing")
    func liveCreate() throws {
        let world = AWSAuthCluster_World(object: nil)
        #expect(throws: AWSAuthLiveError.noConfigMap(cluster: "dev")) { try world.run(F.remove(.role(F.admin))) }
        #expect(try world.run(F.remove(.role(F.admin), ignoreMissing: true)).edited.outcome == .unchanged)
        #expect(try LiveAWSAuth.fetch(clusterName: "dev", region: nil, profile: nil, system: world.system) == nil)
        let created = try world.run(F.add())
        #expect(created.written)
        let object = try #require(world.store.state.withLock { $0.object })
        #expect(
            object.hasPrefix(
                #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"aws-auth","namespace":"kube-system"},"data":{"mapRoles":"- rolearn: "#
            ))
        #expect(
            world.http.requests.contains {
                $0.method == "POST" && $0.url.hasSuffix("/api/v1/namespaces/kube-system/configmaps")
            })
    }

    @Test("live: 401 and 403 name the identity refused and point at explain and doctor")
    func liveRefused() throws {
        let world = AWSAuthCluster_World(object: AWSAuthCluster_World.served)
        world.store.state.withLock { $0.status = 403 }
        do {
            _ = try world.run(F.add())
            Issue.record("no error")
        } catch let error as AWSAuthLiveError {
            #expect(error.kind == .denied)
            #expect(
                error.message.contains(
                    "does not allow arn:aws:iam::123456789012:user/alice to get configmap kube-system/aws-auth (HTTP 403 Forbidden): no"
                ))
            #expect(error.hint?.contains("eks-auth explain") == true)
        }
        world.store.state.withLock { $0.status = 401 }
        do {
            _ = try world.run(F.add())
            Issue.record("no error")
        } catch let error as AWSAuthLiveError {
            #expect(
                error.message.contains(
                    "refused the token of arn:aws:iam::123456789012:user/alice (HTTP 401 Unauthorized)"))
            #expect(error.hint?.contains("eks-auth doctor --cluster-name dev") == true)
        }
    }

    @Test("live: a reply that is not a ConfigMap, or is larger than an object can be, is refused")
    func liveBadReplies() throws {
        let world = AWSAuthCluster_World(object: #"{"kind":"Namespace","metadata":{"resourceVersion":"RV"}}"#)
        #expect(throws: AWSAuthLiveError.self) {
            try LiveAWSAuth.fetch(clusterName: "dev", region: nil, profile: nil, system: world.system)
        }
        let padding = String(repeating: "x", count: AWSAuthCluster.maximumReplyBytes)
        world.store.state.withLock {
            $0.object = AWSAuthCluster_World.served.replacingOccurrences(
                of: #""namespace":"kube-system","#, with: #""namespace":"kube-system","pad":"\#(padding)","#)
        }
        do {
            _ = try world.run(F.add())
            Issue.record("no error")
        } catch let error as AWSAuthLiveError {
            #expect(error.message.contains("more than the \(AWSAuthCluster.maximumReplyBytes) read"))
            #expect(error.kind == .unavailable)
        }
        #expect(!world.http.requests.contains { $0.method == "PUT" })
    }
}
