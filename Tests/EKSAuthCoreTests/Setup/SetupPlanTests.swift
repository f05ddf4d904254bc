import EKSAuthTestSupport
import Foundation
import Testing
import YAMLDocument

@testable import AWSConfiguration
@testable import AWSSigning
@testable import AWSTransport
@testable import EKSAuthCore
@testable import EKSAuthSystem

@Suite("Setup plan")
struct SetupPlanTests {
    static let account = "123456789012"
    static let cluster = "dev.my-eks-cluster"

    static func request(
        group: String = "dev.rnd.group", roleName: String? = nil, region: String = "eu-west-1",
        clusterRole: ClusterRole = .view, namespace: String? = nil, fullEKSAccess: Bool = false,
        account: String = account
    ) -> SetupRequest {
        SetupRequest(
            account: account, clusterName: cluster, region: region, group: group, roleName: roleName,
            clusterRole: clusterRole, namespace: namespace, fullEKSAccess: fullEKSAccess)
    }

    static func plan(
        group: String = "dev.rnd.group", roleName: String? = nil, region: String = "eu-west-1",
        clusterRole: ClusterRole = .view, namespace: String? = nil, fullEKSAccess: Bool = false
    ) throws -> SetupPlan {
        try SetupPlan(
            request(
                group: group, roleName: roleName, region: region, clusterRole: clusterRole, namespace: namespace,
                fullEKSAccess: fullEKSAccess))
    }

    /// The content of the file `name` in `plan`.
    static func file(_ name: String, of plan: SetupPlan) throws -> String {
        try #require(plan.files.first { $0.name == name }?.content, "no file \(name)")
    }

    /// `text` parsed as a JSON object with Foundation's parser (independent of `JSONValue`).
    static func jsonObject(_ text: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        return try #require(object as? [String: Any])
    }

    /// `actual` and `expected` mean the same JSON document.
    static func sameJSON(_ actual: String, _ expected: String) throws -> Bool {
        let left = try #require(JSONValue.parse(actual), "not JSON: \(actual)")
        let right = try #require(JSONValue.parse(expected), "not JSON: \(expected)")
        return left == right
    }

    /// A YAML mapping's value at `keys`.
    static func value(_ node: Any?, _ keys: String...) -> Any? {
        keys.reduce(node) { ($0 as? [String: Any])?[$1] }
    }

    // MARK: Names

