import EKSAuthTestSupport
import Foundation
import Testing
import YAMLDocument

@testable import AWSConfiguration
@testable import AWSSigning
@testable import AWSTransport
@testable import EKSAuthCore
@testable import EKSAuthSystem

@Suite("kubeconfig")
struct KubeconfigTests {
    static let clusterARN = "arn:aws:eks:eu-west-1:123456789012:cluster/dev.my-eks-cluster"
    static let roleARN = "arn:aws:iam::123456789012:role/dev.eks-access.role"

    static func describeReply(status: String = "ACTIVE", outposts: Bool = false) -> HTTPResponse {
        let outpost =
            outposts ? #","id":"5d2f6a1c-outpost-id","outpostConfig":{"controlPlaneInstanceType":"m5.large"}"# : ""
        return HTTPResponse(
            status: 200,
            body: Array(
                """
                {"cluster":{"name":"dev.my-eks-cluster","arn":"\(clusterARN)","endpoint":"https://ABC.gr7.eu-west-1.eks.amazonaws.com",
                "status":"\(status)","certificateAuthority":{"data":"LS0tLS1CRUdJTg=="},"version":"1.32"\(outpost)}}
                """.utf8))
    }

    struct Harness {
        let fileSystem = InMemoryFileSystem()
        let http: FakeHTTPClient
        var environment: Environment = [
            "HOME": "/home/alice", "AWS_ACCESS_KEY_ID": Fixtures.accessKeyID,
            "AWS_SECRET_ACCESS_KEY": Fixtures.secretAccessKey, "AWS_REGION": "eu-west-1",
        ]

        var system: SystemContext {
            let http = self.http
            return SystemContext(
                environment: environment, clock: .fixed(Fixtures.sigV4SuiteDate), fileSystem: fileSystem,
                http: { http })
        }

        func run(_ request: KubeconfigRequest) throws -> KubeconfigResult {
            try KubeconfigService(system: system).run(request)
        }
    }

    static let existing = """
        apiVersion: v1
        kind: Config
        clusters:
        - name: other
          cluster:
            server: https://other.example:6443
        contexts:
        - name: other
          context: {cluster: other, user: other}
        users:
        - name: other
          user:
            token: abc
        current-context: other
        preferences: {}
        """

    @Test("DescribeCluster is a SigV4-signed GET for service eks at the regional endpoint")
    func describeRequest() throws {
        let harness = Harness(http: FakeHTTPClient { _, _ in Self.describeReply() })
        _ = try harness.run(KubeconfigRequest(clusterName: "dev.my-eks-cluster", dryRun: true))
        let request = try #require(harness.http.requests.first)
        #expect(request.method == "GET")
        #expect(request.url == "https://eks.eu-west-1.amazonaws.com/clusters/dev.my-eks-cluster")
        #expect(request.header("Authorization")?.contains("/eu-west-1/eks/aws4_request") == true)
    }

