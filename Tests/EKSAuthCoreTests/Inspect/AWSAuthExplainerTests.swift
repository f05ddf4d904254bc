import EKSAuthTestSupport
import Foundation
import Testing

@testable import AWSConfiguration
@testable import AWSSigning
@testable import AWSTransport
@testable import EKSAuthCore
@testable import EKSAuthSystem

/// aws-auth documents in every form `kubectl` and people write them.
enum AWSAuthDocuments {
    static let roleARN = "arn:aws:iam::123456789012:role/dev.eks-access.role"
    static let aliceSession = "arn:aws:sts::123456789012:assumed-role/dev.eks-access.role/alice"
    static let aliceUser = "arn:aws:iam::123456789012:user/alice"

    /// `kubectl get configmap aws-auth -n kube-system -o yaml`.
    static let configMapYAML = """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: aws-auth
          namespace: kube-system
        data:
          mapRoles: |
            - rolearn: arn:aws:iam::123456789012:role/dev.eks-access.role
              username: dev:{{SessionName}}
              groups:
                - system:masters
                - dev-team
            - rolearn: arn:aws:iam::123456789012:role/eks-node-role
              username: system:node:{{EC2PrivateDNSName}}
              groups:
                - system:bootstrappers
                - system:nodes
          mapUsers: |
            - userarn: arn:aws:iam::123456789012:user/alice
              username: alice
              groups:
                - viewers
          mapAccounts: |
            - "210987654321"
        """

    /// The same ConfigMap as `kubectl … -o json` prints it.
    static let configMapJSON = """
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "aws-auth", "namespace": "kube-system"},
            "data": {
                "mapRoles": "- rolearn: arn:aws:iam::123456789012:role/dev.eks-access.role\\n  username: dev:{{SessionName}}\\n  groups:\\n    - system:masters\\n    - dev-team\\n- rolearn: arn:aws:iam::123456789012:role/eks-node-role\\n  username: system:node:{{EC2PrivateDNSName}}\\n  groups:\\n    - system:bootstrappers\\n    - system:nodes\\n",
                "mapUsers": "- userarn: arn:aws:iam::123456789012:user/alice\\n  username: alice\\n  groups:\\n    - viewers\\n",
                "mapAccounts": "- \\"210987654321\\"\\n"
            }
        }
        """

    /// Only the `data` block, strings as in the ConfigMap.
    static let dataOnly = """
        mapRoles: |
          - rolearn: arn:aws:iam::123456789012:role/dev.eks-access.role
            username: dev:{{SessionName}}
            groups:
              - system:masters
              - dev-team
          - rolearn: arn:aws:iam::123456789012:role/eks-node-role
            username: system:node:{{EC2PrivateDNSName}}
            groups: [system:bootstrappers, system:nodes]
        mapUsers: |
          - userarn: arn:aws:iam::123456789012:user/alice
            username: alice
            groups: [viewers]
        mapAccounts: |
          - "210987654321"
        """

    /// Lists written directly instead of YAML strings.
    static let lists = """
        data:
          mapRoles:
            - rolearn: arn:aws:iam::123456789012:role/dev.eks-access.role
              username: dev:{{SessionName}}
              groups: [system:masters, dev-team]
            - rolearn: arn:aws:iam::123456789012:role/eks-node-role
              username: system:node:{{EC2PrivateDNSName}}
              groups: [system:bootstrappers, system:nodes]
          mapUsers:
            - userarn: arn:aws:iam::123456789012:user/alice
              username: alice
              groups: [viewers]
          mapAccounts:
            - 210987654321
        """

    static func parse(_ text: String) throws -> AWSAuthConfig {
        try AWSAuthConfig.parse(text, source: "test.yaml")
    }

    static func explain(_ arn: String, _ text: String, accessKeyID: String? = nil) throws -> Explanation {
        try AWSAuthExplainer.explain(arn: arn, accessKeyID: accessKeyID, in: parse(text))
    }
}

