import AWSTransport
import EKSAuthTestSupport
import Foundation
import Testing
import YAMLDocument

@testable import EKSAuthCore
@testable import EKSAuthSystem

@Suite("kubeconfig convert: the peers' exec arguments")
struct PeerExecArgumentsTests {
    static let role = "arn:aws:iam::111122223333:role/eks-dev"

    @Test(
        "reads what aws eks update-kubeconfig and aws-iam-authenticator write",
        arguments: [
            (
                "aws", ["--region", "eu-west-1", "eks", "get-token", "--cluster-name", "dev", "--output", "json"],
                ["token", "--cluster-name", "dev", "--region", "eu-west-1"]
            ),
            (
                "/usr/local/bin/aws",
                [
                    "--region", "eu-west-1", "eks", "get-token", "--cluster-name", "dev", "--output", "json", "--role",
                    role,
                ],
                ["token", "--cluster-name", "dev", "--region", "eu-west-1", "--role-arn", role]
            ),
            (
                "aws", ["eks", "get-token", "--cluster-name=dev", "--role-arn", role, "--profile", "p1"],
                ["token", "--cluster-name", "dev", "--role-arn", role, "--profile", "p1"]
            ),
            (
                "aws", ["--region", "us-west-2", "eks", "get-token", "--cluster-id", "5d2f6a1c", "--output", "json"],
                ["token", "--cluster-id", "5d2f6a1c", "--region", "us-west-2"]
            ),
            ("aws-iam-authenticator", ["token", "-i", "dev"], ["token", "--cluster-name", "dev"]),
            (
                "aws-iam-authenticator", ["token", "-i", "dev", "-r", role, "--region", "eu-west-1"],
                ["token", "--cluster-name", "dev", "--region", "eu-west-1", "--role-arn", role]
            ),
            (
                "/opt/bin/aws-iam-authenticator", ["token", "--cluster-id=dev", "--role", role],
                ["token", "--cluster-name", "dev", "--role-arn", role]
            ),
        ])
    func convertible(command: String, args: [String], expected: [String]) {
        guard case .convertible(_, let arguments) = PeerExecArguments.read(command: command, args: args) else {
            Issue.record("not convertible: \(PeerExecArguments.read(command: command, args: args))")
            return
        }
        #expect(arguments == expected)
    }

    @Test(
        "leaves alone what it cannot say exactly, with why",
        arguments: [
            ("aws", ["eks", "get-token", "--cluster-name", "dev", "--debug"], "--debug"),
            ("aws", ["eks", "get-token", "--cluster-name", "dev", "--output", "text"], "--output text"),
            ("aws", ["eks", "describe-cluster", "--name", "dev"], "--name"),
            ("aws", ["sts", "get-caller-identity"], "not 'eks get-token'"),
            ("aws", ["eks", "get-token"], "names no cluster"),
            ("aws", ["eks", "get-token", "--cluster-name", "a", "--cluster-id", "b"], "twice"),
            ("aws", ["eks", "get-token", "--cluster-name"], "no value"),
            ("aws-iam-authenticator", ["token", "-i", "dev", "--external-id", "x"], "--external-id"),
            ("aws-iam-authenticator", ["token", "-i", "dev", "-e", "x"], "-e"),
            ("aws-iam-authenticator", ["token", "-i", "dev", "--cache"], "--cache"),
            ("aws-iam-authenticator", ["token", "-i", "dev", "-s", "me"], "-s"),
            ("aws-iam-authenticator", ["verify", "-i", "dev"], "not 'token'"),
            ("sh", ["-c", "aws eks get-token --cluster-name dev"], "wrapper"),
            ("bash", ["-c", "aws-iam-authenticator token -i dev"], "wrapper"),
        ])
    func unconvertible(command: String, args: [String], reasonPart: String) {
        guard case .unconvertible(let reason) = PeerExecArguments.read(command: command, args: args) else {
            Issue.record("converted: \(PeerExecArguments.read(command: command, args: args))")
            return
        }
        #expect(reason.contains(reasonPart), "\(reason)")
    }

    @Test("a block whose env sets a variable only the authenticator reads is left alone")
    func peerOnlyVariable() {
        #expect(
            PeerExecArguments.read(
                command: "aws-iam-authenticator", args: ["token", "-i", "dev"], environment: ["DEFAULT_ROLE"])
                == .unconvertible(reason: "its env sets DEFAULT_ROLE, which eks-auth does not read"))
    }

    @Test("eks-auth itself and other plugins are not touched")
    func others() {
        #expect(PeerExecArguments.read(command: "/usr/local/bin/eks-auth", args: ["token"]) == .eksAuth)
        #expect(PeerExecArguments.read(command: "gke-gcloud-auth-plugin", args: []) == .other)
        #expect(PeerExecArguments.read(command: "kubelogin", args: ["get-token"]) != .other)
    }
}

