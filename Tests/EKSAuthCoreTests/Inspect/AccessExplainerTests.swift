import EKSAuthTestSupport
import Foundation
import Testing

@testable import AWSConfiguration
@testable import EKSAuthCore

@Suite("Access entries and aws-auth together")
struct AccessExplainerTests {
    static let session = "arn:aws:sts::111122223333:assumed-role/eks-dev/alice@example.com"
    static let roleWithPath = "arn:aws:iam::111122223333:role/team/eks-dev"
    static let view = AssociatedAccessPolicy(
        policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy",
        accessScope: AccessScope(type: "namespace", namespaces: ["apps"]))

    static let awsAuth = try! AWSAuthConfig.parse(
        """
        data:
          mapRoles: |
            - rolearn: arn:aws:iam::111122223333:role/eks-dev
              username: dev:{{SessionName}}
              groups: [old]
        """, source: "test")

    static func access(_ mode: AuthenticationMode, entries: [AccessEntry]? = nil, awsAuth: AWSAuthConfig? = awsAuth)
        -> ClusterAccess
    {
        ClusterAccess(mode: mode, modeSource: "test", awsAuth: awsAuth, accessEntries: entries)
    }

    static let entry = AccessEntry(
        principalArn: roleWithPath, kubernetesGroups: ["dev"], associatedAccessPolicies: [view])

    @Test("in API_AND_CONFIG_MAP the access entry wins where both map the role, and says aws-auth was shadowed")
    func entryWins() throws {
        let result = try AccessExplainer.explain(
            arn: Self.session, in: Self.access(.apiAndConfigMap, entries: [Self.entry]))
        #expect(result.decision == .accessEntry(Self.entry))
        #expect(result.username == "arn:aws:sts::111122223333:assumed-role/eks-dev/alice-example.com")
        #expect(result.groups == ["dev"])
        #expect(result.policies == [Self.view])
        #expect(result.notes.contains { $0.contains("aws-auth maps it too (mapRoles[0])") })
    }

    @Test("of two aws-auth entries for one ARN the later one maps it, as the authenticator's map keeps it")
    func lastMappingWins() throws {
        let config = try AWSAuthConfig.parse(
            """
            data:
              mapRoles: |
                - rolearn: arn:aws:iam::111122223333:role/eks-dev
                  username: first
                  groups: [viewers]
                - rolearn: arn:aws:iam::111122223333:role/EKS-DEV
                  username: second
                  groups: [system:masters]
            """, source: "test")
        let result = try AWSAuthExplainer.explain(arn: Self.session, in: config)
        #expect(result.entry?.location == "mapRoles[1]")
        #expect(result.username == "second")
    }

    @Test("a role ARN given with its path is explained as its sessions present it, without the path")
    func roleWithPathGiven() throws {
        let result = try AWSAuthExplainer.explain(arn: Self.roleWithPath, in: Self.awsAuth)
        #expect(result.canonicalARN == "arn:aws:iam::111122223333:role/eks-dev")
        #expect(result.entry?.location == "mapRoles[0]")
        #expect(result.notes.first?.contains("has a path, which its sessions do not carry") == true)
        let both = try AccessExplainer.explain(arn: Self.roleWithPath, in: Self.access(.configMap))
        #expect(both.decision == .awsAuth)
        #expect(both.notes.filter { $0.contains("has a path") }.count == 1)
    }

    @Test("an sso entry matching another set by prefix says so; a BOM before the ConfigMap is not content")
    func ssoPrefixAndBOM() throws {
        let config = try AWSAuthConfig.parse(
            "\u{FEFF}data:\n  mapRoles: |\n    - sso: {permissionSetName: Dev, accountID: \"111122223333\"}\n"
                + "      username: sso:{{SessionName}}\n      groups: [dev]\n", source: "test")
        let other = try AWSAuthExplainer.explain(
            arn: "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Dev_Access_0123456789abcdef/bob", in: config)
        #expect(other.isMapped)
        #expect(other.notes.contains { $0.contains("permission set Dev_Access's, matched by the sso entry for Dev") })
        let same = try AWSAuthExplainer.explain(
            arn: "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Dev_0123456789abcdef/bob", in: config)
        #expect(!same.notes.contains { $0.contains("as a prefix") })
    }