@Suite("aws-auth parsing")
struct AWSAuthConfigTests {
    static let expectedEntries = [
        AWSAuthEntry(
            list: "mapRoles", index: 0, arn: AWSAuthDocuments.roleARN, sso: nil, username: "dev:{{SessionName}}",
            groups: ["system:masters", "dev-team"]),
        AWSAuthEntry(
            list: "mapRoles", index: 1, arn: "arn:aws:iam::123456789012:role/eks-node-role", sso: nil,
            username: "system:node:{{EC2PrivateDNSName}}", groups: ["system:bootstrappers", "system:nodes"]),
        AWSAuthEntry(
            list: "mapUsers", index: 0, arn: AWSAuthDocuments.aliceUser, sso: nil, username: "alice",
            groups: ["viewers"]),
    ]

    @Test(
        "every form of the same aws-auth reads the same",
        arguments: [
            ("ConfigMap YAML", AWSAuthDocuments.configMapYAML),
            ("ConfigMap JSON", AWSAuthDocuments.configMapJSON),
            ("data block only", AWSAuthDocuments.dataOnly),
            ("lists instead of strings", AWSAuthDocuments.lists),
        ])
    func forms(_ name: String, _ text: String) throws {
        let config = try AWSAuthDocuments.parse(text)
        #expect(config.entries == Self.expectedEntries, "\(name)")
        #expect(config.accounts == ["210987654321"], "\(name)")
        #expect(config.problems == [], "\(name)")
    }

