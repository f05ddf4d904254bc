import EKSAuthTestSupport
import Foundation
import Testing

@testable import AWSConfiguration
@testable import AWSSigning
@testable import AWSTransport
@testable import EKSAuthCore
@testable import EKSAuthSystem

@Suite("Permission set roles")
struct PermissionSetRoleTests {
    static let account = "123456789012"
    static let regionPath = "/aws-reserved/sso.amazonaws.com/eu-west-1/"
    static let barePath = "/aws-reserved/sso.amazonaws.com/"

    /// The ARN IAM returns for the role of `set` with `hash` under `path`.
    static func arn(_ set: String, _ hash: String, path: String = regionPath, account: String = account) -> String {
        "arn:aws:iam::\(account):role\(path)AWSReservedSSO_\(set)_\(hash)"
    }

    static func role(_ set: String, _ hash: String, path: String = regionPath, account: String = account) throws
        -> PermissionSetRole
    {
        try #require(PermissionSetRole(arn: arn(set, hash, path: path, account: account)))
    }

    // MARK: Reading role ARNs

    @Test("a role under a region's reserved path gives its set, hash, path, region and the path-less ARN")
    func regionPath() throws {
        let role = try Self.role("AdministratorAccess", "0123456789abcdef")
        #expect(role.permissionSetName == "AdministratorAccess")
        #expect(role.hash == "0123456789abcdef")
        #expect(role.name == "AWSReservedSSO_AdministratorAccess_0123456789abcdef")
        #expect(role.path == "/aws-reserved/sso.amazonaws.com/eu-west-1/")
        #expect(role.identityCenterRegion == "eu-west-1")
        #expect(role.account == "123456789012")
        #expect(role.partition == "aws")
        #expect(
            role.arn
                == "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/"
                + "AWSReservedSSO_AdministratorAccess_0123456789abcdef")
        #expect(
            role.pathlessARN == "arn:aws:iam::123456789012:role/AWSReservedSSO_AdministratorAccess_0123456789abcdef")
    }

    @Test("a role under the bare reserved path has no Identity Center region (us-east-1)")
    func barePath() throws {
        let role = try Self.role("ReadOnly", "fedcba9876543210", path: Self.barePath)
        #expect(role.path == "/aws-reserved/sso.amazonaws.com/")
        #expect(role.identityCenterRegion == nil)
        #expect(role.pathlessARN == "arn:aws:iam::123456789012:role/AWSReservedSSO_ReadOnly_fedcba9876543210")
    }

    @Test(
        "the hash is what follows the last underscore, so set names may hold underscores",
        arguments: [
            ("Dev_Ops", "Dev_Ops"), ("a_b_c", "a_b_c"), ("Dev", "Dev"), ("_x", "_x"), ("x_", "x_"),
            ("a+b=c,d.e@f-g", "a+b=c,d.e@f-g"),
        ])
    func underscores(set: String, expected: String) throws {
        let role = try Self.role(set, "00aa11bb22cc33dd")
        #expect(role.permissionSetName == expected)
        #expect(role.hash == "00aa11bb22cc33dd")
    }

    @Test(
        "anything that is not an Identity Center role ARN is not read as one",
        arguments: [
            // Not under the reserved path, or under a look-alike.
            "arn:aws:iam::123456789012:role/AWSReservedSSO_Dev_0123456789abcdef",
            "arn:aws:iam::123456789012:role/team/AWSReservedSSO_Dev_0123456789abcdef",
            "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com.evil/AWSReservedSSO_Dev_0123456789abcdef",
            // Not the name Identity Center gives.
            "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_0123456789abcdef",
            "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Dev_0123456789abcde",
            "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Dev_0123456789abcdef0",
            "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Dev_0123456789abcdeg",
            "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO__0123456789abcdef",
            "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSODev_0123456789abcdef",
            "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/awsreservedsso_Dev_0123456789abcdef",
            "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_D v_0123456789abcdef",
            // Not an IAM role, or a malformed ARN.
            "arn:aws:iam::123456789012:user/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Dev_0123456789abcdef",
            "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Dev_0123456789abcdef/alice",
            "arn:aws:iam::12345678901:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Dev_0123456789abcdef",
            "arn:aws:iam:eu-west-1:123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Dev_0123456789abcdef",
            "arn:a\u{1B}[2J:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Dev_0123456789abcdef",
            "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/\u{1B}[2J/AWSReservedSSO_Dev_0123456789abcdef",
            "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/a b/AWSReservedSSO_Dev_0123456789abcdef",
            "AWSReservedSSO_Dev_0123456789abcdef", "",
        ])
    func notIdentityCenterRoles(arn: String) {
        #expect(PermissionSetRole(arn: arn) == nil)
    }

    @Test("an aws-auth rolearn without the path is still read as the set's role, with path /")
    func mappedWithoutPath() throws {
        let arn = "arn:aws:iam::123456789012:role/AWSReservedSSO_Dev_Ops_0123456789abcdef"
        let role = try #require(PermissionSetRole.mapped(arn))
        #expect(role.permissionSetName == "Dev_Ops")
        #expect(role.path == "/")
        #expect(role.arn == arn)
        #expect(try role.isSameRole(as: Self.role("Dev_Ops", "0123456789abcdef")))
        #expect(PermissionSetRole.mapped("arn:aws:iam::123456789012:role/dev.eks-access.role") == nil)
    }

    @Test(
        "a set name is 1 to 32 of letters, digits and +=,.@_-",
        arguments: [
            ("Dev", true), ("Dev_Ops", true), ("a+b=c,d.e@f-g", true), (String(repeating: "x", count: 32), true),
            ("", false), (String(repeating: "x", count: 33), false), ("Dev Ops", false), ("Dev/Ops", false),
            ("Dév", false), ("Dev:Ops", false), ("Dev'Ops", false),
        ])
    func setNames(name: String, valid: Bool) {
        #expect(PermissionSetRole.isValidSetName(name) == valid)
    }

    // MARK: Choosing the set's role

    static func roles() throws -> [PermissionSetRole] {
        try [
            role("DevOps", "1111111111111111"), role("Dev_Ops", "2222222222222222"), role("Dev", "3333333333333333"),
            role("Developer", "4444444444444444"), role("ReadOnly", "5555555555555555"),
        ]
    }

    @Test(
        "the set's role is found by exact name, never by a common prefix or a name holding it",
        arguments: [("Dev", "3333333333333333"), ("DevOps", "1111111111111111"), ("Dev_Ops", "2222222222222222")])
    func exactName(set: String, hash: String) throws {
        let role = try PermissionSetLookup.select(set, from: Self.roles(), account: Self.account)
        #expect(role.hash == hash)
        #expect(role.permissionSetName == set)
    }

    @Test("names compare without regard to case, as IAM compares role names; the role's spelling is kept")
    func caseInsensitive() throws {
        let role = try PermissionSetLookup.select("devops", from: Self.roles(), account: Self.account)
        #expect(role.permissionSetName == "DevOps")
        #expect(
            try PermissionSetLookup.select("DEV", from: Self.roles(), account: Self.account).hash == "3333333333333333")
    }

    @Test("no role of the set: the error names the set and account, the hint the nearest sets and the check")
    func notFound() throws {
        let error = try #require(throws: PermissionSetError.self) {
            try PermissionSetLookup.select("Devloper", from: Self.roles(), account: Self.account)
        }
        #expect(
            error
                == .notFound(
                    set: "Devloper", account: "123456789012", region: nil,
                    nearest: ["Developer", "DevOps", "Dev_Ops", "Dev", "ReadOnly"]))
        #expect(
            error.message
                == "no role of permission set 'Devloper' in account 123456789012: IAM has no role "
                + "AWSReservedSSO_Devloper_<hash> under /aws-reserved/sso.amazonaws.com/")
        #expect(
            error.hint
                == "is the set provisioned to this account? permission sets found: Developer, DevOps, Dev_Ops, Dev, "
                + "ReadOnly; list them with 'aws iam list-roles --path-prefix /aws-reserved/sso.amazonaws.com/'")
        #expect(error.kind == .configuration)
    }

    @Test("the nearest names lead with the typo Spelling finds, then by distance, at most five, once each")
    func nearest() {
        let names = ["ReadOnly", "Admin", "Billing", "Dev", "DevOps", "devops", "Developer", "Audit", "Network"]
        let found = PermissionSetLookup.nearest(to: "DevOp", among: names)
        #expect(found.count == 5)
        #expect(found.first == "DevOps")
        #expect(found.filter { $0.lowercased() == "devops" }.count == 1)
        #expect(Array(found.prefix(3)) == ["DevOps", "Dev", "Developer"])
    }

    @Test("no Identity Center role at all: the hint says no set is provisioned to the account")
    func noneProvisioned() throws {
        let error = try #require(throws: PermissionSetError.self) {
            try PermissionSetLookup.select("Dev", from: [], account: Self.account)
        }
        #expect(error == .notFound(set: "Dev", account: "123456789012", region: nil, nearest: []))
        #expect(error.hint?.contains("no permission set is provisioned to this account") == true)
    }

    @Test("roles under two regions' paths are refused, naming both, unless the Identity Center region picks one")
    func twoRegions() throws {
        let roles = try [
            Self.role("Dev", "aaaaaaaaaaaaaaaa"), Self.role("Dev", "bbbbbbbbbbbbbbbb", path: Self.barePath),
            Self.role("DevOps", "cccccccccccccccc"),
        ]
        let error = try #require(throws: PermissionSetError.self) {
            try PermissionSetLookup.select("Dev", from: roles, account: Self.account)
        }
        #expect(
            error
                == .ambiguous(
                    set: "Dev", account: "123456789012",
                    arns: [
                        "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Dev_bbbbbbbbbbbbbbbb",
                        "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/"
                            + "AWSReservedSSO_Dev_aaaaaaaaaaaaaaaa",
                    ], regions: true))
        #expect(error.message.hasPrefix("permission set 'Dev' has 2 roles in account 123456789012: arn:aws:iam::"))
        #expect(error.hint?.contains("--sso-region REGION") == true)
        #expect(error.kind == .configuration)

        let inEurope = try PermissionSetLookup.select(
            "Dev", from: roles, account: Self.account, identityCenterRegion: "eu-west-1")
        #expect(inEurope.hash == "aaaaaaaaaaaaaaaa")
        let inVirginia = try PermissionSetLookup.select(
            "Dev", from: roles, account: Self.account, identityCenterRegion: "us-east-1")
        #expect(inVirginia.hash == "bbbbbbbbbbbbbbbb")
        #expect(
            throws: PermissionSetError.notFound(
                set: "Dev", account: Self.account, region: "ap-south-1", nearest: ["Dev", "DevOps"])
        ) {
            try PermissionSetLookup.select(
                "Dev", from: roles, account: Self.account, identityCenterRegion: "ap-south-1")
        }
    }

    @Test("two live roles of one set under the same path (names differing in case) are refused without a region hint")
    func sameRegionTwice() throws {
        let roles = try [Self.role("Dev", "aaaaaaaaaaaaaaaa"), Self.role("dev", "bbbbbbbbbbbbbbbb")]
        let error = try #require(throws: PermissionSetError.self) {
            try PermissionSetLookup.select("DEV", from: roles, account: Self.account)
        }
        guard case .ambiguous(_, _, let arns, let regions) = error else {
            Issue.record("expected ambiguous, got \(error)")
            return
        }
        #expect(arns.count == 2)
        #expect(!regions)
        #expect(error.hint?.contains("--sso-region") == false)
    }

    @Test("roles IAM lists in another account than --account are refused: the credentials reach that account")
    func otherAccount() throws {
        let roles = try [Self.role("Dev", "aaaaaaaaaaaaaaaa", account: "999999999999")]
        #expect(throws: PermissionSetError.otherAccount(expected: "123456789012", found: "999999999999")) {
            try PermissionSetLookup.select("Dev", from: roles, account: Self.account)
        }
    }

    @Test("refused names and regions are usage errors, shown safely")
    func usageErrors() {
        let name = PermissionSetError.invalidName("Dev\u{1B}[2J Ops")
        #expect(name.kind == .usage)
        #expect(
            name.message == #"invalid permission set name 'Dev\e[2J Ops': expected 1 to 32 letters, digits and +=,.@_-"#
        )
        #expect(PermissionSetError.invalidRegion("mars").kind == .usage)
    }

    // MARK: ListRoles

    static let iamEndpoint = ServiceEndpoint(
        endpoint: Endpoint(host: "iam.amazonaws.com"), signingRegion: "us-east-1", source: "global")

    static func lookup(_ http: FakeHTTPClient) -> PermissionSetLookup {
        let iam = QueryProtocolClient(
            service: "iam", apiVersion: SetupApplier.apiVersion, endpoint: iamEndpoint, http: http,
            clock: .fixed(Fixtures.sigV4SuiteDate), retry: RetryPolicy(sleep: { _ in }, random: { 0 }))
        return PermissionSetLookup(iam: iam, credentials: Fixtures.credentials)
    }

    /// A ListRoles answer holding `arns`, truncated with `marker` when given.
    static func listRoles(_ arns: [String], marker: String? = nil) -> HTTPResponse {
        let members = arns.map { arn in
            let name = arn.split(separator: "/").last!
            let path = "/" + arn.split(separator: "/").dropFirst().dropLast().joined(separator: "/") + "/"
            return """
                <member><Path>\(path)</Path><RoleName>\(name)</RoleName><RoleId>AROAEXAMPLE</RoleId>
                <Arn>\(arn)</Arn><CreateDate>2024-01-02T03:04:05Z</CreateDate>
                <AssumeRolePolicyDocument>%7B%22Version%22%3A%222012-10-17%22%7D</AssumeRolePolicyDocument>
                <Description>Arn &lt;Arn&gt; in a description</Description><MaxSessionDuration>43200</MaxSessionDuration>
                </member>
                """
        }
        let truncation =
            marker.map {
                "<IsTruncated>true</IsTruncated><Marker>\($0.replacingOccurrences(of: "&", with: "&amp;"))</Marker>"
            } ?? "<IsTruncated>false</IsTruncated>"
        return SetupApplierTests.ok("ListRoles", "\(truncation)<Roles>\(members.joined())</Roles>")
    }

    @Test("ListRoles asks under the reserved path, follows every Marker while truncated, and keeps only SSO roles")
    func paging() throws {
        let pages = [
            Self.listRoles(
                [Self.arn("Dev", "1111111111111111"), Self.arn("DevOps", "2222222222222222")], marker: "m&1"),
            Self.listRoles(
                ["arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/not-an-sso-role"], marker: "m2"),
            Self.listRoles([Self.arn("ReadOnly", "3333333333333333", path: Self.barePath)]),
        ]
        let http = FakeHTTPClient { request, _ in
            let form = SetupApplierTests.form(request)
            switch form["Marker"] {
            case nil: return pages[0]
            case "m&1": return pages[1]
            default: return pages[2]
            }
        }
        let roles = try Self.lookup(http).roles()
        #expect(roles.map(\.permissionSetName) == ["Dev", "DevOps", "ReadOnly"])
        let forms = http.requests.map(SetupApplierTests.form)
        #expect(forms.count == 3)
        for form in forms {
            #expect(form["Action"] == "ListRoles")
            #expect(form["PathPrefix"] == "/aws-reserved/sso.amazonaws.com/")
            #expect(form["MaxItems"] == "1000")
        }
        #expect(forms.map { $0["Marker"] } == [nil, "m&1", "m2"])
    }

    @Test("a reply that stays truncated is refused after the page bound, not followed for ever")
    func endlessPages() throws {
        let http = FakeHTTPClient { _, _ in Self.listRoles([Self.arn("Dev", "1111111111111111")], marker: "again") }
        #expect(
            throws: AWSServiceError.malformedResponse(
                service: "iam", operation: "ListRoles", endpoint: "https://iam.amazonaws.com/", status: 200)
        ) {
            try Self.lookup(http).roles()
        }
        #expect(http.requests.count == PermissionSetLookup.maxPages)
    }

    @Test("AccessDenied on ListRoles is a denied service error")
    func denied() throws {
        let http = FakeHTTPClient { _, _ in STSReplies.error(status: 403, code: "AccessDenied") }
        let error = try #require(throws: AWSServiceError.self) { try Self.lookup(http).roles() }
        #expect(error.kind == .denied)
    }
}