    @Test("in API_AND_CONFIG_MAP aws-auth decides when no entry maps the role")
    func configMapFallback() throws {
        let result = try AccessExplainer.explain(arn: Self.session, in: Self.access(.apiAndConfigMap, entries: []))
        #expect(result.decision == .awsAuth)
        #expect(result.username == "dev:alice-example.com")
        #expect(result.groups == ["old"])
    }

    @Test("CONFIG_MAP ignores access entries and API ignores aws-auth, each saying so")
    func modesIgnore() throws {
        let configMap = try AccessExplainer.explain(
            arn: Self.session, in: Self.access(.configMap, entries: [Self.entry]))
        #expect(configMap.decision == .awsAuth)
        #expect(configMap.notes.contains { $0.contains("is ignored: the authentication mode is CONFIG_MAP") })
        let api = try AccessExplainer.explain(arn: Self.session, in: Self.access(.api, entries: []))
        #expect(api.decision == .nothing)
        #expect(api.notes.contains { $0.contains("the authentication mode API ignores aws-auth") })
        #expect(!api.isMapped)
    }

    @Test("a role entry matches its sessions whatever the entry's path; a user entry needs the same path")
    func matching() {
        #expect(AccessExplainer.matches(Self.roleWithPath, "arn:aws:iam::111122223333:role/eks-dev"))
        #expect(
            AccessExplainer.matches("arn:aws:iam::111122223333:role/EKS-Dev", "arn:aws:iam::111122223333:role/eks-dev"))
        #expect(!AccessExplainer.matches(Self.roleWithPath, "arn:aws:iam::999922223333:role/eks-dev"))
        #expect(!AccessExplainer.matches(Self.roleWithPath, "arn:aws-cn:iam::111122223333:role/eks-dev"))
        #expect(
            !AccessExplainer.matches("arn:aws:iam::111122223333:user/eks-dev", "arn:aws:iam::111122223333:role/eks-dev")
        )
        #expect(
            AccessExplainer.matches("arn:aws:iam::111122223333:user/ops/bob", "arn:aws:iam::111122223333:user/ops/bob"))
        #expect(
            !AccessExplainer.matches("arn:aws:iam::111122223333:user/bob", "arn:aws:iam::111122223333:user/ops/bob"))
        #expect(
            !AccessExplainer.matches(
                "arn:aws:sts::111122223333:assumed-role/eks-dev/x", "arn:aws:iam::111122223333:role/eks-dev"))
    }

    @Test("EKS's generated user names: the session for roles (path dropped), the ARN for users, nodes' own")
    func generatedUsernames() {
        #expect(
            AccessEntry(principalArn: Self.roleWithPath).effectiveUsername
                == "arn:aws:sts::111122223333:assumed-role/eks-dev/{{SessionName}}")
        #expect(
            AccessEntry(principalArn: "arn:aws:iam::111122223333:user/ops/bob").effectiveUsername
                == "arn:aws:iam::111122223333:user/ops/bob")
        #expect(AccessEntry(principalArn: Self.roleWithPath, username: "me").effectiveUsername == "me")
        let node = AccessEntry(principalArn: Self.roleWithPath, type: "EC2_LINUX")
        #expect(node.effectiveUsername == "system:node:{{EC2PrivateDNSName}}")
        #expect(node.effectiveGroups == ["system:bootstrappers", "system:nodes"])
        #expect(
            AccessEntry(principalArn: Self.roleWithPath, type: "FARGATE_LINUX").effectiveGroups.contains(
                "system:node-proxier"))
    }

    @Test("an entry with neither groups nor policies authenticates to nothing, and a node entry is not a person")
    func emptyAndNodeEntries() throws {
        let empty = try AccessExplainer.explain(
            arn: Self.session, in: Self.access(.api, entries: [AccessEntry(principalArn: Self.roleWithPath)]))
        #expect(empty.isMapped)
        #expect(empty.notes.contains { $0.contains("every request is Forbidden") })
        let node = try AccessExplainer.explain(
            arn: Self.session,
            in: Self.access(.api, entries: [AccessEntry(principalArn: Self.roleWithPath, type: "EC2_LINUX")]))
        #expect(node.groups == ["system:bootstrappers", "system:nodes"])
        #expect(node.notes.contains { $0.contains("is a node") })
    }

    @Test("near misses: another account, a user for a role; what was not read is said")
    func nearMisses() throws {
        let entries = [
            AccessEntry(principalArn: "arn:aws:iam::999922223333:role/eks-dev"),
            AccessEntry(principalArn: "arn:aws:iam::111122223333:user/eks-dev"),
        ]
        let result = try AccessExplainer.explain(
            arn: Self.session, in: Self.access(.apiAndConfigMap, entries: entries, awsAuth: nil))
        #expect(result.decision == .nothing)
        #expect(result.nearMisses.count == 2)
        #expect(result.nearMisses[0].contains("account 999922223333"))
        #expect(result.nearMisses[1].contains("is a user; the caller is a role"))
        #expect(result.notes.contains("aws-auth was not read (give --aws-auth FILE)"))
    }

    @Test("the JSON names what decided, the entry and its scoped policies")
    func json() throws {
        let result = try AccessExplainer.explain(
            arn: Self.session, in: Self.access(.apiAndConfigMap, entries: [Self.entry]))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.json().utf8)) as? [String: Any])
        #expect(object["decidedBy"] as? String == "accessEntry")
        #expect(object["accessEntry"] as? String == Self.roleWithPath)
        #expect(object["awsAuthEntry"] as? String == "mapRoles[0]")
        let policies = try #require(object["accessPolicies"] as? [[String: Any]])
        #expect(policies.first?["policyArn"] as? String == Self.view.policyArn)
        #expect(result.text().contains("AmazonEKSViewPolicy (namespaces apps)"))
    }
}