    @Test("entry keys match case-insensitively, as Go's JSON decoder does")
    func caseInsensitiveKeys() throws {
        let config = try AWSAuthDocuments.parse(
            """
            data:
              mapRoles: |
                - RoleArn: arn:aws:iam::123456789012:role/a
                  UserName: a
                  Groups: [g1]
                - ROLEARN: arn:aws:iam::123456789012:role/b
                  USERNAME: b
                  GROUPS:
                    - g2
              mapUsers: |
                - UserARN: arn:aws:iam::123456789012:user/c
                  Username: c
                  groups: [g3]
            """)
        #expect(
            config.entries.map(\.arn) == [
                "arn:aws:iam::123456789012:role/a", "arn:aws:iam::123456789012:role/b",
                "arn:aws:iam::123456789012:user/c",
            ])
        #expect(config.entries.map(\.username) == ["a", "b", "c"])
        #expect(config.entries.map(\.groups) == [["g1"], ["g2"], ["g3"]])
        #expect(config.problems == [])
    }

    @Test("extra spaces around ARNs, user names and groups are ignored")
    func oddSpacing() throws {
        let config = try AWSAuthDocuments.parse(
            "data:\n  mapRoles: |\n    - rolearn:     arn:aws:iam::123456789012:role/dev.eks-access.role   \n"
                + "      username:   dev   \n      groups:\n        -   system:masters   \n")
        let entry = try #require(config.entries.first)
        #expect(entry.arn == AWSAuthDocuments.roleARN)
        #expect(entry.username == "dev")
        #expect(entry.groups == ["system:masters"])
    }

    @Test("groups given as one string give no groups, as Go's decoder leaves the authenticator's list empty")
    func singleGroup() throws {
        let config = try AWSAuthDocuments.parse(
            """
            mapRoles: |
              - rolearn: arn:aws:iam::123456789012:role/dev.eks-access.role
                username: dev
                groups: system:masters
            """)
        #expect(config.entries.first?.groups == [])
        #expect(
            config.problems == [
                "mapRoles[0] groups is one string, not a list; the authenticator reads no groups from it "
                    + "(write groups: [system:masters])"
            ])
    }

    @Test("groups written as numbers or booleans read as their values' text, as a typed YAML reading prints them")
    func typedGroups() throws {
        let config = try AWSAuthDocuments.parse(
            """
            mapRoles: |
              - rolearn: arn:aws:iam::123456789012:role/dev.eks-access.role
                username: dev
                groups: [123, true, 0x1F, 1.5, 1e3, yes, "007", system:masters, ~, [nested]]
            """)
        #expect(
            config.entries.first?.groups == ["123", "true", "31", "1.5", "1000.0", "true", "007", "system:masters", ""])
        #expect(config.problems == ["mapRoles[0] has a group that is a list or mapping; skipped"])
    }

    @Test("entries may share fields through anchors and merge keys, as the authenticator's YAML reader allows")
    func mergedEntries() throws {
        let config = try AWSAuthDocuments.parse(
            """
            mapRoles: |
              - &admin
                rolearn: arn:aws:iam::123456789012:role/a
                username: admin:{{SessionName}}
                groups: [system:masters]
              - <<: *admin
                rolearn: arn:aws:iam::123456789012:role/b
            """)
        #expect(config.entries.map(\.arn) == ["arn:aws:iam::123456789012:role/a", "arn:aws:iam::123456789012:role/b"])
        #expect(config.entries.map(\.username) == ["admin:{{SessionName}}", "admin:{{SessionName}}"])
        #expect(config.entries.map(\.groups) == [["system:masters"], ["system:masters"]])
    }

    @Test("an entry without groups has none")
    func noGroups() throws {
        let config = try AWSAuthDocuments.parse(
            """
            mapUsers: |
              - userarn: arn:aws:iam::123456789012:user/alice
                username: alice
            """)
        #expect(config.entries.first?.groups == [])
    }

    @Test("sso entries keep their permission set, account and partition (aws by default)")
    func ssoEntries() throws {
        let config = try AWSAuthDocuments.parse(
            """
            mapRoles: |
              - sso:
                  permissionSetName: AdministratorAccess
                  accountID: "123456789012"
                username: sso-admin:{{SessionName}}
                groups: [system:masters]
              - SSO:
                  PermissionSetName: ReadOnly
                  AccountId: "210987654321"
                  Partition: aws-cn
                username: sso-ro
            """)
        #expect(config.problems == [])
        try #require(config.entries.count == 2)
        #expect(config.entries[0].arn == nil)
        #expect(config.entries[0].sso?.permissionSetName == "AdministratorAccess")
        #expect(config.entries[0].sso?.accountID == "123456789012")
        #expect(config.entries[0].sso?.partition == "aws")
        #expect(config.entries[1].sso?.permissionSetName == "ReadOnly")
        #expect(config.entries[1].sso?.accountID == "210987654321")
        #expect(config.entries[1].sso?.partition == "aws-cn")
    }

    @Test(
        "mapAccounts reads as a YAML string or a list, quoted or not",
        arguments: [
            "mapAccounts: |\n  - \"123456789012\"\n  - 210987654321\n",
            "mapAccounts: |\n  - '123456789012'\n  - \"210987654321\"\n",
            "mapAccounts:\n  - 123456789012\n  - \"210987654321\"\n",
            "mapAccounts: \"- 123456789012\\n- 210987654321\\n\"\n",
            "mapAccounts: |\n  [123456789012, '210987654321']\n",
        ])
    func mapAccounts(_ text: String) throws {
        let config = try AWSAuthDocuments.parse(text)
        #expect(config.accounts == ["123456789012", "210987654321"])
        #expect(config.problems == [])
    }

    @Test("an unquoted account id with a leading zero keeps its digits")
    func leadingZeroAccount() throws {
        // The authenticator decodes mapAccounts into []string with gopkg.in/yaml.v2, which keeps the
        // scalar's text; a YAML 1.1 octal reading would turn 012345670123 into another number.
        let config = try AWSAuthDocuments.parse("mapAccounts: |\n  - 012345670123\n  - 098765432109\n")
        #expect(config.accounts == ["012345670123", "098765432109"])
        #expect(config.problems == [])
    }

    @Test("a mapAccounts value that is not a 12-digit id is listed as a problem")
    func badAccount() throws {
        let config = try AWSAuthDocuments.parse("mapAccounts: |\n  - \"12345\"\n  - \"123456789012\"\n")
        #expect(config.accounts == ["123456789012"])
        #expect(config.problems.count == 1)
        #expect(config.problems.first?.contains("12345") == true)
    }

    @Test("an entry with neither rolearn nor sso is rejected and listed as a problem")
    func entryWithoutARN() throws {
        let config = try AWSAuthDocuments.parse(
            """
            mapRoles: |
              - username: nobody
                groups: [system:masters]
              - rolearn: arn:aws:iam::123456789012:role/dev.eks-access.role
                username: dev
            mapUsers: |
              - username: ghost
            """)
        #expect(config.entries.map(\.location) == ["mapRoles[1]"])
        #expect(config.problems.count == 2)
        #expect(config.problems.contains { $0.hasPrefix("mapRoles[0]") && $0.contains("rolearn or sso") })
        #expect(config.problems.contains { $0.hasPrefix("mapUsers[0]") && $0.contains("userarn") })
    }

    @Test("an entry with both rolearn and sso is rejected, as the authenticator's Validate refuses it")
    func rolearnAndSSO() throws {
        let config = try AWSAuthDocuments.parse(
            """
            mapRoles: |
              - rolearn: arn:aws:iam::123456789012:role/dev.eks-access.role
                sso:
                  permissionSetName: AdministratorAccess
                  accountID: "123456789012"
                username: both
            """)
        #expect(config.entries == [])
        #expect(config.problems.contains { $0.hasPrefix("mapRoles[0]") })
    }

    @Test("a blank rolearn counts as missing")
    func blankARN() throws {
        let config = try AWSAuthDocuments.parse(
            "mapRoles: |\n  - rolearn: \"\"\n    username: x\n  - rolearn: '   '\n    username: y\n")
        #expect(config.entries == [])
        #expect(config.problems.count == 2)
    }

    @Test("invalid YAML inside mapRoles is listed as a problem; mapUsers still reads")
    func invalidInnerYAML() throws {
        let config = try AWSAuthDocuments.parse(
            """
            data:
              mapRoles: "- rolearn: [unclosed\\n  username: : :\\n"
              mapUsers: |
                - userarn: arn:aws:iam::123456789012:user/alice
                  username: alice
            """)
        let problem = try #require(config.problems.first { $0.hasPrefix("mapRoles") })
        // Where in mapRoles' own text, as line and column.
        #expect(problem.hasPrefix("mapRoles is not valid YAML (its text, line 2, column "), "\(problem)")
        #expect(problem.hasSuffix("); the authenticator skips every entry of mapRoles (the other lists still apply)"))
        #expect(config.entries.map(\.location) == ["mapUsers[0]"])
    }

    @Test("mapRoles that is YAML but not a list is listed as a problem")
    func notAList() throws {
        let config = try AWSAuthDocuments.parse("mapRoles: |\n  rolearn: arn:aws:iam::123456789012:role/x\n")
        #expect(config.problems.contains { $0.contains("mapRoles is not a YAML list") })
        #expect(config.entries == [])
    }

    @Test("an assumed-role ARN pasted as rolearn is kept but flagged with the role ARN to write")
    func assumedRoleAsRoleARN() throws {
        let config = try AWSAuthDocuments.parse(
            "mapRoles: |\n  - rolearn: \(AWSAuthDocuments.aliceSession)\n    username: x\n")
        #expect(config.entries.count == 1)
        #expect(config.problems.count == 1)
        #expect(config.problems.first?.contains(AWSAuthDocuments.roleARN) == true)
    }

    @Test("empty mapRoles strings are skipped silently", arguments: ["\"\"", "''", "|\n    \n", "\"   \""])
    func blankLists(_ value: String) throws {
        let config = try AWSAuthDocuments.parse("mapRoles: \(value)\nmapAccounts: |\n  - \"123456789012\"\n")
        #expect(config.entries == [])
        #expect(config.problems == [])
    }

    @Test(
        "documents that are not an aws-auth ConfigMap are unreadable",
        arguments: [
            ("a list", "- a\n- b\n", "expected a ConfigMap"),
            ("a scalar", "just text", "expected a ConfigMap"),
            (
                "another ConfigMap", "kind: ConfigMap\nmetadata:\n  name: other\ndata:\n  foo: bar\n",
                "no data.mapRoles, mapUsers or mapAccounts"
            ),
            ("a Pod", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n", "no data.mapRoles, mapUsers or mapAccounts"),
            ("broken YAML", "data: [unclosed\n  mapRoles: {", "not YAML: line 2, column "),
            (
                "a repeated key", "mapRoles: x\nmapRoles: y\n",
                "not YAML: line 2, column 1: key 'mapRoles' appears twice"
            ),
            ("nothing", "", "expected a ConfigMap"),
        ])
    func unreadable(_ name: String, _ text: String, _ reason: String) {
        let error = #expect(throws: InspectError.self, "\(name)") { try AWSAuthDocuments.parse(text) }
        guard case .unreadableAWSAuth(let source, let actual)? = error else { return }
        #expect(source == "test.yaml")
        #expect(actual.hasPrefix(reason), "\(name): \(actual)")
    }

    @Test("the unreadable error names the source and hints at kubectl")
    func unreadableMessage() {
        let error = InspectError.unreadableAWSAuth(source: "aws-auth.yaml", reason: "not YAML")
        #expect(error.message.contains("aws-auth.yaml"))
        #expect(error.hint?.contains("kubectl get configmap aws-auth") == true)
        #expect(error.kind == .badInput)
    }
}

