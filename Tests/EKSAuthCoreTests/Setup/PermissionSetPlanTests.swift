import EKSAuthTestSupport
import Foundation
import Testing
import YAMLDocument

@testable import AWSConfiguration
@testable import AWSSigning
@testable import AWSTransport
@testable import EKSAuthCore
@testable import EKSAuthSystem

@Suite("Permission set plan")
struct PermissionSetPlanTests {
    static let live =
        "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Dev_Ops_1111111111111111"
    static let livePathless = "arn:aws:iam::123456789012:role/AWSReservedSSO_Dev_Ops_1111111111111111"
    static let old =
        "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Dev_Ops_0000000000000000"

    static func plan(
        clusterRole: ClusterRole = .view, namespace: String? = nil, role: String = live
    ) throws -> PermissionSetPlan {
        try PermissionSetPlan(
            PermissionSetRequest(
                account: "123456789012", clusterName: "dev.my-eks-cluster", region: "eu-west-1",
                permissionSet: "dev_ops", clusterRole: clusterRole, namespace: namespace),
            role: try #require(PermissionSetRole(arn: role)))
    }

    static func file(_ name: String, of plan: PermissionSetPlan) throws -> String {
        try #require(plan.files.first { $0.name == name }?.content, "no file \(name)")
    }

    /// `script` with continuation lines joined and runs of spaces made one.
    static func words(_ script: String) -> String {
        script.replacingOccurrences(of: "\\\n", with: " ").split(separator: " ", omittingEmptySubsequences: true)
            .joined(separator: " ")
    }

    // MARK: Names

    @Test("the group, user name and binding are named after the set as its role spells it, without the hash")
    func names() throws {
        let plan = try Self.plan()
        #expect(plan.kubernetesGroup == "eks-auth:sso:Dev_Ops")
        #expect(plan.username == "sso:Dev_Ops:{{SessionName}}")
        #expect(plan.bindingName == "eks-auth:sso:Dev_Ops")
        #expect(
            plan.accessEntry
                == AccessEntry(
                    principalArn: Self.live, kubernetesGroups: ["eks-auth:sso:Dev_Ops"],
                    username: "sso:Dev_Ops:{{SessionName}}"))
    }

    @Test("the files come in the order they are applied; no IAM documents, since nothing is created in IAM")
    func fileList() throws {
        let plan = try Self.plan()
        #expect(
            plan.files.map(\.name) == [
                "aws-auth-mapRoles.yaml", "eksctl.sh", "access-entry.sh", "access-entry.json", "rbac.yaml",
                "kubeconfig.sh", "README.md",
            ])
        for file in plan.files {
            #expect(file.content.hasSuffix("\n"), "\(file.name)")
            if file.name.hasSuffix(".sh") { #expect(file.content.hasPrefix("#!/bin/sh\n"), "\(file.name)") }
        }
    }

    // MARK: The two routes