@Suite("The access entries document")
struct AccessEntriesDocumentTests {
    @Test("bare entries, describe-access-entry outputs and the accessEntries object all read")
    func shapes() throws {
        let bare = #"[{"principalArn":"arn:aws:iam::1:role/a","kubernetesGroups":["g"],"type":"STANDARD"}]"#
        #expect(try AccessEntriesDocument.parse(bare, source: "f").first?.kubernetesGroups == ["g"])
        let wrapped = """
            [{"accessEntry":{"principalArn":"arn:aws:iam::1:role/a"},
              "associatedAccessPolicies":[{"policyArn":"arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy",
                                           "accessScope":{"type":"cluster","namespaces":[]}}]}]
            """
        let entry = try #require(try AccessEntriesDocument.parse(wrapped, source: "f").first)
        #expect(entry.associatedAccessPolicies.map(\.policyName) == ["AmazonEKSViewPolicy"])
        #expect(entry.type == "STANDARD")
        let object = #"{"accessEntries":[{"principalArn":"arn:aws:iam::1:user/u"}]}"#
        #expect(try AccessEntriesDocument.parse(object, source: "f").map(\.principalArn) == ["arn:aws:iam::1:user/u"])
    }

    @Test(
        "bad documents name the file, the item and the field",
        arguments: [
            ("{", "from f.json: not JSON"),
            (#"{"x":1}"#, "expected a JSON array"),
            ("[1]", "item 0 is not an object"),
            (#"[{"kubernetesGroups":[]}]"#, "item 0 has no principalArn"),
            (
                #"[{"principalArn":"arn:aws:iam::1:role/a"},{"principalArn":"arn:aws:iam::1:role/b","kubernetesGroups":"g"}]"#,
                "item 1 kubernetesGroups does not have"
            ),
            (
                #"[{"principalArn":"arn:aws:iam::1:role/a"},{"principalArn":"arn:aws:iam::1:role/A"}]"#,
                "items 0 and 1 are both for"
            ),
        ])
    func refused(text: String, expected: String) {
        #expect {
            try AccessEntriesDocument.parse(text, source: "f.json")
        } throws: { error in
            (error as? InspectError)?.message.contains(expected) == true
                && (error as? InspectError)?.message.contains("f.json") == true
        }
    }
}