@Suite("aws-auth explainer")
struct AWSAuthExplainerTests {
    @Test("an assumed-role session matches its role's mapRoles entry, with templates expanded")
    func roleMatch() throws {
        let explanation = try AWSAuthDocuments.explain(AWSAuthDocuments.aliceSession, AWSAuthDocuments.configMapYAML)
        #expect(explanation.isMapped)
        #expect(explanation.canonicalARN == AWSAuthDocuments.roleARN)
        #expect(explanation.entry?.location == "mapRoles[0]")
        #expect(explanation.username == "dev:alice")
        #expect(explanation.groups == ["system:masters", "dev-team"])
        #expect(explanation.notes == [])
        #expect(explanation.candidates == [])
    }

    @Test("an IAM user matches its mapUsers entry")
    func userMatch() throws {
        let explanation = try AWSAuthDocuments.explain(AWSAuthDocuments.aliceUser, AWSAuthDocuments.configMapJSON)
        #expect(explanation.entry?.location == "mapUsers[0]")
        #expect(explanation.username == "alice")
        #expect(explanation.groups == ["viewers"])
    }

    @Test("ARNs match case-insensitively both ways")
    func caseInsensitive() throws {
        let doc = "mapRoles: |\n  - rolearn: ARN:AWS:IAM::123456789012:ROLE/DEV.EKS-ACCESS.ROLE\n    username: dev\n"
        let explanation = try AWSAuthDocuments.explain(
            "arn:aws:sts::123456789012:assumed-role/Dev.Eks-Access.Role/alice", doc)
        #expect(explanation.entry?.location == "mapRoles[0]")
    }