    @Test("the role and both policies are named after the group's first part, as in the seed")
    func defaultNames() throws {
        let plan = try Self.plan()
        #expect(plan.roleName == "dev.eks-access.role")
        #expect(plan.rolePolicyName == "dev.eks-access.policy")
        #expect(plan.groupPolicyName == "dev.assume-eks-access-role.policy")
        #expect(plan.kubernetesGroup == "eks-auth:dev.rnd.group")
        #expect(plan.partition == "aws")
        #expect(plan.roleARN == "arn:aws:iam::123456789012:role/dev.eks-access.role")
        #expect(plan.clusterARN == "arn:aws:eks:eu-west-1:123456789012:cluster/dev.my-eks-cluster")
        #expect(
            plan.policyARN(plan.rolePolicyName) == "arn:aws:iam::123456789012:policy/dev.eks-access.policy")
    }

    @Test("a group name without dots is its own prefix")
    func undottedGroup() throws {
        let plan = try Self.plan(group: "ops")
        #expect(plan.roleName == "ops.eks-access.role")
        #expect(plan.rolePolicyName == "ops.eks-access.policy")
        #expect(plan.groupPolicyName == "ops.assume-eks-access-role.policy")
        #expect(plan.kubernetesGroup == "eks-auth:ops")
    }

    @Test(
        "--role-name replaces the role name and names the role policy after it",
        arguments: [
            ("qa.cluster-access.role", "qa.cluster-access.policy"),
            ("platform-eks", "platform-eks.policy"),
        ])
    func customRoleName(roleName: String, policyName: String) throws {
        let plan = try Self.plan(roleName: roleName)
        #expect(plan.roleName == roleName)
        #expect(plan.rolePolicyName == policyName)
        #expect(plan.roleARN == "arn:aws:iam::123456789012:role/\(roleName)")
        // The group policy keeps the group's prefix: it belongs to the group, not the role.
        #expect(plan.groupPolicyName == "dev.assume-eks-access-role.policy")
        #expect(
            try Self.sameJSON(
                plan.groupPolicy,
                #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"\#(plan.roleARN)"}]}"#
            ))
    }

    @Test(
        "the partition comes from the region and shows in every ARN",
        arguments: [
            ("eu-west-1", "aws"), ("us-east-1", "aws"), ("cn-north-1", "aws-cn"), ("cn-northwest-1", "aws-cn"),
            ("us-gov-west-1", "aws-us-gov"),
        ])
    func partition(region: String, partition: String) throws {
        let plan = try Self.plan(region: region)
        #expect(plan.partition == partition)
        #expect(plan.roleARN == "arn:\(partition):iam::123456789012:role/dev.eks-access.role")
        #expect(plan.clusterARN == "arn:\(partition):eks:\(region):123456789012:cluster/dev.my-eks-cluster")
        #expect(
            plan.policyARN("p") == "arn:\(partition):iam::123456789012:policy/p")
        let trust = try Self.jsonObject(plan.trustPolicy)
        let statement = try #require((trust["Statement"] as? [[String: Any]])?.first)
        #expect(Self.value(statement, "Principal", "AWS") as? String == "arn:\(partition):iam::123456789012:root")
        let accessEntry = try Self.file("access-entry.sh", of: plan)
        #expect(accessEntry.contains("'arn:\(partition):eks::aws:cluster-access-policy/AmazonEKSViewPolicy'"))
    }

    // MARK: Policy documents

    @Test("the trust policy lets the account's principals assume the role, and nothing else")
    func trustPolicy() throws {
        let plan = try Self.plan()
        _ = try Self.jsonObject(plan.trustPolicy)
        #expect(
            try Self.sameJSON(
                plan.trustPolicy,
                """
                {"Version":"2012-10-17","Statement":[{"Effect":"Allow",
                 "Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}
                """))
    }

    @Test("the role policy only describes the one cluster (least privilege)")
    func rolePolicyLeastPrivilege() throws {
        let plan = try Self.plan()
        _ = try Self.jsonObject(plan.rolePolicy)
        #expect(
            try Self.sameJSON(
                plan.rolePolicy,
                """
                {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["eks:DescribeCluster"],
                 "Resource":"arn:aws:eks:eu-west-1:123456789012:cluster/dev.my-eks-cluster"}]}
                """))
        #expect(!plan.rolePolicy.contains("eks:*"))
    }

    @Test("--full-eks-access grants eks:* on every resource, and only then")
    func rolePolicyFullAccess() throws {
        let plan = try Self.plan(fullEKSAccess: true)
        _ = try Self.jsonObject(plan.rolePolicy)
        #expect(
            try Self.sameJSON(
                plan.rolePolicy,
                #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"eks:*","Resource":"*"}]}"#))
    }

    @Test("the group policy allows sts:AssumeRole on the new role only")
    func groupPolicy() throws {
        let plan = try Self.plan()
        _ = try Self.jsonObject(plan.groupPolicy)
        #expect(
            try Self.sameJSON(
                plan.groupPolicy,
                """
                {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole",
                 "Resource":"arn:aws:iam::123456789012:role/dev.eks-access.role"}]}
                """))
    }

    @Test(
        "the JSON files are the policy documents",
        arguments: ["role-trust-policy.json", "role-eks-policy.json", "group-assume-role-policy.json"])
    func jsonFiles(name: String) throws {
        let plan = try Self.plan()
        let documents = [
            "role-trust-policy.json": plan.trustPolicy, "role-eks-policy.json": plan.rolePolicy,
            "group-assume-role-policy.json": plan.groupPolicy,
        ]
        let content = try Self.file(name, of: plan)
        _ = try Self.jsonObject(content)
        #expect(content == documents[name].map { $0 + "\n" })
    }

    // MARK: Files

    @Test("the files come in the order they are applied")
    func fileList() throws {
        let plan = try Self.plan()
        #expect(
            plan.files.map(\.name) == [
                "role-trust-policy.json", "role-eks-policy.json", "group-assume-role-policy.json", "iam.sh",
                "aws-auth-mapRoles.yaml", "eksctl.sh", "access-entry.sh", "rbac.yaml", "kubeconfig.sh", "README.md",
            ])
        for file in plan.files where file.name.hasSuffix(".sh") {
            #expect(file.content.hasPrefix("#!/bin/sh\n"), "\(file.name)")
        }
        for file in plan.files {
            #expect(file.content.hasSuffix("\n"), "\(file.name) ends without a newline")
        }
    }

    @Test("the aws-auth entry maps the path-less role ARN to the Kubernetes group with a per-session username")
    func awsAuthEntry() throws {
        let plan = try Self.plan()
        let yaml = try Self.file("aws-auth-mapRoles.yaml", of: plan)
        let entries = try #require(try YAML.compose(yaml)?.sequence)
        try #require(entries.count == 1)
        #expect(entries[0]["rolearn"]?.string == "arn:aws:iam::123456789012:role/dev.eks-access.role")
        #expect(entries[0]["username"]?.string == "dev.eks-access.role:{{SessionName}}")
        #expect(entries[0]["groups"]?.sequence?.map(\.string) == ["eks-auth:dev.rnd.group"])
        #expect(!yaml.contains("system:masters"))
    }

    @Test("eksctl.sh creates the same identity mapping")
    func eksctl() throws {
        let plan = try Self.plan()
        let script = try Self.file("eksctl.sh", of: plan)
        // One command over continuation lines; compare word by word.
        let command = script.replacingOccurrences(of: "\\\n", with: " ").split(whereSeparator: \.isWhitespace)
            .joined(separator: " ")
        #expect(
            command.contains(
                "eksctl create iamidentitymapping --cluster 'dev.my-eks-cluster' --region 'eu-west-1' "
                    + "--arn 'arn:aws:iam::123456789012:role/dev.eks-access.role' "
                    + "--username 'dev.eks-access.role:{{SessionName}}' --group 'eks-auth:dev.rnd.group'"))
    }

    @Test("iam.sh creates the role and both policies from the JSON files and attaches them")
    func iamScript() throws {
        let plan = try Self.plan()
        let script = try Self.file("iam.sh", of: plan)
        let lines = script.split(separator: "\n").map(String.init).filter { $0.hasPrefix("aws ") }
        #expect(
            lines == [
                "aws iam create-role --role-name 'dev.eks-access.role' --assume-role-policy-document "
                    + "file://role-trust-policy.json",
                "aws iam create-policy --policy-name 'dev.eks-access.policy' --policy-document "
                    + "file://role-eks-policy.json",
                "aws iam attach-role-policy --role-name 'dev.eks-access.role' --policy-arn "
                    + "'arn:aws:iam::123456789012:policy/dev.eks-access.policy'",
                "aws iam create-policy --policy-name 'dev.assume-eks-access-role.policy' --policy-document "
                    + "file://group-assume-role-policy.json",
                "aws iam get-group --group-name 'dev.rnd.group' >/dev/null 2>&1 || "
                    + "aws iam create-group --group-name 'dev.rnd.group'",
                "aws iam attach-group-policy --group-name 'dev.rnd.group' --policy-arn "
                    + "'arn:aws:iam::123456789012:policy/dev.assume-eks-access-role.policy'",
            ])
        #expect(script.contains("set -e"))
    }

    @Test(
        "access-entry.sh names the EKS access policy of the cluster role, cluster-wide or in the namespace",
        arguments: [
            (ClusterRole.view, nil, "AmazonEKSViewPolicy", "type=cluster"),
            (.edit, nil, "AmazonEKSEditPolicy", "type=cluster"),
            (.admin, "team-a", "AmazonEKSAdminPolicy", "type=namespace,namespaces=team-a"),
            (.clusterAdmin, nil, "AmazonEKSClusterAdminPolicy", "type=cluster"),
            (.view, "team-b", "AmazonEKSViewPolicy", "type=namespace,namespaces=team-b"),
        ] as [(ClusterRole, String?, String, String)])
    func accessEntry(role: ClusterRole, namespace: String?, policy: String, scope: String) throws {
        let plan = try Self.plan(clusterRole: role, namespace: namespace)
        #expect(role.accessPolicyName == policy)
        let script = try Self.file("access-entry.sh", of: plan)
        #expect(
            script.contains(
                "aws eks create-access-entry --region 'eu-west-1' --cluster-name 'dev.my-eks-cluster' \\\n"
                    + "  --principal-arn 'arn:aws:iam::123456789012:role/dev.eks-access.role' "
                    + "--kubernetes-groups 'eks-auth:dev.rnd.group' --type STANDARD"))
        #expect(script.contains("--policy-arn 'arn:aws:eks::aws:cluster-access-policy/\(policy)'"))
        #expect(script.contains("--access-scope \(scope)\n"))
    }

    @Test(
        "rbac.yaml binds the Kubernetes group to the chosen ClusterRole cluster-wide",
        arguments: ClusterRole.allCases)
    func clusterRoleBinding(role: ClusterRole) throws {
        let plan = try Self.plan(clusterRole: role)
        let binding = try #require(try YAML.compose(Self.file("rbac.yaml", of: plan))?.mapping)
        #expect(binding["apiVersion"]?.string == "rbac.authorization.k8s.io/v1")
        #expect(binding["kind"]?.string == "ClusterRoleBinding")
        #expect(binding["metadata"]?["name"]?.string == "dev.eks-access.role")
        #expect(binding["metadata"]?["namespace"] == nil)
        let subjects = try #require(binding["subjects"]?.sequence)
        #expect(subjects.count == 1)
        #expect(subjects.first?["kind"]?.string == "Group")
        #expect(subjects.first?["name"]?.string == "eks-auth:dev.rnd.group")
        #expect(subjects.first?["apiGroup"]?.string == "rbac.authorization.k8s.io")
        #expect(binding["roleRef"]?["kind"]?.string == "ClusterRole")
        #expect(binding["roleRef"]?["name"]?.string == role.rawValue)
        #expect(binding["roleRef"]?["apiGroup"]?.string == "rbac.authorization.k8s.io")
    }

    @Test("with --namespace rbac.yaml is a RoleBinding in that namespace, still to the ClusterRole")
    func roleBinding() throws {
        let plan = try Self.plan(clusterRole: .edit, namespace: "team-a")
        let binding = try #require(try YAML.compose(Self.file("rbac.yaml", of: plan))?.mapping)
        #expect(binding["kind"]?.string == "RoleBinding")
        #expect(binding["metadata"]?["name"]?.string == "dev.eks-access.role")
        #expect(binding["metadata"]?["namespace"]?.string == "team-a")
        #expect(binding["roleRef"]?["kind"]?.string == "ClusterRole")
        #expect(binding["roleRef"]?["name"]?.string == "edit")
        let subjects = try #require(binding["subjects"]?.sequence)
        #expect(subjects.first?["name"]?.string == "eks-auth:dev.rnd.group")
    }

    @Test(
        "rbac.yaml keeps names that YAML would read as numbers, booleans or null as strings",
        arguments: [(nil, "123"), ("true", nil), ("null", nil), ("1e3", nil)] as [(String?, String?)])
    func yamlSpecialNames(roleName: String?, namespace: String?) throws {
        let plan = try Self.plan(roleName: roleName, namespace: namespace)
        let binding = try #require(try YAML.compose(Self.file("rbac.yaml", of: plan))?.mapping)
        #expect(binding["metadata"]?["name"]?.string == plan.roleName)
        if let namespace {
            #expect(binding["metadata"]?["namespace"]?.string == namespace)
        }
    }

    @Test("kubeconfig.sh writes the kubeconfig entry that assumes the role")
    func kubeconfigScript() throws {
        let plan = try Self.plan()
        let script = try Self.file("kubeconfig.sh", of: plan)
        #expect(
            script.contains(
                "eks-auth kubeconfig --cluster-name 'dev.my-eks-cluster' --region 'eu-west-1' "
                    + "--role-arn 'arn:aws:iam::123456789012:role/dev.eks-access.role'\n"))
    }

    @Test("the README names every step, the resources and the binding's reach")
    func readme() throws {
        let plan = try Self.plan(namespace: "team-a")
        let readme = try Self.file("README.md", of: plan)
        for name in [
            "dev.rnd.group", "dev.eks-access.role", "dev.eks-access.policy", "dev.assume-eks-access-role.policy",
            "eks-auth:dev.rnd.group", "iam.sh", "aws-auth-mapRoles.yaml", "eksctl.sh", "access-entry.sh",
            "rbac.yaml", "kubeconfig.sh", "in namespace `team-a`",
        ] {
            #expect(readme.contains(name), "README lacks \(name)")
        }
        #expect(!readme.contains("Warnings"))
        #expect(try Self.file("README.md", of: Self.plan()).contains("cluster-wide"))
    }

    // MARK: Warnings

    @Test("view, edit and admin with the least-privilege role policy warn about nothing")
    func noWarnings() throws {
        for role in [ClusterRole.view, .edit, .admin] {
            #expect(try Self.plan(clusterRole: role).warnings.isEmpty)
        }
    }

    @Test("cluster-admin and full EKS access each warn, and the README repeats the warnings")
    func warnings() throws {
        let admin = try Self.plan(clusterRole: .clusterAdmin)
        #expect(admin.warnings.count == 1)
        #expect(admin.warnings.first?.contains("cluster-admin") == true)
        #expect(admin.warnings.first?.contains("dev.rnd.group") == true)
        #expect(admin.warnings.first?.contains("system:masters") == true)

        let full = try Self.plan(fullEKSAccess: true)
        #expect(full.warnings == ["eks:* on * lets the role change or delete every cluster in the account"])

        let both = try Self.plan(clusterRole: .clusterAdmin, fullEKSAccess: true)
        #expect(both.warnings.count == 2)
        let readme = try Self.file("README.md", of: both)
        #expect(readme.contains("**Warnings:**"))
        for warning in both.warnings {
            #expect(readme.contains("- \(warning)"))
        }
    }

    // MARK: Invalid input

    @Test(
        "an account id that is not 12 ASCII digits is refused",
        arguments: ["", "12345678901", "1234567890123", "12345678901a", "1234 5678901", "١٢٣٤٥٦٧٨٩٠١٢", "-12345678901"])
    func badAccount(account: String) {
        #expect(throws: SetupError.invalid(.account, expected: "a 12-digit account id")) {
            try SetupPlan(Self.request(account: account))
        }
    }

    @Test(
        "a group name IAM would refuse is refused",
        arguments: ["", "dev rnd", "dev/rnd", "dév.group", "dev:rnd", String(repeating: "g", count: 65)])
    func badGroup(group: String) {
        #expect(
            throws: SetupError.invalid(.group, expected: "an IAM group name (letters, digits and +=,.@_-)")
        ) {
            try SetupPlan(Self.request(group: group))
        }
    }

    @Test("IAM's full group-name alphabet and length are accepted")
    func goodGroup() throws {
        #expect(try Self.plan(group: "a+b=c,d.e@f_g-h").roleName == "a+b=c,d.eks-access.role")
        let long = String(repeating: "g", count: 64)
        #expect(try Self.plan(group: long, roleName: "r").request.group == long)
    }

    @Test(
        "a role name IAM would refuse is refused",
        arguments: ["", "dev role", "dev/role", "rôle", "dev*role", String(repeating: "r", count: 65)])
    func badRoleName(roleName: String) {
        #expect(
            throws: SetupError.invalid(.roleName, expected: "an IAM role name (letters, digits and +=,.@_-)")
        ) {
            try SetupPlan(Self.request(roleName: roleName))
        }
    }

    @Test("a derived role name longer than IAM's 64 characters is refused")
    func derivedRoleNameTooLong() {
        #expect(
            throws: SetupError.invalid(.roleName, expected: "an IAM role name (letters, digits and +=,.@_-)")
        ) {
            try SetupPlan(Self.request(group: String(repeating: "g", count: 50)))
        }
    }

    @Test(
        "a namespace Kubernetes would refuse is refused",
        arguments: ["", "Team-A", "team_a", "team.a", "team a", String(repeating: "n", count: 64)])
    func badNamespace(namespace: String) {
        #expect(throws: SetupError.invalid(.namespace, expected: "a Kubernetes namespace name")) {
            try SetupPlan(Self.request(namespace: namespace))
        }
    }

    @Test(
        "a namespace that starts or ends with a hyphen is refused (RFC 1123 label)",
        arguments: ["-team", "team-", "-"])
    func hyphenNamespace(namespace: String) {
        #expect(throws: SetupError.invalid(.namespace, expected: "a Kubernetes namespace name")) {
            try SetupPlan(Self.request(namespace: namespace))
        }
    }

    @Test("a 63-character namespace of lowercase letters, digits and inner hyphens is accepted")
    func goodNamespace() throws {
        let name = "a" + String(repeating: "-", count: 61) + "9"
        #expect(try Self.plan(namespace: name).request.namespace == name)
    }

    @Test(
        "a region that is not a region name is refused as --region",
        arguments: ["", "EU-WEST-1", "eu west 1", "-eu-west-1", "eu-west-1-", "eu_west_1"])
    func badRegion(region: String) {
        #expect(throws: ConfigError.invalidRegion(region, source: .flag(.region))) {
            try SetupPlan(Self.request(region: region))
        }
    }

    @Test("errors read as usage errors; conflicts as configuration errors with a hint")
    func errorKinds() {
        let invalid = SetupError.invalid(.account, expected: "a 12-digit account id")
        #expect(invalid.kind == .usage)
        #expect(invalid.message(naming: { "--\($0)" }) == "invalid --account: expected a 12-digit account id")
        #expect(invalid.message == "invalid account: expected a 12-digit account id")
        #expect(invalid.hint == nil)
        let conflicts = SetupError.conflicts(["role r: its trust policy is different", "policy p: x"])
        #expect(conflicts.kind == .configuration)
        #expect(
            conflicts.message
                == "existing IAM resources differ from the plan and were not changed: "
                + "role r: its trust policy is different; policy p: x")
        #expect(conflicts.hint != nil)
    }
}
