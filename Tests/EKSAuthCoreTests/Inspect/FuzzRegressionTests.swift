import EKSAuthTestSupport
import Testing

@testable import AWSConfiguration
@testable import AWSSigning
@testable import EKSAuthCore
@testable import EKSAuthSystem

/// Inputs the fuzzers found (Tests/Fuzz/Corpus/*/regression-*): each must end in an answer or a clear
/// error, never a trap or a hang.
@Suite("Fuzzing regressions")
struct FuzzRegressionTests {
    /// Nine levels of ten aliases: 10^9 scalars once expanded, from about 500 bytes.
    static let aliasBomb = (1..<9).reduce("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n") { text, level in
        text + "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]\n"
    }

    @Test(
        "aws-auth documents that trapped or hung the old YAML reader are refused as unreadable",
        arguments: [
            ("a sequence as a mapping key", "{[a]: b}"),
            ("a mapping as a mapping key", "? {x: y}\n: z\n"),
            ("an alias bomb", aliasBomb + "mapRoles: *a8\n"),
        ])
    func awsAuthRefused(name: String, text: String) {
        #expect(throws: InspectError.self, "\(name)") { try AWSAuthConfig.parse(text, source: "test.yaml") }
    }

    @Test("a mapRoles string whose YAML has a mapping as a key is reported, not a crash")
    func nonScalarKeyInMapRoles() throws {
        let config = try AWSAuthConfig.parse("data:\n  mapRoles: \"- {? {x: y}: z}\"\n", source: "test.yaml")
        #expect(config.entries.isEmpty)
        #expect(!config.problems.isEmpty)
    }

    @Test("a kubeconfig alias bomb is refused at once, not written out node by node")
    func kubeconfigAliasBomb() {
        let cluster = ClusterInfo(
            name: "dev", arn: "arn:aws:eks:eu-west-1:123456789012:cluster/dev", endpoint: "https://x",
            certificateAuthorityData: "LS0t", status: "ACTIVE")
        let names = KubeconfigNames(cluster: cluster.arn, user: cluster.arn, context: cluster.arn)
        let exec = ExecPlugin(command: "eks-auth", args: ["token"], installHint: "")
        let error = #expect(throws: KubeconfigError.self) {
            try KubeconfigWriter.merge(
                existing: Self.aliasBomb, path: "config", cluster: cluster, names: names, exec: exec)
        }
        guard case .malformed(let path, let reason)? = error else { return }
        #expect(path == "config" && reason.contains("200000"), "\(reason)")
    }
}