    @Test("the aws-auth entry names the role without its path, the user name and the group")
    func awsAuth() throws {
        let yaml = try Self.file("aws-auth-mapRoles.yaml", of: Self.plan())
        let entries = try #require(try YAML.compose(yaml)?.sequence)
        try #require(entries.count == 1)
        #expect(entries[0]["rolearn"]?.string == Self.livePathless)
        #expect(entries[0]["username"]?.string == "sso:Dev_Ops:{{SessionName}}")
        #expect(entries[0]["groups"]?.sequence?.map(\.string) == ["eks-auth:sso:Dev_Ops"])
        #expect(!yaml.contains("system:masters"))
        // The path is only named in a comment, never in the entry.
        #expect(yaml.split(separator: "\n").filter { !$0.hasPrefix("#") }.allSatisfy { !$0.contains("aws-reserved") })
        // The same entry parses as aws-auth: the explainer maps a session of the role to it.
        let config = try AWSAuthConfig.parse(
            "data:\n  mapRoles: |\n"
                + yaml.split(separator: "\n").map { "    \($0)" }
                .joined(separator: "\n"), source: "test")
        #expect(config.problems.isEmpty)
        #expect(config.entries.first?.arn == Self.livePathless)
        #expect(
            try Self.words(Self.file("eksctl.sh", of: Self.plan())).contains(
                "--arn '\(Self.livePathless)' --username 'sso:Dev_Ops:{{SessionName}}' --group 'eks-auth:sso:Dev_Ops'"))
    }

    @Test("the access entry names the role's ARN as IAM returns it, path included, in the script and the JSON")
    func accessEntry() throws {
        let plan = try Self.plan(clusterRole: .edit, namespace: "team-a")
        let script = Self.words(try Self.file("access-entry.sh", of: plan))
        #expect(
            script.contains(
                "aws eks create-access-entry --region 'eu-west-1' --cluster-name 'dev.my-eks-cluster' "
                    + "--principal-arn '\(Self.live)' --kubernetes-groups 'eks-auth:sso:Dev_Ops' "
                    + "--username 'sso:Dev_Ops:{{SessionName}}' --type STANDARD"))
        #expect(script.contains("--policy-arn 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy'"))
        #expect(script.contains("--access-scope type=namespace,namespaces=team-a"))
        let json = try Self.file("access-entry.json", of: plan)
        let entries = try JSONDecoder().decode([AccessEntry].self, from: Data(json.utf8))
        #expect(entries == [plan.accessEntry])
        #expect(entries.first?.principalArn == Self.live)
    }

    @Test("rbac.yaml binds the set's group to the cluster role, cluster-wide or in the namespace")
    func rbac() throws {
        let cluster = try #require(try YAML.compose(Self.file("rbac.yaml", of: Self.plan()))?.mapping)
        #expect(cluster["kind"]?.string == "ClusterRoleBinding")
        #expect(cluster["metadata"]?["name"]?.string == "eks-auth:sso:Dev_Ops")
        #expect(cluster["subjects"]?.sequence?.first?["name"]?.string == "eks-auth:sso:Dev_Ops")
        #expect(cluster["roleRef"]?["name"]?.string == "view")
        let scoped = try #require(
            try YAML.compose(Self.file("rbac.yaml", of: Self.plan(clusterRole: .admin, namespace: "team-a")))?.mapping)
        #expect(scoped["kind"]?.string == "RoleBinding")
        #expect(scoped["metadata"]?["namespace"]?.string == "team-a")
        #expect(scoped["roleRef"]?["name"]?.string == "admin")
    }

    @Test("kubeconfig.sh takes each person's SSO profile and passes no --role-arn")
    func kubeconfig() throws {
        let script = try Self.file("kubeconfig.sh", of: Self.plan())
        #expect(!script.split(separator: "\n").contains { !$0.hasPrefix("#") && $0.contains("--role-arn") })
        #expect(
            script.contains(
                "eks-auth kubeconfig --cluster-name 'dev.my-eks-cluster' --region 'eu-west-1' --profile \"$profile\"\n")
        )
        #expect(script.contains("profile=\"${1:?usage: sh kubeconfig.sh PROFILE"))
        #expect(script.contains("sso_role_name Dev_Ops"))
    }

    @Test("the README names the role, the path, both routes, the steps and what to do after re-provisioning")
    func readme() throws {
        let readme = try Self.file("README.md", of: Self.plan())
        for text in [
            "AWSReservedSSO_Dev_Ops_1111111111111111", "/aws-reserved/sso.amazonaws.com/eu-west-1/",
            "eks-auth:sso:Dev_Ops", "aws-auth-mapRoles.yaml", "access-entry.sh", "access-entry.json", "rbac.yaml",
            "kubeconfig.sh", "nothing is created in IAM", "provisioned to the account again", "--aws-auth FILE",
        ] {
            #expect(readme.contains(text), "README lacks \(text)")
        }
    }

    @Test("cluster-admin warns, naming the set and the account")
    func warnings() throws {
        #expect(try Self.plan().warnings.isEmpty)
        let warnings = try Self.plan(clusterRole: .clusterAdmin).warnings
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("permission set Dev_Ops in account 123456789012") == true)
        #expect(try Self.file("README.md", of: Self.plan(clusterRole: .clusterAdmin)).contains("**Warnings:**"))
    }

    @Test(
        "refused values fail before anything is called",
        arguments: [
            ("12345", "Dev", nil, nil, "eu-west-1"), ("123456789012", "Dev Ops", nil, nil, "eu-west-1"),
            ("123456789012", "", nil, nil, "eu-west-1"), ("123456789012", "Dev", "Team_A", nil, "eu-west-1"),
            ("123456789012", "Dev", nil, "eu_west_1", "eu-west-1"), ("123456789012", "Dev", nil, nil, "EU"),
        ] as [(String, String, String?, String?, String)])
    func refused(account: String, set: String, namespace: String?, ssoRegion: String?, region: String) {
        let request = PermissionSetRequest(
            account: account, clusterName: "c", region: region, permissionSet: set, namespace: namespace,
            identityCenterRegion: ssoRegion)
        #expect(throws: (any Error).self) { try request.validate() }
    }

    // MARK: Stale mappings

    @Test("access entries for the set's earlier roles are stale, with the exact delete command; others are not")
    func staleAccessEntries() throws {
        let plan = try Self.plan()
        let otherRegionLive =
            "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Dev_Ops_2222222222222222"
        let liveRoles = try [Self.live, otherRegionLive].map { try #require(PermissionSetRole(arn: $0)) }
        let principals = [
            Self.live,
            Self.old,
            // The same set spelled in another case, from an earlier provisioning.
            "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_dev_ops_3333333333333333",
            // Still live, under the other region's path.
            otherRegionLive,
            // Sets that share a prefix or hold the name.
            "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Dev_4444444444444444",
            "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Dev_OpsX_5555555555555555",
            // Another account, a plain role, a user.
            "arn:aws:iam::999999999999:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Dev_Ops_6666666666666666",
            "arn:aws:iam::123456789012:role/dev.eks-access.role", "arn:aws:iam::123456789012:user/alice",
        ]
        let stale = plan.staleAccessEntries(principals, live: liveRoles)
        #expect(stale.map(\.principalARN) == [Self.old, principals[2]])
        #expect(
            stale.first?.command
                == "aws eks delete-access-entry --region 'eu-west-1' --cluster-name 'dev.my-eks-cluster' "
                + "--principal-arn '\(Self.old)'")
        #expect(
            stale.first?.line(liveRole: plan.role.name)
                == "access entry: stale AWSReservedSSO_Dev_Ops_0000000000000000 (the permission set's role is now "
                + "AWSReservedSSO_Dev_Ops_1111111111111111); remove it with: \(stale.first!.command)")
    }

    static func awsAuth(_ entries: String) throws -> AWSAuthConfig {
        try AWSAuthConfig.parse(
            """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: aws-auth
              namespace: kube-system
            data:
              mapRoles: |
            \(entries.split(separator: "\n").map { "    \($0)" }.joined(separator: "\n"))
            """, source: "aws-auth.yaml")
    }

    @Test("aws-auth: a stale entry is reported with its remove command, a missing one with its add command")
    func awsAuthStaleAndMissing() throws {
        let plan = try Self.plan()
        let config = try Self.awsAuth(
            """
            - rolearn: arn:aws:iam::123456789012:role/dev.eks-access.role
              username: dev:{{SessionName}}
              groups: [eks-auth:dev.rnd.group]
            - rolearn: arn:aws:iam::123456789012:role/AWSReservedSSO_Dev_Ops_0000000000000000
              username: sso:Dev_Ops:{{SessionName}}
              groups: [eks-auth:sso:Dev_Ops]
            - rolearn: arn:aws:iam::123456789012:role/AWSReservedSSO_DevOps_0000000000000000
              username: x
              groups: [y]
            """)
        let report = plan.awsAuthReport(config, file: "saved/aws-auth.yaml", live: [plan.role])
        #expect(
            report.stale.map(\.principalARN) == [
                "arn:aws:iam::123456789012:role/AWSReservedSSO_Dev_Ops_0000000000000000"
            ])
        #expect(
            report.lines == [
                "saved/aws-auth.yaml mapRoles[1]: stale AWSReservedSSO_Dev_Ops_0000000000000000 (the permission set's "
                    + "role is now AWSReservedSSO_Dev_Ops_1111111111111111); remove it with: eks-auth aws-auth remove "
                    + "--role-arn 'arn:aws:iam::123456789012:role/AWSReservedSSO_Dev_Ops_0000000000000000' "
                    + "--file 'saved/aws-auth.yaml'",
                "saved/aws-auth.yaml: no mapRoles entry for AWSReservedSSO_Dev_Ops_1111111111111111 yet; add it with: "
                    + "eks-auth aws-auth add --role-arn '\(Self.livePathless)' --username "
                    + "'sso:Dev_Ops:{{SessionName}}' --group 'eks-auth:sso:Dev_Ops' --file 'saved/aws-auth.yaml'",
            ])
    }

    @Test("aws-auth: the live role mapped already says so; written with its path, it is named as never matching")
    func awsAuthMappedAndPathful() throws {
        let plan = try Self.plan()
        let config = try Self.awsAuth(
            """
            - rolearn: \(Self.live)
              username: a
              groups: [eks-auth:sso:Dev_Ops]
            - rolearn: \(Self.livePathless.uppercased().replacingOccurrences(of: "ARN:AWS:IAM", with: "arn:aws:iam"))
              username: sso:Dev_Ops:{{SessionName}}
              groups: [eks-auth:sso:Dev_Ops]
            """)
        let report = plan.awsAuthReport(config, file: "it's.yaml", live: [plan.role])
        #expect(report.stale.isEmpty)
        #expect(report.lines.count == 2)
        #expect(
            report.lines[0]
                == "it's.yaml mapRoles[0]: names AWSReservedSSO_Dev_Ops_1111111111111111 with its path "
                + "/aws-reserved/sso.amazonaws.com/eu-west-1/, so no session matches it; remove it with: eks-auth "
                + "aws-auth remove --role-arn '\(Self.live)' --file 'it'\\''s.yaml'")
        #expect(
            report.lines[1]
                == "it's.yaml mapRoles[1]: maps AWSReservedSSO_Dev_Ops_1111111111111111 to eks-auth:sso:Dev_Ops already"
        )
    }

    @Test("aws-auth: the live role mapped to other groups is named with the replace command")
    func awsAuthOtherGroups() throws {
        let plan = try Self.plan()
        let config = try Self.awsAuth(
            """
            - rolearn: \(Self.livePathless)
              username: a
              groups: [ops]
            """)
        let lines = plan.awsAuthReport(config, file: "a.yaml", live: [plan.role]).lines
        #expect(lines.count == 1)
        #expect(
            lines[0].hasPrefix(
                "a.yaml mapRoles[0]: maps AWSReservedSSO_Dev_Ops_1111111111111111 to groups ops, not eks-auth:sso:Dev_Ops"
            ))
        #expect(lines[0].hasSuffix("--file 'a.yaml' --replace"))
    }
}