@Suite("kubeconfig convert: the file")
struct KubeconfigConverterTests {
    /// What `aws eks update-kubeconfig` (awscli v1) writes, with a comment, another user and an env.
    static let awsWritten = """
        apiVersion: v1
        clusters:
        - cluster:
            certificate-authority-data: LS0tLS1CRUdJTg==
            server: https://ABC.gr7.eu-west-1.eks.amazonaws.com
          name: arn:aws:eks:eu-west-1:111122223333:cluster/dev
        contexts:
        - context:
            cluster: arn:aws:eks:eu-west-1:111122223333:cluster/dev
            user: arn:aws:eks:eu-west-1:111122223333:cluster/dev
          name: arn:aws:eks:eu-west-1:111122223333:cluster/dev
        current-context: arn:aws:eks:eu-west-1:111122223333:cluster/dev
        kind: Config
        preferences: {}
        users:
        # the team's cluster
        - name: arn:aws:eks:eu-west-1:111122223333:cluster/dev
          user:
            exec:
              apiVersion: client.authentication.k8s.io/v1beta1
              args:
              - --region
              - eu-west-1
              - eks
              - get-token
              - --cluster-name
              - dev
              - --output
              - json
              command: aws
              env:
              - name: AWS_PROFILE
                value: team
              interactiveMode: Never
              provideClusterInfo: false
        - name: other
          user:
            token: keep-me   # a static token

        """

    static let converted = """
        apiVersion: v1
        clusters:
        - cluster:
            certificate-authority-data: LS0tLS1CRUdJTg==
            server: https://ABC.gr7.eu-west-1.eks.amazonaws.com
          name: arn:aws:eks:eu-west-1:111122223333:cluster/dev
        contexts:
        - context:
            cluster: arn:aws:eks:eu-west-1:111122223333:cluster/dev
            user: arn:aws:eks:eu-west-1:111122223333:cluster/dev
          name: arn:aws:eks:eu-west-1:111122223333:cluster/dev
        current-context: arn:aws:eks:eu-west-1:111122223333:cluster/dev
        kind: Config
        preferences: {}
        users:
        # the team's cluster
        - name: arn:aws:eks:eu-west-1:111122223333:cluster/dev
          user:
            exec:
              apiVersion: client.authentication.k8s.io/v1beta1
              args:
              - token
              - --cluster-name
              - dev
              - --region
              - eu-west-1
              command: eks-auth
              env:
              - name: AWS_PROFILE
                value: team
              interactiveMode: Never
              provideClusterInfo: false
        - name: other
          user:
            token: keep-me   # a static token

        """

    @Test("converts in place: only command and args change, comments and everything else stay byte for byte")
    func inPlace() throws {
        let result = try KubeconfigConverter.convert(Self.awsWritten, path: "/k")
        #expect(result.text == Self.converted)
        #expect(result.editedInPlace)
        #expect(result.converted == [.init(user: "arn:aws:eks:eu-west-1:111122223333:cluster/dev", peer: .awsCLI)])
    }

    @Test("converting again changes nothing")
    func idempotent() throws {
        let again = try KubeconfigConverter.convert(Self.converted, path: "/k")
        #expect(again.text == Self.converted)
        #expect(again.converted.isEmpty)
        #expect(again.alreadyEKSAuth == ["arn:aws:eks:eu-west-1:111122223333:cluster/dev"])
    }

