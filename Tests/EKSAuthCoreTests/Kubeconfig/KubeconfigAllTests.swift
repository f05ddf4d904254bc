import AWSTransport
import EKSAuthTestSupport
import Foundation
import Synchronization
import Testing
import YAMLDocument

@testable import EKSAuthCore
@testable import EKSAuthSystem

@Suite("kubeconfig --all: name templates")
struct KubeconfigNameTemplateTests {
    @Test("renders each placeholder")
    func render() throws {
        let template = try KubeconfigNameTemplate("{account}/{region}/{cluster}:{role}", flag: "--alias", roles: true)
        #expect(
            template.render(cluster: "dev", region: "eu-west-1", account: "111122223333", role: "admin")
                == "111122223333/eu-west-1/dev:admin")
        #expect(template.used == ["account", "region", "cluster", "role"])
    }

    @Test(
        "refuses unknown placeholders, an unclosed brace, {role} without roles, and an empty name",
        arguments: [
            ("{cluster}-{zone}", true, "unknown placeholder {zone}; use {cluster}, {region}, {account}, {role}"),
            ("{cluster", true, "a '{' has no '}'"),
            ("{role}@{cluster}", false, "{role} needs --role-arn"),
            ("", false, "a name must be non-empty text on one line"),
        ])
    func refuses(text: String, roles: Bool, reason: String) {
        #expect(throws: KubeconfigAllError.badTemplate(flag: "--alias", template: text, reason: reason)) {
            try KubeconfigNameTemplate(text, flag: "--alias", roles: roles)
        }
    }

    @Test("a name with a line break is refused, shown escaped")
    func lineBreak() {
        #expect(throws: (any Error).self) { try KubeconfigNameTemplate("a\n{cluster}", flag: "--alias", roles: false) }
    }
}

@Suite("kubeconfig --all: scanning, merging and pruning")
struct KubeconfigAllServiceTests {
    static let account = "123456789012"

    static func arn(_ region: String, _ name: String) -> String {
        "arn:aws:eks:\(region):\(account):cluster/\(name)"
    }

    /// The signing region of a request (from its credential scope).
    static func region(of request: HTTPRequest) -> String {
        let authorization = request.headers.first { $0.name.lowercased() == "authorization" }?.value ?? ""
        let scope = authorization.split(separator: "/")
        return scope.count > 2 ? String(scope[2]) : ""
    }

    /// An AWS with `clusters` per region; `denied` regions answer AccessDeniedException.
    static func aws(_ clusters: [String: [String]], denied: Set<String> = []) -> FakeHTTPClient {
        FakeHTTPClient { request, _ in
            if request.url.contains("sts.") { return STSReplies.callerIdentity() }
            if request.url.contains("ec2.") {
                let items = clusters.keys.sorted().map {
                    "<item><regionName>\($0)</regionName><optInStatus>opt-in-not-required</optInStatus></item>"
                }
                let xml =
                    "<DescribeRegionsResponse><regionInfo>\(items.joined())<item><regionName>ap-east-1</regionName>"
                    + "<optInStatus>not-opted-in</optInStatus></item></regionInfo></DescribeRegionsResponse>"
                return HTTPResponse(status: 200, body: Array(xml.utf8))
            }
            let region = Self.region(of: request)
            if denied.contains(region) {
                return HTTPResponse(
                    status: 403, headers: [HTTPHeader(name: "x-amzn-ErrorType", value: "AccessDeniedException")],
                    body: Array(#"{"message":"not authorized"}"#.utf8))
            }
            let path = String(request.url.split(separator: "?").first ?? "")
            if path.hasSuffix("/clusters") {
                let names = (clusters[region] ?? []).map { "\"\($0)\"" }.joined(separator: ",")
                return HTTPResponse(status: 200, body: Array(#"{"clusters":[\#(names)]}"#.utf8))
            }
            let name = String(path.split(separator: "/").last ?? "")
            return HTTPResponse(
                status: 200,
                body: Array(
                    """
                    {"cluster":{"name":"\(name)","arn":"\(arn(region, name))","endpoint":"https://\(name).\(region).eks.example",
                    "status":"ACTIVE","certificateAuthority":{"data":"Q0E="}}}
                    """.utf8))
        }
    }

    /// The progress lines a run reported.
    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
    }

    static func service(_ fileSystem: InMemoryFileSystem, _ http: FakeHTTPClient, progress: Lines? = nil)
        -> KubeconfigAllService
    {
        KubeconfigAllService(
            system: SystemContext(
                environment: [
                    "HOME": "/home/alice", "AWS_ACCESS_KEY_ID": Fixtures.accessKeyID,
                    "AWS_SECRET_ACCESS_KEY": Fixtures.secretAccessKey, "AWS_REGION": "us-east-1",
                ],
                clock: .fixed(Fixtures.sigV4SuiteDate), fileSystem: fileSystem, http: { http }),
            progress: { line in progress?.lines.withLock { $0.append(line) } })
    }

    static let path = "/home/alice/.kube/config"

    @Test("asks EC2 for the enabled regions, then writes a context per cluster and keeps the current context")
    func everyRegion() throws {
        let fileSystem = InMemoryFileSystem()
        fileSystem.write(
            "apiVersion: v1\nkind: Config\ncurrent-context: mine\ncontexts:\n- name: mine\n  context: {}\n",
            to: Self.path)
        let http = Self.aws(["eu-west-1": ["a", "b"], "us-east-1": ["a"]])
        let progress = Lines()
        let result = try Self.service(fileSystem, http, progress: progress).run(
            KubeconfigAllRequest(alias: "{cluster}@{region}"))
        #expect(result.regions == ["eu-west-1", "us-east-1"])
        #expect(result.added == ["a@eu-west-1", "b@eu-west-1", "a@us-east-1"])
        // One line per region, numbered as they finish (in parallel, so in either order).
        let lines = progress.lines.withLock { $0 }
        #expect(
            lines.count == 2 && lines.contains { $0.hasPrefix("[1/2] ") } && lines.contains { $0.hasPrefix("[2/2] ") })
        #expect(Set(lines.map { $0.dropFirst(6) }) == ["eu-west-1: 2 clusters", "us-east-1: 1 cluster"])
        let text = try #require(fileSystem.text(of: Self.path))
        let root = try #require(try YAML.compose(text))
        #expect(root["current-context"]?.string == "mine")
        let users = root["users"]?.sequence ?? []
        #expect(
            users.first { $0["name"]?.string == Self.arn("us-east-1", "a") }?["user"]?["exec"]?["args"]?.sequence?
                .compactMap(\.string) == ["token", "--cluster-name", "a", "--region", "us-east-1"])
        #expect(fileSystem.text(of: Self.path + ".eks-auth.bak") != nil)

        // Again: all up to date, nothing written.
        let again = try Self.service(fileSystem, http).run(KubeconfigAllRequest(alias: "{cluster}@{region}"))
        #expect(again.unchanged.count == 3 && !again.written)
    }

    @Test("two clusters that would share a name are refused before anything is written")
    func clash() {
        let fileSystem = InMemoryFileSystem()
        #expect(
            throws: KubeconfigAllError.nameClash(
                kind: "context", name: "a", first: Self.arn("eu-west-1", "a"), second: Self.arn("us-east-1", "a"))
        ) {
            try Self.service(fileSystem, Self.aws(["eu-west-1": ["a"], "us-east-1": ["a"]])).run(
                KubeconfigAllRequest(regions: ["eu-west-1", "us-east-1"], alias: "{cluster}"))
        }
        #expect(fileSystem.text(of: Self.path) == nil)
    }