    @Test("mapRoles is checked before mapUsers")
    func rolesFirst() throws {
        let doc = """
            mapUsers: |
              - userarn: arn:aws:iam::123456789012:role/dev.eks-access.role
                username: from-users
            mapRoles: |
              - rolearn: arn:aws:iam::123456789012:role/dev.eks-access.role
                username: from-roles
            """
        let explanation = try AWSAuthDocuments.explain(AWSAuthDocuments.aliceSession, doc)
        #expect(explanation.entry?.list == "mapRoles")
        #expect(explanation.username == "from-roles")
    }

    @Test("a role ARN listed under mapUsers still maps, as the authenticator looks users up by the same ARN")
    func roleUnderMapUsers() throws {
        let doc = "mapUsers: |\n  - userarn: \(AWSAuthDocuments.roleARN)\n    username: dev\n    groups: [g]\n"
        let explanation = try AWSAuthDocuments.explain(AWSAuthDocuments.aliceSession, doc)
        #expect(explanation.entry?.location == "mapUsers[0]")
        #expect(explanation.username == "dev")
    }

    @Test("an account in mapAccounts maps any of its identities to the canonical ARN with no groups")
    func mapAccountsFallback() throws {
        let explanation = try AWSAuthDocuments.explain(
            "arn:aws:sts::210987654321:assumed-role/Other/bob", AWSAuthDocuments.configMapYAML)
        #expect(explanation.isMapped)
        #expect(explanation.viaAccount)
        #expect(explanation.entry == nil)
        #expect(explanation.username == "arn:aws:iam::210987654321:role/Other")
        #expect(explanation.groups == [])
        #expect(explanation.notes.first?.contains("mapAccounts") == true)
    }