    @Test("a JSON kubeconfig is written out again as YAML, values and order kept")
    func json() throws {
        let text = """
            {"apiVersion": "v1", "kind": "Config", "users": [{"name": "u", "user": {"exec": {
            "apiVersion": "client.authentication.k8s.io/v1beta1", "command": "aws-iam-authenticator",
            "args": ["token", "-i", "dev", "-r", "arn:aws:iam::111122223333:role/x"],
            "env": [{"name": "AWS_REGION", "value": "eu-west-1"}], "provideClusterInfo": false}}}]}
            """
        let result = try KubeconfigConverter.convert(text, path: "/k")
        #expect(!result.editedInPlace)
        let exec = try #require(try YAML.compose(result.text)?["users"]?[0]?["user"]?["exec"])
        #expect(exec["command"]?.string == "eks-auth")
        #expect(
            exec["args"]?.sequence?.compactMap(\.string) == [
                "token", "--cluster-name", "dev", "--role-arn", "arn:aws:iam::111122223333:role/x",
            ])
        #expect(exec["env"]?[0]?["value"]?.string == "eu-west-1")
        #expect(exec["provideClusterInfo"]?.scalar?.bool == false)
        #expect(
            exec.mapping?.map { $0.key.scalar?.text ?? "" } == [
                "apiVersion", "command", "args", "env", "provideClusterInfo",
            ])
    }

    @Test("users it cannot convert are listed with why and left byte for byte; --user picks users")
    func leftAloneAndOnly() throws {
        let text = """
            users:
            - name: a
              user:
                exec:
                  command: aws-iam-authenticator
                  args: [token, -i, dev, --cache]
            - name: b
              user:
                exec:
                  apiVersion: client.authentication.k8s.io/v1beta1
                  command: aws-iam-authenticator
                  args:
                    - token
                    - -i
                    - dev
            - name: c
              user:
                exec:
                  command: aws
                  args: ["eks", "get-token", "--cluster-name", "c"]

            """
        let result = try KubeconfigConverter.convert(text, path: "/k", users: ["a", "b"])
        #expect(result.leftAlone.map(\.user) == ["a"])
        #expect(result.converted.map(\.user) == ["b"])
        #expect(result.editedInPlace)
        #expect(
            result.text
                == text.replacingOccurrences(
                    of: "command: aws-iam-authenticator\n      args:\n        - token\n        - -i\n        - dev",
                    with: "command: eks-auth\n      args:\n        - token\n        - --cluster-name\n        - dev"))
    }

    @Test("a flow-style args list is replaced by a block list, and values that need quotes get them")
    func flowAndQuoting() throws {
        let text = """
            users:
            - name: u
              user:
                exec:
                  command: aws   # from update-kubeconfig
                  args: [--region, eu-west-1, eks, get-token, --cluster-name, "123", --profile, "a b"]
            """
        let result = try KubeconfigConverter.convert(text, path: "/k")
        #expect(
            result.text == """
                users:
                - name: u
                  user:
                    exec:
                      command: eks-auth
                      args:
                      - token
                      - --cluster-name
                      - '123'
                      - --region
                      - eu-west-1
                      - --profile
                      - 'a b'
                """)
    }

    @Test("a file that is not a kubeconfig is an error naming it")
    func malformed() {
        #expect(throws: KubeconfigConvertError.malformed(path: "/k", reason: "not a YAML mapping")) {
            try KubeconfigConverter.convert("- a\n", path: "/k")
        }
    }
}

@Suite("kubeconfig convert: files, backup and restore")
struct KubeconfigConvertServiceTests {
    static let path = "/home/alice/.kube/config"

    static func service(_ fileSystem: InMemoryFileSystem, _ environment: Environment = ["HOME": "/home/alice"])
        -> KubeconfigConvertService
    {
        KubeconfigConvertService(
            system: SystemContext(
                environment: environment, clock: .fixed(Fixtures.sigV4SuiteDate), fileSystem: fileSystem,
                http: { FakeHTTPClient { _, _ in HTTPResponse(status: 500, body: []) } }))
    }

    @Test("writes the converted file with its mode, keeps a backup, and restores it")
    func writeAndRestore() throws {
        let fileSystem = InMemoryFileSystem()
        fileSystem.write(KubeconfigConverterTests.awsWritten, to: Self.path, mode: 0o640)
        let result = try Self.service(fileSystem).run(KubeconfigConvertRequest())
        #expect(fileSystem.text(of: Self.path) == KubeconfigConverterTests.converted)
        #expect(try fileSystem.status(of: Self.path)?.mode == 0o640)
        #expect(fileSystem.text(of: Self.path + ".eks-auth-convert.bak") == KubeconfigConverterTests.awsWritten)
        #expect(result.summary.contains("the previous file is kept at \(Self.path).eks-auth-convert.bak"))

        // Again: nothing to do, nothing written, the backup stays the first file.
        let again = try Self.service(fileSystem).run(KubeconfigConvertRequest())
        #expect(again.files.first?.written == false)
        #expect(fileSystem.text(of: Self.path + ".eks-auth-convert.bak") == KubeconfigConverterTests.awsWritten)

        let restored = try Self.service(fileSystem).run(KubeconfigConvertRequest(restore: true))
        #expect(restored.summary == "Restored \(Self.path) from \(Self.path).eks-auth-convert.bak")
        #expect(fileSystem.text(of: Self.path) == KubeconfigConverterTests.awsWritten)
        #expect(try fileSystem.status(of: Self.path)?.mode == 0o640)
    }

