import EKSAuthTestSupport
import Foundation
import Testing

@testable import AWSConfiguration
@testable import EKSAuthCore

@Suite("Migration from aws-auth to access entries")
struct MigrationPlannerTests {
    static func config(_ mapRoles: String, mapUsers: String = "", accounts: String = "") throws -> AWSAuthConfig {
        func block(_ text: String) -> String { text.split(separator: "\n").map { "    \($0)\n" }.joined() }
        var yaml = "data:\n  mapRoles: |\n" + block(mapRoles)
        if !mapUsers.isEmpty { yaml += "  mapUsers: |\n" + block(mapUsers) }
        if !accounts.isEmpty { yaml += "  mapAccounts: |\n" + block(accounts) }
        return try AWSAuthConfig.parse(yaml, source: "test")
    }

    static let admins = """
        - rolearn: arn:aws:iam::111122223333:role/admins
          username: admin
          groups: [system:masters, ops, system:authenticated]
        """

    @Test("system:masters becomes the cluster admin policy; other system: groups are dropped; the rest kept")
    func masters() throws {
        let steps = MigrationPlanner.plan(try Self.config(Self.admins), existing: [], cluster: "c")
        let step = try #require(steps.first)
        #expect(step.action == .create)
        #expect(step.entry?.kubernetesGroups == ["ops"])
        #expect(step.entry?.username == "admin")
        #expect(
            step.entry?.associatedAccessPolicies
                == [
                    AssociatedAccessPolicy(
                        policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy")
                ])
        #expect(step.notes.contains { $0.contains("system:authenticated are dropped") })
    }

    @Test("the role's ARN comes from IAM, path included; a role IAM lacks is stale; unknown paths are noted")
    func roleLookups() throws {
        let config = try Self.config(
            """
            - rolearn: arn:aws:iam::111122223333:role/dev
              username: dev
              groups: [dev]
            - rolearn: arn:aws:iam::111122223333:role/gone
              username: g
              groups: [dev]
            - rolearn: arn:aws:iam::111122223333:role/unknown
              username: u
              groups: [dev]
            """)
        let steps = MigrationPlanner.plan(config, existing: [], cluster: "c") { arn in
            if arn.hasSuffix("/dev") { return .found("arn:aws:iam::111122223333:role/team/dev") }
            if arn.hasSuffix("/gone") { return .missing }
            return .unknown("IAM GetRole: AccessDenied")
        }
        #expect(steps.map(\.action) == [.create, .skip, .create])
        #expect(steps[0].principalArn == "arn:aws:iam::111122223333:role/team/dev")
        #expect(steps[1].instead?.contains("eks-auth aws-auth remove --role-arn") == true)
        #expect(steps[2].notes.contains { $0.contains("path was not checked (IAM GetRole: AccessDenied)") })
    }

    @Test("node roles, Fargate and Windows need typed entries, made by hand or by EKS")
    func nodes() throws {
        let config = try Self.config(
            """
            - rolearn: arn:aws:iam::111122223333:role/ng
              username: system:node:{{EC2PrivateDNSName}}
              groups: [system:bootstrappers, system:nodes]
            - rolearn: arn:aws:iam::111122223333:role/win
              username: system:node:{{EC2PrivateDNSName}}
              groups: [system:bootstrappers, system:nodes, eks:kube-proxy-windows]
            - rolearn: arn:aws:iam::111122223333:role/fargate
              username: system:node:{{SessionName}}
              groups: [system:bootstrappers, system:nodes, system:node-proxier]
            """)
        let existing = [AccessEntry(principalArn: "arn:aws:iam::111122223333:role/ng", type: "EC2_LINUX")]
        let steps = MigrationPlanner.plan(config, existing: existing, cluster: "c")
        #expect(steps.map(\.action) == [.unchanged, .manual, .manual])
        #expect(steps[1].entry?.type == "EC2_WINDOWS")
        #expect(steps[2].entry?.type == "FARGATE_LINUX")
        #expect(steps[2].instead?.contains("--type FARGATE_LINUX") == true)
    }