    @Test("an entry wins over mapAccounts")
    func entryBeforeAccounts() throws {
        let doc = AWSAuthDocuments.configMapYAML.replacingAll("\"210987654321\"", with: "\"123456789012\"")
        let explanation = try AWSAuthDocuments.explain(AWSAuthDocuments.aliceSession, doc)
        #expect(!explanation.viaAccount)
        #expect(explanation.entry?.location == "mapRoles[0]")
    }

    @Test("an SSO permission-set entry matches its AWSReservedSSO role, whatever the suffix")
    func ssoMatch() throws {
        let doc = """
            mapRoles: |
              - sso:
                  permissionSetName: AdministratorAccess
                  accountID: "123456789012"
                username: sso:{{SessionName}}
                groups: [system:masters]
            """
        let explanation = try AWSAuthDocuments.explain(
            "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_AdministratorAccess_0123abcd4567ef89/alice@example.com",
            doc)
        #expect(explanation.entry?.location == "mapRoles[0]")
        #expect(explanation.username == "sso:alice-example.com")
        #expect(explanation.groups == ["system:masters"])
    }

    @Test(
        "an SSO entry does not match another permission set, account or partition",
        arguments: [
            "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_AdministratorAccessPlus_0123abcd/alice",
            "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_ReadOnly_0123abcd/alice",
            "arn:aws:sts::210987654321:assumed-role/AWSReservedSSO_AdministratorAccess_0123abcd/alice",
            "arn:aws-cn:sts::123456789012:assumed-role/AWSReservedSSO_AdministratorAccess_0123abcd/alice",
            "arn:aws:sts::123456789012:assumed-role/AdministratorAccess/alice",
        ])
    func ssoNoMatch(_ arn: String) throws {
        let doc = """
            mapRoles: |
              - sso:
                  permissionSetName: AdministratorAccess
                  accountID: "123456789012"
                username: sso
            """
        #expect(try !AWSAuthDocuments.explain(arn, doc).isMapped)
    }

    @Test("an SSO entry with a partition matches roles of that partition")
    func ssoPartition() throws {
        let doc = """
            mapRoles: |
              - sso:
                  permissionSetName: ReadOnly
                  accountID: "123456789012"
                  partition: aws-cn
                username: ro
            """
        let explanation = try AWSAuthDocuments.explain(
            "arn:aws-cn:sts::123456789012:assumed-role/AWSReservedSSO_ReadOnly_abc/alice", doc)
        #expect(explanation.isMapped)
    }

    static let templates = """
        mapRoles: |
          - rolearn: arn:aws:iam::123456789012:role/dev.eks-access.role
            username: "u-{{AccountID}}-{{SessionName}}-{{SessionNameRaw}}-{{AccessKeyID}}"
            groups:
              - "acct:{{AccountID}}"
              - "raw:{{SessionNameRaw}}"
              - "key:{{AccessKeyID}}"
          - rolearn: arn:aws:iam::123456789012:role/eks-node-role
            username: system:node:{{EC2PrivateDNSName}}
            groups: [system:nodes]
        mapUsers: |
          - userarn: arn:aws:iam::123456789012:user/alice
            username: "user-{{SessionName}}"
        """

    @Test("templates expand: account, session with @ turned into -, raw session and access key id")
    func templatesWithKey() throws {
        let explanation = try AWSAuthDocuments.explain(
            "arn:aws:sts::123456789012:assumed-role/dev.eks-access.role/alice@example.com", Self.templates,
            accessKeyID: "ASIAEXAMPLEKEY")
        #expect(explanation.username == "u-123456789012-alice-example.com-alice@example.com-ASIAEXAMPLEKEY")
        #expect(explanation.groups == ["acct:123456789012", "raw:alice@example.com", "key:ASIAEXAMPLEKEY"])
        #expect(explanation.notes == [])
    }