    @Test("a new kubeconfig gets the cluster, an exec user running eks-auth with the role, and a current context")
    func newFile() throws {
        // With a role, DescribeCluster runs as the role (assumed through the cache).
        let harness = Harness(
            http: FakeHTTPClient { request, _ in
                guard request.url.contains("sts.") else { return Self.describeReply() }
                return STSReplies.action(of: request) == "GetCallerIdentity"
                    ? STSReplies.callerIdentity() : STSReplies.assumeRole(expiration: "2015-08-30T13:36:00Z")
            })
        let result = try harness.run(
            KubeconfigRequest(clusterName: "dev.my-eks-cluster", roleARN: Self.roleARN, alias: "dev"))
        #expect(result.path == "/home/alice/.kube/config")
        #expect(result.backup == nil)
        let describe = try #require(harness.http.requests.last)
        #expect(describe.url.hasSuffix("/clusters/dev.my-eks-cluster"))
        #expect(describe.header("Authorization")?.contains("Credential=ASIAASSUMEDEXAMPLE/") == true)
        let text = try #require(harness.fileSystem.text(of: "/home/alice/.kube/config"))
        #expect(try harness.fileSystem.status(of: "/home/alice/.kube/config")?.mode == 0o600)
        let document = try #require(try YAML.compose(text))
        #expect(document["current-context"]?.string == "dev")
        let exec = try #require(document["users"]?[0]?["user"]?["exec"])
        #expect(exec["command"]?.string == "eks-auth")
        #expect(exec["apiVersion"]?.string == "client.authentication.k8s.io/v1beta1")
        #expect(exec["interactiveMode"]?.string == "IfAvailable")
        #expect(exec["provideClusterInfo"]?.scalar?.bool == false)
        #expect(
            exec["args"]?.sequence?.map(\.string) == [
                "token", "--cluster-name", "dev.my-eks-cluster", "--region", "eu-west-1", "--role-arn", Self.roleARN,
            ])
        let clusters = try #require(document["clusters"]?.sequence)
        #expect(clusters.first?["name"]?.string == Self.clusterARN)
        let cluster = try #require(clusters.first?["cluster"])
        #expect(cluster["server"]?.string == "https://ABC.gr7.eu-west-1.eks.amazonaws.com")
        #expect(cluster["certificate-authority-data"]?.string == "LS0tLS1CRUdJTg==")
    }

    @Test("each role gets its own user entry, and replacing an entry that differs is reported")
    func userEntryPerRole() throws {
        #expect(KubeconfigService.userName(cluster: Self.clusterARN, role: nil) == Self.clusterARN)
        #expect(
            KubeconfigService.userName(cluster: Self.clusterARN, role: "arn:aws:iam::1:role/team/k8s-admin")
                == "k8s-admin@\(Self.clusterARN)")
        let cluster = ClusterInfo(
            name: "dev", arn: Self.clusterARN, endpoint: "https://x", certificateAuthorityData: "QQ==", status: "ACTIVE"
        )
        let names = KubeconfigNames(cluster: Self.clusterARN, user: "shared", context: "demo")
        func exec(_ role: String) -> ExecPlugin {
            ExecPlugin(command: "eks-auth", args: ["token", "--role-arn", role], installHint: "h")
        }
        var replaced: [String] = []
        let first = try KubeconfigWriter.merge(
            existing: nil, path: "p", cluster: cluster, names: names, exec: exec("a"), replaced: &replaced)
        #expect(replaced.isEmpty)
        // The same entries again, even written in another style, replace nothing that differed.
        let restyled = first.replacingAll("name: shared", with: "name: 'shared'")
        _ = try KubeconfigWriter.merge(
            existing: restyled, path: "p", cluster: cluster, names: names, exec: exec("a"), replaced: &replaced)
        #expect(replaced.isEmpty)
        _ = try KubeconfigWriter.merge(
            existing: first, path: "p", cluster: cluster, names: names, exec: exec("b"), replaced: &replaced)
        #expect(replaced == ["users entry 'shared'"])
    }

    @Test("merging keeps every other entry and key, backs the old file up, and is idempotent")
    func mergeKeepsOthers() throws {
        let harness = Harness(http: FakeHTTPClient { _, _ in Self.describeReply() })
        harness.fileSystem.write(Self.existing, to: "/home/alice/.kube/config")
        let first = try harness.run(KubeconfigRequest(clusterName: "dev.my-eks-cluster"))
        #expect(first.backup == "/home/alice/.kube/config.eks-auth.bak")
        #expect(harness.fileSystem.text(of: "/home/alice/.kube/config.eks-auth.bak") == Self.existing)
        let second = try harness.run(KubeconfigRequest(clusterName: "dev.my-eks-cluster"))
        #expect(second.text == first.text)
        let document = try #require(try YAML.compose(second.text))
        #expect(document["clusters"]?.sequence?.map { $0["name"]?.string } == ["other", Self.clusterARN])
        #expect(document["users"]?.sequence?.count == 2)
        #expect(document["preferences"] != nil)
        #expect(document["current-context"]?.string == Self.clusterARN)
        #expect(second.text.hasPrefix("apiVersion: v1\nkind: Config\nclusters:\n- name: other\n"))
    }

    @Test("says Added, Updated or already up to date truthfully, and leaves an up-to-date file alone")
    func outcomes() throws {
        let harness = Harness(http: FakeHTTPClient { _, _ in Self.describeReply() })
        let path = "/home/alice/.kube/config"
        let added = try harness.run(KubeconfigRequest(clusterName: "dev.my-eks-cluster"))
        #expect(added.outcome == .added)
        #expect(added.summary == "Added new context \(Self.clusterARN) to \(path)")
        #expect(added.backup == nil)

        let same = try harness.run(KubeconfigRequest(clusterName: "dev.my-eks-cluster"))
        #expect(same.outcome == .unchanged)
        #expect(same.summary == "Context \(Self.clusterARN) in \(path) is already up to date; nothing was written")
        #expect(same.backup == nil && harness.fileSystem.text(of: path + ".eks-auth.bak") == nil)

        // Another style of the same file is still up to date; another user for the context is an update.
        harness.fileSystem.write(
            try #require(harness.fileSystem.text(of: path)).replacingAll("name: ", with: "name:  "), to: path)
        #expect(try harness.run(KubeconfigRequest(clusterName: "dev.my-eks-cluster")).outcome == .unchanged)
        let role = try harness.run(KubeconfigRequest(clusterName: "dev.my-eks-cluster", userAlias: "someone"))
        #expect(role.outcome == .updated)
        #expect(role.summary == "Updated context \(Self.clusterARN) in \(path)")
        #expect(role.backup == path + ".eks-auth.bak")
        // A new context in a file that has others is added.
        let other = try harness.run(KubeconfigRequest(clusterName: "dev.my-eks-cluster", alias: "second"))
        #expect(other.outcome == .added)
    }

    @Test("a kubeconfig that cannot be read says read, not write, and where else to write")
    func unreadable() throws {
        let harness = Harness(http: FakeHTTPClient { _, _ in Self.describeReply() })
        harness.fileSystem.write("apiVersion: v1\n", to: "/home/alice/.kube/config")
        harness.fileSystem.makeUnreadable("/home/alice/.kube/config")
        let error = #expect(throws: KubeconfigError.self) {
            try harness.run(KubeconfigRequest(clusterName: "dev.my-eks-cluster"))
        }
        #expect(error == .cannotRead(path: "/home/alice/.kube/config", reason: "Permission denied"))
        #expect(error?.message == "cannot read /home/alice/.kube/config to merge into it: Permission denied")
        #expect(error?.hint?.hasPrefix("write another file with --kubeconfig PATH") == true)
    }

    @Test("KUBECONFIG's first file is the target, --kubeconfig overrides it, --dry-run writes nothing")
    func paths() throws {
        var harness = Harness(http: FakeHTTPClient { _, _ in Self.describeReply() })
        harness.environment.variables["KUBECONFIG"] = "/work/a.yaml:/work/b.yaml"
        #expect(try harness.run(KubeconfigRequest(clusterName: "dev.my-eks-cluster")).path == "/work/a.yaml")
        let flagged = try harness.run(KubeconfigRequest(clusterName: "dev.my-eks-cluster", kubeconfigPath: "/x/k.yaml"))
        #expect(flagged.path == "/x/k.yaml")
        let dry = try harness.run(
            KubeconfigRequest(clusterName: "dev.my-eks-cluster", kubeconfigPath: "/dry.yaml", dryRun: true))
        #expect(dry.text.contains("command: eks-auth"))
        #expect(harness.fileSystem.text(of: "/dry.yaml") == nil)
    }

    @Test("a named profile is written into the exec args; an Outposts cluster is addressed by its id")
    func profileAndOutposts() throws {
        var harness = Harness(http: FakeHTTPClient { _, _ in Self.describeReply(outposts: true) })
        harness.fileSystem.write(
            "[dev]\naws_access_key_id = AKIDEV\naws_secret_access_key = s\n", to: "/home/alice/.aws/credentials")
        harness.environment.variables["AWS_PROFILE"] = "dev"
        let result = try harness.run(KubeconfigRequest(clusterName: "dev.my-eks-cluster", dryRun: true))
        #expect(result.text.contains("- --cluster-id\n      - 5d2f6a1c-outpost-id"))
        #expect(result.text.contains("- --profile\n      - dev"))
    }

    @Test("a missing or inactive cluster is a clear error and nothing is written")
    func missingOrInactive() throws {
        let missing = Harness(
            http: FakeHTTPClient { _, _ in
                HTTPResponse(
                    status: 404,
                    headers: [HTTPHeader(name: "x-amzn-ErrorType", value: "ResourceNotFoundException:http://x")],
                    body: Array(#"{"message":"No cluster found for name: nope."}"#.utf8))
            })
        #expect(throws: EKSError.clusterNotFound(name: "nope", region: "eu-west-1")) {
            try missing.run(KubeconfigRequest(clusterName: "nope"))
        }
        let creating = Harness(http: FakeHTTPClient { _, _ in Self.describeReply(status: "CREATING") })
        #expect(throws: EKSError.clusterNotActive(name: "dev.my-eks-cluster", status: "CREATING")) {
            try creating.run(KubeconfigRequest(clusterName: "dev.my-eks-cluster"))
        }
        #expect(creating.fileSystem.text(of: "/home/alice/.kube/config") == nil)
    }

    @Test("a file that is not a kubeconfig is refused, not overwritten")
    func malformedExisting() throws {
        let harness = Harness(http: FakeHTTPClient { _, _ in Self.describeReply() })
        harness.fileSystem.write("- just\n- a list\n", to: "/home/alice/.kube/config")
        #expect(throws: KubeconfigError.self) { try harness.run(KubeconfigRequest(clusterName: "dev.my-eks-cluster")) }
        harness.fileSystem.write("clusters: 42\n", to: "/home/alice/.kube/config")
        #expect(throws: KubeconfigError.self) { try harness.run(KubeconfigRequest(clusterName: "dev.my-eks-cluster")) }
        #expect(harness.fileSystem.text(of: "/home/alice/.kube/config") == "clusters: 42\n")
    }

    @Test("names that YAML would read as numbers, booleans or null are quoted; provideClusterInfo stays a boolean")
    func quoting() throws {
        let cluster = ClusterInfo(
            name: "123", arn: Self.clusterARN, endpoint: "https://ABC.gr7.eu-west-1.eks.amazonaws.com",
            certificateAuthorityData: "LS0tLS1CRUdJTg==", status: "ACTIVE")
        let text = try KubeconfigWriter.merge(
            existing: nil, path: "/k", cluster: cluster,
            names: KubeconfigNames(cluster: "123", user: "true", context: "~"),
            exec: ExecPlugin(command: "eks-auth", args: ["token", "--cluster-name", "0x1F"], installHint: "install"))
        #expect(text.contains("- name: \"123\"\n"))
        #expect(text.contains("- name: \"true\"\n"))
        #expect(text.contains("current-context: \"~\"\n"))
        #expect(text.contains("      - \"0x1F\"\n"))
        #expect(text.contains("    provideClusterInfo: false\n"))
        #expect(text.contains("    command: eks-auth\n"))
    }

    @Test("the EKS endpoint follows AWS_ENDPOINT_URL_EKS, FIPS and dual-stack settings")
    func eksEndpoints() throws {
        func host(_ env: Environment, _ region: String = "eu-west-1") throws -> String {
            try STSEndpointResolver(environment: env, profile: nil).resolveEKS(region: region).endpoint.description
        }
        #expect(try host([:]) == "https://eks.eu-west-1.amazonaws.com/")
        #expect(try host([:], "cn-north-1") == "https://eks.cn-north-1.amazonaws.com.cn/")
        #expect(try host(["AWS_USE_FIPS_ENDPOINT": "true"]) == "https://eks-fips.eu-west-1.amazonaws.com/")
        #expect(try host(["AWS_USE_DUALSTACK_ENDPOINT": "true"]) == "https://eks.eu-west-1.api.aws/")
        #expect(try host(["AWS_ENDPOINT_URL_EKS": "http://127.0.0.1:5000"]) == "http://127.0.0.1:5000/")
        #expect(try host(["AWS_ENDPOINT_URL_STS": "http://127.0.0.1:5000"]) == "https://eks.eu-west-1.amazonaws.com/")
    }
}