    @Test("a region that fails is reported and the others are written")
    func failingRegion() throws {
        let fileSystem = InMemoryFileSystem()
        let result = try Self.service(
            fileSystem, Self.aws(["eu-west-1": ["a"], "us-east-1": ["b"]], denied: ["us-east-1"])
        ).run(KubeconfigAllRequest(regions: ["eu-west-1", "us-east-1"]))
        #expect(result.failures.map { $0.region } == ["us-east-1"])
        #expect(result.failures.first?.kind == .denied)
        #expect(result.added == [Self.arn("eu-west-1", "a")])
        #expect(result.written)
    }

    @Test("prune removes only eks-auth's contexts of clusters gone from the regions scanned, and their entries")
    func prune() throws {
        let gone = Self.arn("eu-west-1", "gone")
        let kept = Self.arn("eu-west-1", "a")
        let unscanned = Self.arn("ap-south-1", "x")
        let foreign = "arn:aws:eks:eu-west-1:999999999999:cluster/gone"
        var root: YAMLMapping = try #require(
            try YAML.compose(
                """
                clusters:
                - {name: \(gone), cluster: {server: https://g}}
                - {name: \(unscanned), cluster: {server: https://x}}
                - {name: \(foreign), cluster: {server: https://f}}
                - {name: \(kept), cluster: {server: https://a}}
                users:
                - {name: ours, user: {exec: {command: /usr/local/bin/eks-auth, args: [token]}}}
                - {name: shared, user: {exec: {command: eks-auth, args: [token]}}}
                - {name: aws, user: {exec: {command: aws, args: [eks, get-token]}}}
                contexts:
                - {name: gone, context: {cluster: \(gone), user: ours}}
                - {name: gone-too, context: {cluster: \(gone), user: shared}}
                - {name: gone-by-aws, context: {cluster: \(gone), user: aws}}
                - {name: unscanned, context: {cluster: \(unscanned), user: shared}}
                - {name: foreign, context: {cluster: \(foreign), user: ours}}
                - {name: kept, context: {cluster: \(kept), user: shared}}
                current-context: gone
                """)?.mapping)
        let removed = KubeconfigAllService.prune(
            &root, found: [kept], account: Self.account, regions: ["eu-west-1"])
        #expect(removed == ["gone", "gone-too"])
        #expect(
            root["contexts"]?.sequence?.compactMap { $0["name"]?.string } == [
                "gone-by-aws", "unscanned", "foreign", "kept",
            ])
        // `ours` is still used by `foreign`, `shared` by `unscanned` and `kept`; the cluster by `gone-by-aws`.
        #expect(root["users"]?.sequence?.count == 3)
        #expect(root["clusters"]?.sequence?.count == 4)
        #expect(root["current-context"] == nil)
    }

    @Test("--regions names are checked")
    func badRegion() {
        #expect(throws: KubeconfigAllError.badRegion("eu west")) {
            try Self.service(InMemoryFileSystem(), Self.aws([:])).run(KubeconfigAllRequest(regions: ["eu west"]))
        }
    }
}