    @Test("{{AccessKeyID}} without a token stays as written, with a note to pass a token")
    func templatesWithoutKey() throws {
        let explanation = try AWSAuthDocuments.explain(AWSAuthDocuments.aliceSession, Self.templates)
        #expect(explanation.username == "u-123456789012-alice-alice-{{AccessKeyID}}")
        #expect(explanation.groups.last == "key:{{AccessKeyID}}")
        #expect(explanation.notes.count == 1)
        #expect(explanation.notes.first?.contains("AccessKeyID") == true)
    }

    @Test("{{EC2PrivateDNSName}} is noted as node-only")
    func ec2Template() throws {
        let explanation = try AWSAuthDocuments.explain(
            "arn:aws:sts::123456789012:assumed-role/eks-node-role/i-0123456789abcdef0", Self.templates)
        #expect(explanation.entry?.location == "mapRoles[1]")
        #expect(explanation.username == "system:node:{{EC2PrivateDNSName}}")
        #expect(explanation.notes.contains { $0.contains("EC2PrivateDNSName") && $0.contains("nodes only") })
    }

    @Test("{{SessionName}} for a caller that is not an assumed role is empty, with a note")
    func sessionForUser() throws {
        let explanation = try AWSAuthDocuments.explain(AWSAuthDocuments.aliceUser, Self.templates)
        #expect(explanation.username == "user-")
        #expect(explanation.notes.contains { $0.contains("SessionName") })
    }

    @Test("an entry without a username is noted as rejected by the authenticator")
    func noUsername() throws {
        let explanation = try AWSAuthDocuments.explain(
            AWSAuthDocuments.aliceSession, "mapRoles: |\n  - rolearn: \(AWSAuthDocuments.roleARN)\n")
        #expect(explanation.notes.contains { $0.contains("no username") })
    }

    @Test("a rolearn written with the role's path is a near miss that says to drop the path")
    func pathNearMiss() throws {
        let doc =
            "mapRoles: |\n  - rolearn: arn:aws:iam::123456789012:role/teams/dev/dev.eks-access.role\n    username: dev\n"
        let explanation = try AWSAuthDocuments.explain(AWSAuthDocuments.aliceSession, doc)
        #expect(!explanation.isMapped)
        #expect(explanation.candidates.count == 1)
        let miss = try #require(explanation.candidates.first)
        #expect(miss.hasPrefix("mapRoles[0] writes the role with its path"))
        #expect(miss.contains("write \(AWSAuthDocuments.roleARN)"))
    }

