import EKSAuthTestSupport
import Testing

@testable import EKSAuthCore
@testable import EKSAuthSystem

@Suite("CompletionCandidates: names a shell offers for flag values")
struct CompletionCandidatesTests {
    static let home = "/home/u"

    static func candidates(_ files: [String: String], environment: [String: String] = [:]) -> CompletionCandidates {
        var variables = environment
        variables["HOME"] = home
        return CompletionCandidates(environment: Environment(variables), fileSystem: InMemoryFileSystem(files))
    }

    static let kubeconfig = """
        apiVersion: v1
        kind: Config
        clusters:
        - name: arn:aws:eks:eu-west-1:111122223333:cluster/prod-a
          cluster: {server: https://a.example}
        - name: arn:aws-cn:eks:cn-north-1:111122223333:cluster/cn-b
          cluster: {server: https://b.example}
        - name: kind-local
          cluster: {server: https://127.0.0.1:6443}
        - name: arn:aws:iam::111122223333:role/not-a-cluster
          cluster: {server: https://c.example}
        users:
        - name: eks-user
          user:
            exec:
              command: eks-auth
              args: [token, --cluster-name, staging, --region, eu-west-1]
        - name: aws-cli-user
          user:
            exec:
              command: aws
              args: [--region, us-east-1, eks, get-token, --cluster-name=legacy]
        - name: authenticator-user
          user:
            exec:
              command: aws-iam-authenticator
              args: [token, -i, old-cluster]
        - name: token-user
          user: {token: abc}
        contexts:
        - name: prod
          context: {cluster: arn:aws:eks:eu-west-1:111122223333:cluster/prod-a, user: eks-user}
        - name: local
          context: {cluster: kind-local, user: token-user}
        """

    @Test("profiles are those of both files, config first, as config list-profiles lists them")
    func profilesOfBothFiles() {
        let files = [
            "/home/u/.aws/config": "[default]\nregion = us-east-1\n[profile dev]\n[sso-session corp]\n[profile prod]\n",
            "/home/u/.aws/credentials":
                "[ci]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = s3cr3t\n[dev]\n",
        ]
        #expect(Self.candidates(files).profiles() == ["default", "dev", "prod", "ci"])
    }

    @Test("AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE choose the files")
    func profilesFromEnvironmentPaths() {
        let files = ["/etc/aws/config": "[profile elsewhere]\n", "/home/u/.aws/config": "[profile home]\n"]
        let environment = ["AWS_CONFIG_FILE": "/etc/aws/config", "AWS_SHARED_CREDENTIALS_FILE": "/none"]
        #expect(Self.candidates(files, environment: environment).profiles() == ["elsewhere"])
    }

    @Test("a malformed or missing config gives no profiles, without throwing")
    func brokenConfigGivesNothing() {
        #expect(Self.candidates(["/home/u/.aws/config": "[profile dev\nregion = x\n"]).profiles() == [])
        #expect(Self.candidates([:]).profiles() == [])
        let unreadable = InMemoryFileSystem(["/home/u/.aws/config": "[profile dev]\n"])
        unreadable.makeUnreadable("/home/u/.aws/config")
        #expect(
            CompletionCandidates(environment: Environment(["HOME": Self.home]), fileSystem: unreadable).profiles() == []
        )
    }

    @Test("cluster names come from EKS cluster ARNs and exec blocks' cluster flags, once each")
    func clusterNames() {
        let names = Self.candidates(["/home/u/.kube/config": Self.kubeconfig]).clusterNames()
        #expect(names == ["prod-a", "cn-b", "staging", "legacy", "old-cluster"])
    }

    @Test("context and user names are the kubeconfig's, in file order")
    func contextAndUserNames() {
        let candidates = Self.candidates(["/home/u/.kube/config": Self.kubeconfig])
        #expect(candidates.contextNames() == ["prod", "local"])
        #expect(candidates.userNames() == ["eks-user", "aws-cli-user", "authenticator-user", "token-user"])
    }

    @Test("--kubeconfig on the command line wins over KUBECONFIG; KUBECONFIG's files are all read")
    func kubeconfigChoice() {
        let one = "contexts:\n- name: one\n  context: {}\n"
        let two = "contexts:\n- name: two\n  context: {}\n"
        let files = ["/k/one": one, "/k/two": two, "/home/u/.kube/config": Self.kubeconfig]
        let listed = Self.candidates(files, environment: ["KUBECONFIG": "/k/one::/k/missing:/k/two"])
        #expect(listed.contextNames() == ["one", "two"])
        #expect(listed.contextNames(kubeconfig: "/k/two") == ["two"])
        #expect(Self.candidates(files).contextNames(kubeconfig: "~/.kube/config") == ["prod", "local"])
    }

    @Test("the --kubeconfig value is found in the shell words, either spelling, quotes taken off")
    func kubeconfigFlagInWords() {
        #expect(CompletionCandidates.kubeconfigFlag(in: ["eks-auth", "kubeconfig", "--kubeconfig", "/a"]) == "/a")
        #expect(CompletionCandidates.kubeconfigFlag(in: ["kubeconfig", "--kubeconfig='/a b'", "--alias"]) == "/a b")
        #expect(CompletionCandidates.kubeconfigFlag(in: ["kubeconfig", "--alias", ""]) == nil)
        #expect(CompletionCandidates.kubeconfigFlag(in: ["kubeconfig", "--kubeconfig"]) == nil)
    }

    @Test("a kubeconfig that is not YAML, not a mapping or has the wrong shapes gives no names")
    func brokenKubeconfigGivesNothing() {
        for text in ["{{{{", "- a\n- b\n", "clusters: 3\ncontexts: {a: b}\nusers: [1, [2]]\n", "\u{0}\u{1}"] {
            let candidates = Self.candidates(["/home/u/.kube/config": text])
            #expect(candidates.clusterNames() == [])
            #expect(candidates.contextNames() == [])
            #expect(candidates.userNames() == [])
        }
    }

    @Test("names a shell would expand (a command substitution, braces, quotes) are left out")
    func shellExpandedNames() {
        let hostile = ["$(touch x)", "`id`", "<(id)", ">(id)", "a{b,c}", "~root", "it's", "say\"x\"", "back\\slash"]
        #expect(
            CompletionCandidates.bounded(hostile + ["dev", "with space", "a;b|c&d", "x(y)"]) == [
                "dev", "with space", "a;b|c&d", "x(y)",
            ])
    }

    @Test("names with control characters, empty or over-long names are left out; at most 1,000 are given")
    func boundedNames() {
        let long = String(repeating: "x", count: CompletionCandidates.maximumLength + 1)
        #expect(
            CompletionCandidates.bounded(["ok", "", "a\nb", "esc\u{1b}[31m", "c1\u{85}", long, "ok", "ünï"])
                == ["ok", "ünï"])
        let many = (0..<5_000).map { "p\($0)" }
        #expect(CompletionCandidates.bounded(many) == Array(many.prefix(CompletionCandidates.maximumCount)))
    }
}