    @Test("never-matching mappings are skipped: a path, a session ARN, an ARN mapped again later")
    func neverMatched() throws {
        let config = try Self.config(
            """
            - rolearn: arn:aws:iam::111122223333:role/team/x
              username: x
              groups: [x]
            - rolearn: arn:aws:sts::111122223333:assumed-role/x/s
              username: x
              groups: [x]
            - rolearn: arn:aws:iam::111122223333:role/y
              username: y
              groups: [y]
            - rolearn: arn:aws:iam::111122223333:role/Y
              username: y2
              groups: [y]
            """)
        // Of two mappings of one ARN the authenticator keeps the last (a map keyed by the lower-cased ARN).
        let steps = MigrationPlanner.plan(config, existing: [], cluster: "c")
        #expect(steps.map(\.action) == [.skip, .skip, .skip, .create])
        #expect(steps[2].notes.first?.contains("mapRoles[3] maps the same ARN later") == true)
        #expect(steps[3].entry?.username == "y2")
    }

    @Test("user names access entries refuse, or cannot fill, are left to EKS with a note")
    func usernames() {
        for (name, kept) in [
            ("dev:{{SessionName}}", "dev:{{SessionName}}"), ("system:ci", nil), ("eks:x", nil), ("aws:x", nil),
            ("amazon:x", nil), ("iam:x", nil), ("i-{{AccessKeyID}}", nil), ("", nil),
        ] as [(String, String?)] {
            var notes: [String] = []
            #expect(MigrationPlanner.carriedUsername(name, notes: &notes) == kept, "\(name)")
            #expect(notes.isEmpty == (kept != nil || name.isEmpty), "\(name)")
        }
    }

    @Test("existing entries: the same is unchanged, missing policies are associated, a different one is left alone")
    func existing() throws {
        let config = try Self.config(Self.admins)
        let arn = "arn:aws:iam::111122223333:role/admins"
        let admin = AssociatedAccessPolicy(
            policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy")
        let same = AccessEntry(
            principalArn: arn, kubernetesGroups: ["ops"], username: "admin", associatedAccessPolicies: [admin])
        #expect(MigrationPlanner.plan(config, existing: [same], cluster: "c").first?.action == .unchanged)
        var bare = same
        bare.associatedAccessPolicies = []
        // Someone else's entry is never raised to cluster-admin; one migrate made (its tag) is completed.
        let foreign = try #require(MigrationPlanner.plan(config, existing: [bare], cluster: "c").first)
        #expect(foreign.action == .differs)
        #expect(foreign.notes.last?.contains("access policies [], planned [AmazonEKSClusterAdminPolicy]") == true)
        bare.tags = [MigrationPlanner.tag: "aws-auth mapRoles[0]"]
        let resume = try #require(MigrationPlanner.plan(config, existing: [bare], cluster: "c").first)
        #expect(resume.action == .associate)
        #expect(resume.entry?.associatedAccessPolicies == [admin])
        var other = same
        other.kubernetesGroups = ["elsewhere"]
        let differs = try #require(MigrationPlanner.plan(config, existing: [other], cluster: "c").first)
        #expect(differs.action == .differs)
        #expect(differs.notes.last?.contains("groups [elsewhere], planned [ops]") == true)
    }

    @Test("mapAccounts and sso matchers have no entry of their own: what to do instead is said")
    func manual() throws {
        let config = try Self.config(
            """
            - sso:
                permissionSetName: Dev
                accountID: "111122223333"
              username: sso:{{SessionName}}
              groups: [dev]
            """, accounts: "- \"444455556666\"")
        let steps = MigrationPlanner.plan(config, existing: nil, cluster: "c")
        #expect(steps.map(\.action) == [.manual, .manual])
        #expect(steps[0].instead?.contains("eks-auth setup --account 111122223333 --permission-set Dev") == true)
        #expect(steps[1].source == "mapAccounts[0]")
    }

    @Test("the next steps follow the one-way mode order")
    func nextSteps() {
        func next(_ mode: AuthenticationMode, _ steps: [MigrationStep] = [], applied: Bool = false) -> [String] {
            MigrationService.nextSteps(
                MigrationReport(cluster: "c", mode: mode, steps: steps, applied: [], failed: [], next: []),
                applied: applied)
        }
        #expect(next(.configMap).first?.contains("authenticationMode=API_AND_CONFIG_MAP") == true)
        let pending = [MigrationStep(source: "mapRoles[0]", principalArn: "a", action: .create)]
        #expect(next(.apiAndConfigMap, pending).first == "eks-auth migrate --cluster-name c --apply")
        #expect(
            next(.apiAndConfigMap, pending, applied: true).last?.contains("authenticationMode=API (one-way") == true)
        let manual = [MigrationStep(source: "mapAccounts[0]", principalArn: nil, action: .manual)]
        #expect(next(.apiAndConfigMap, manual).last?.contains("first settle the 1 manual") == true)
        #expect(next(.api).count == 1)
    }
}