    @Test("the caller's own session ARN pasted as rolearn is a near miss naming the role ARN")
    func ownSessionNearMiss() throws {
        let doc = "mapRoles: |\n  - rolearn: \(AWSAuthDocuments.aliceSession)\n    username: dev\n"
        let explanation = try AWSAuthDocuments.explain(AWSAuthDocuments.aliceSession, doc)
        #expect(!explanation.isMapped)
        #expect(
            explanation.candidates == [
                "mapRoles[0] names the session ARN; the server matches the role ARN \(AWSAuthDocuments.roleARN)"
            ])
    }

    @Test("another session of the same role pasted as rolearn is a near miss too")
    func otherSessionNearMiss() throws {
        let doc =
            "mapRoles: |\n  - rolearn: arn:aws:sts::123456789012:assumed-role/dev.eks-access.role/bob\n    username: dev\n"
        let explanation = try AWSAuthDocuments.explain(AWSAuthDocuments.aliceSession, doc)
        #expect(
            explanation.candidates == [
                "mapRoles[0] is an assumed-role ARN for this role; write \(AWSAuthDocuments.roleARN)"
            ])
    }

    @Test("the same role name in another account is a near miss naming both accounts")
    func otherAccountNearMiss() throws {
        let doc = "mapRoles: |\n  - rolearn: arn:aws:iam::210987654321:role/dev.eks-access.role\n    username: dev\n"
        let explanation = try AWSAuthDocuments.explain(AWSAuthDocuments.aliceSession, doc)
        #expect(
            explanation.candidates == [
                "mapRoles[0] is the same name in account 210987654321, not 123456789012"
            ])
    }

    @Test("the role's name written as a user under mapUsers is a near miss pointing at mapRoles")
    func roleAsUserNearMiss() throws {
        let doc = "mapUsers: |\n  - userarn: arn:aws:iam::123456789012:user/dev.eks-access.role\n    username: dev\n"
        let explanation = try AWSAuthDocuments.explain(AWSAuthDocuments.aliceSession, doc)
        #expect(!explanation.isMapped)
        #expect(explanation.candidates == ["mapUsers[0] is in mapUsers; a role must be in mapRoles"])
    }

    @Test("unrelated entries are not near misses")
    func noNearMiss() throws {
        let explanation = try AWSAuthDocuments.explain(
            "arn:aws:sts::123456789012:assumed-role/someone-else/s", AWSAuthDocuments.configMapYAML)
        #expect(!explanation.isMapped)
        #expect(explanation.candidates == [])
    }

    @Test("a quoted ARN with spaces inside the quotes does not match, as the server compares it as written")
    func quotedSpaces() throws {
        // The authenticator compares with strings.EqualFold on the decoded value: no trimming.
        let doc = "mapRoles: |\n  - rolearn: \" \(AWSAuthDocuments.roleARN) \"\n    username: dev\n"
        let explanation = try AWSAuthDocuments.explain(AWSAuthDocuments.aliceSession, doc)
        #expect(!explanation.isMapped)
    }

    @Test(
        "ARNs the authenticator cannot map are refused",
        arguments: ["arn:aws:s3:::my-bucket", "arn:aws:iam::123456789012:group/admins", "alice", ""])
    func unmappable(_ arn: String) {
        #expect(throws: InspectError.unmappableARN(arn)) {
            try AWSAuthDocuments.explain(arn, AWSAuthDocuments.configMapYAML)
        }
    }

    @Test("the text explanation shows the match, the user and the groups")
    func textMapped() throws {
        let text = try AWSAuthDocuments.explain(AWSAuthDocuments.aliceSession, AWSAuthDocuments.configMapYAML)
            .text(cluster: "dev.my-eks-cluster")
        #expect(text.contains("matched:"))
        #expect(text.contains("mapRoles[0] \(AWSAuthDocuments.roleARN)"))
        #expect(text.contains("username:         dev:alice"))
        #expect(text.contains("system:masters, dev-team"))
        #expect(text.contains("(what aws-auth entries are matched with)"))
        #expect(text.contains("--cluster-name dev.my-eks-cluster"))
    }

    @Test("the text explanation of a miss lists each near miss")
    func textMiss() throws {
        let doc =
            "mapRoles: |\n  - rolearn: arn:aws:iam::123456789012:role/teams/dev.eks-access.role\n    username: dev\n"
        let text = try AWSAuthDocuments.explain(AWSAuthDocuments.aliceSession, doc).text(cluster: nil)
        #expect(text.contains("matched:          nothing"))
        #expect(text.contains("  near miss: mapRoles[0] writes the role with its path"))
    }

    @Test("the JSON explanation parses and carries the verdict")
    func json() throws {
        let explanation = try AWSAuthDocuments.explain(
            "arn:aws:sts::210987654321:assumed-role/Other/bob", AWSAuthDocuments.configMapYAML)
        let object = try #require(
            JSONSerialization.jsonObject(with: Data(explanation.json().utf8)) as? [String: Any])
        #expect(object["mapped"] as? Bool == true)
        #expect(object["matchedEntry"] as? String == "mapAccounts")
        #expect(object["username"] as? String == "arn:aws:iam::210987654321:role/Other")
        #expect(object["groups"] as? [String] == [])
        #expect(object["canonicalArn"] as? String == "arn:aws:iam::210987654321:role/Other")
    }
}