    @Test("restore refuses when the file changed since it was converted")
    func restoreRefuses() throws {
        let fileSystem = InMemoryFileSystem()
        fileSystem.write(KubeconfigConverterTests.awsWritten, to: Self.path)
        _ = try Self.service(fileSystem).run(KubeconfigConvertRequest())
        let edited = KubeconfigConverterTests.converted + "# added later\n"
        fileSystem.write(edited, to: Self.path)
        #expect(
            throws: KubeconfigConvertError.changedSinceConvert(
                path: Self.path, backup: Self.path + ".eks-auth-convert.bak")
        ) { try Self.service(fileSystem).run(KubeconfigConvertRequest(restore: true)) }
        #expect(fileSystem.text(of: Self.path) == edited)
    }

    @Test("restore without a backup is an error")
    func noBackup() {
        let fileSystem = InMemoryFileSystem()
        #expect(throws: KubeconfigConvertError.noBackup(paths: [Self.path + ".eks-auth-convert.bak"])) {
            try Self.service(fileSystem).run(KubeconfigConvertRequest(restore: true))
        }
    }

    @Test("dry run returns the diff and writes nothing")
    func dryRun() throws {
        let fileSystem = InMemoryFileSystem()
        fileSystem.write(KubeconfigConverterTests.awsWritten, to: Self.path)
        let result = try Self.service(fileSystem).run(KubeconfigConvertRequest(dryRun: true))
        #expect(fileSystem.text(of: Self.path) == KubeconfigConverterTests.awsWritten)
        #expect(fileSystem.text(of: Self.path + ".eks-auth-convert.bak") == nil)
        #expect(
            result.diff == """
                --- \(Self.path)
                +++ \(Self.path) (converted)
                @@ -19,15 +19,12 @@
                     exec:
                       apiVersion: client.authentication.k8s.io/v1beta1
                       args:
                -      - --region
                -      - eu-west-1
                -      - eks
                -      - get-token
                +      - token
                       - --cluster-name
                       - dev
                -      - --output
                -      - json
                -      command: aws
                +      - --region
                +      - eu-west-1
                +      command: eks-auth
                       env:
                       - name: AWS_PROFILE
                         value: team

                """)
    }

    @Test("every KUBECONFIG file is converted, missing ones skipped; --kubeconfig picks one")
    func kubeconfigList() throws {
        let fileSystem = InMemoryFileSystem()
        fileSystem.write(KubeconfigConverterTests.awsWritten, to: "/a")
        fileSystem.write(KubeconfigConverterTests.awsWritten, to: "/c")
        let environment: Environment = ["HOME": "/home/alice", "KUBECONFIG": "/a:/b:/c"]
        _ = try Self.service(fileSystem, environment).run(KubeconfigConvertRequest(kubeconfigPath: "/c"))
        #expect(fileSystem.text(of: "/a") == KubeconfigConverterTests.awsWritten)
        #expect(fileSystem.text(of: "/c") == KubeconfigConverterTests.converted)
        fileSystem.write(KubeconfigConverterTests.awsWritten, to: "/c")
        let result = try Self.service(fileSystem, environment).run(KubeconfigConvertRequest())
        #expect(result.files.map(\.path) == ["/a", "/c"])
        #expect(fileSystem.text(of: "/a") == KubeconfigConverterTests.converted)
        #expect(fileSystem.text(of: "/c") == KubeconfigConverterTests.converted)
    }

    @Test("--user naming no user is an error, before anything is written")
    func unknownUser() {
        let fileSystem = InMemoryFileSystem()
        fileSystem.write(KubeconfigConverterTests.awsWritten, to: Self.path)
        #expect(throws: KubeconfigConvertError.userNotFound(names: ["nobody"], paths: [Self.path])) {
            try Self.service(fileSystem).run(KubeconfigConvertRequest(users: ["other", "nobody"]))
        }
        #expect(fileSystem.text(of: Self.path) == KubeconfigConverterTests.awsWritten)
    }
}

@Suite("unified diff")
struct UnifiedDiffTests {
    @Test("equal texts have no diff; a change far from another gets its own hunk")
    func hunks() {
        #expect(UnifiedDiff.diff("a\n", "a\n", oldLabel: "x", newLabel: "y") == "")
        let old = (1...20).map { "l\($0)" }.joined(separator: "\n") + "\n"
        let new = old.replacingOccurrences(of: "l2\n", with: "L2\n").replacingOccurrences(of: "l18\n", with: "")
        #expect(
            UnifiedDiff.diff(old, new, oldLabel: "x", newLabel: "y") == """
                --- x
                +++ y
                @@ -1,5 +1,5 @@
                 l1
                -l2
                +L2
                 l3
                 l4
                 l5
                @@ -15,6 +15,5 @@
                 l15
                 l16
                 l17
                -l18
                 l19
                 l20

                """)
    }
}
