import EKSAuthTestSupport
import Testing

@testable import AWSConfiguration
@testable import AWSSigning
@testable import AWSTransport
@testable import EKSAuthCore
@testable import EKSAuthSystem

@Suite("ARN canonicalisation")
struct ARNTests {
    @Test(
        "ARNs canonicalise as aws-iam-authenticator's Canonicalize does",
        arguments: [
            // assumed-role sessions become their role
            (
                "arn:aws:sts::123456789012:assumed-role/dev.eks-access.role/alice",
                "arn:aws:iam::123456789012:role/dev.eks-access.role"
            ),
            (
                "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/alice@example.com",
                "arn:aws:iam::123456789012:role/AWSReservedSSO_Admin_0123456789abcdef"
            ),
            // every segment between assumed-role and the session is kept
            (
                "arn:aws:sts::123456789012:assumed-role/team/platform/deployer/session-1",
                "arn:aws:iam::123456789012:role/team/platform/deployer"
            ),
            (
                "arn:aws-cn:sts::123456789012:assumed-role/ops/i-0123456789abcdef0",
                "arn:aws-cn:iam::123456789012:role/ops"
            ),
            (
                "arn:aws-us-gov:sts::123456789012:assumed-role/gov-role/s",
                "arn:aws-us-gov:iam::123456789012:role/gov-role"
            ),
            ("arn:aws-iso:sts::123456789012:assumed-role/r/s", "arn:aws-iso:iam::123456789012:role/r"),
            ("arn:aws-iso-b:sts::123456789012:assumed-role/r/s", "arn:aws-iso-b:iam::123456789012:role/r"),
            ("arn:aws-iso-e:sts::123456789012:assumed-role/r/s", "arn:aws-iso-e:iam::123456789012:role/r"),
            ("arn:aws-iso-f:sts::123456789012:assumed-role/r/s", "arn:aws-iso-f:iam::123456789012:role/r"),
            ("arn:aws-eusc:sts::123456789012:assumed-role/r/s", "arn:aws-eusc:iam::123456789012:role/r"),
            // federated users, IAM users, roles and root stay as they are
            (
                "arn:aws:sts::123456789012:federated-user/bob",
                "arn:aws:sts::123456789012:federated-user/bob"
            ),
            ("arn:aws:iam::123456789012:user/alice", "arn:aws:iam::123456789012:user/alice"),
            ("arn:aws:iam::123456789012:user/division/alice", "arn:aws:iam::123456789012:user/division/alice"),
            (
                "arn:aws:iam::123456789012:role/dev.eks-access.role",
                "arn:aws:iam::123456789012:role/dev.eks-access.role"
            ),
            ("arn:aws:iam::123456789012:role/team/x", "arn:aws:iam::123456789012:role/team/x"),
            ("arn:aws:iam::123456789012:root", "arn:aws:iam::123456789012:root"),
        ])
    func canonical(_ arn: String, _ expected: String) {
        #expect(ARN.canonical(arn) == expected)
    }

    @Test(
        "ARNs the authenticator cannot map canonicalise to nil",
        arguments: [
            "arn:aws:sts::123456789012:assumed-role/only-role",  // fewer than 3 segments
            "arn:aws:sts::123456789012:assumed-role",
            "arn:aws:s3:::my-bucket",
            "arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0",
            "arn:aws:iam::123456789012:group/admins",
            "arn:aws:iam::123456789012:policy/p",
            "arn:aws:sts::123456789012:user/alice",
            "arn:aws:iam::123456789012:assumed-role/r/s",
            "arn:aws-moon:iam::123456789012:role/r",
            "arn:AWS:iam::123456789012:role/r",
            "arn::iam::123456789012:role/r",
            "arn:aws:iam::12345:role/r",
            "arn:aws:iam::abcdefghijkl:role/r",
            "ARN:aws:iam::123456789012:role/r",
            "arn:aws:iam:123456789012:role/r",
            "not an arn",
            "",
        ])
    func notMappable(_ arn: String) {
        #expect(ARN.canonical(arn) == nil)
    }

    @Test(
        "the session name is the last segment of an assumed-role ARN, else nil",
        arguments: [
            ("arn:aws:sts::123456789012:assumed-role/dev.eks-access.role/alice", "alice"),
            ("arn:aws:sts::123456789012:assumed-role/team/x/alice@example.com", "alice@example.com"),
            ("arn:aws:sts::123456789012:assumed-role/ops/i-0123456789abcdef0", "i-0123456789abcdef0"),
            ("arn:aws:iam::123456789012:role/dev.eks-access.role", nil),
            ("arn:aws:iam::123456789012:user/alice", nil),
            ("arn:aws:sts::123456789012:federated-user/bob", nil),
        ] as [(String, String?)])
    func sessionName(_ arn: String, _ expected: String?) {
        #expect(ARN.sessionName(arn) == expected)
    }

    @Test(
        "the account is the fifth field",
        arguments: [
            ("arn:aws:sts::123456789012:assumed-role/r/s", "123456789012"),
            ("arn:aws-cn:iam::210987654321:user/u", "210987654321"),
            ("arn:aws:iam::000000000001:root", "000000000001"),
        ])
    func account(_ arn: String, _ expected: String) {
        #expect(ARN.account(arn) == expected)
    }

    @Test("something that is not an ARN has no account")
    func noAccount() {
        #expect(ARN.account("not an arn") == nil)
    }
}

@Suite("ARN: the one ARN reader")
struct ARNFieldTests {
    @Test("splits the six fields; the resource keeps its own colons and slashes")
    func fields() throws {
        let arn = try #require(ARN("arn:aws:eks:eu-west-1:123456789012:cluster/dev:extra/x"))
        #expect(arn.partition == "aws")
        #expect(arn.service == "eks")
        #expect(arn.region == "eu-west-1")
        #expect(arn.account == "123456789012")
        #expect(arn.resource == "cluster/dev:extra/x")
        #expect(arn.text == "arn:aws:eks:eu-west-1:123456789012:cluster/dev:extra/x")
    }

    @Test("refuses text that is not an ARN", arguments: ["", "arn:aws:iam::123", "urn:aws:iam::1:role/x", "role/x"])
    func notARNs(text: String) {
        #expect(ARN(text) == nil)
    }

    @Test("roles, with and without paths, are roles; users and sessions are not")
    func roles() {
        #expect(ARN("arn:aws:iam::123456789012:role/a/b/c")?.isIAMRole == true)
        #expect(ARN("arn:aws:iam::123456789012:role/")?.isIAMRole == false)
        #expect(ARN("arn:aws:iam::123456789012:user/alice")?.isIAMRole == false)
        #expect(ARN("arn:aws:sts::123456789012:assumed-role/r/s")?.isIAMRole == false)
    }

    @Test("the session name is the last segment of an assumed-role ARN only")
    func sessionNames() {
        #expect(ARN.sessionName("arn:aws:sts::123456789012:assumed-role/team/r/alice") == "alice")
        #expect(ARN.sessionName("arn:aws:iam::123456789012:role/team/r") == nil)
        #expect(ARN.sessionName("arn:aws:sts::123456789012:assumed-role/r") == nil)
    }
}
