import EKSAuthTestSupport
import Foundation
import Testing

@testable import AWSConfiguration
@testable import AWSSigning
@testable import AWSTransport
@testable import EKSAuthCore
@testable import EKSAuthSystem

@Suite("Setup applier")
struct SetupApplierTests {
    static let plan = try! SetupPlan(
        SetupRequest(
            account: "123456789012", clusterName: "dev.my-eks-cluster", region: "eu-west-1", group: "dev.rnd.group"))

    // MARK: Harness

    /// An applier over `http` at the global IAM endpoint, retrying as in production but without sleeping.
    static func applier(_ http: FakeHTTPClient) -> SetupApplier {
        let iam = QueryProtocolClient(
            service: "iam", apiVersion: SetupApplier.apiVersion,
            endpoint: ServiceEndpoint(
                endpoint: Endpoint(host: "iam.amazonaws.com"), signingRegion: "us-east-1", source: "global"),
            http: http, clock: .fixed(Fixtures.sigV4SuiteDate), retry: RetryPolicy(sleep: { _ in }, random: { 0 }))
        return SetupApplier(iam: iam, credentials: Fixtures.credentials)
    }

    /// The URL-decoded form parameters of a request.
    static func form(_ request: HTTPRequest) -> [String: String] {
        var result: [String: String] = [:]
        for pair in String(decoding: request.body, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0]).removingPercentEncoding ?? String(parts[0])
            let value = parts.count > 1 ? (String(parts[1]).removingPercentEncoding ?? String(parts[1])) : ""
            result[name] = value
        }
        return result
    }

    /// `text` percent-encoded as IAM encodes policy documents in its answers (RFC 3986 unreserved kept).
    static func urlEncoded(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)..<"\u{80}"))
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed)!
    }

    static func ok(_ action: String, _ result: String = "") -> HTTPResponse {
        HTTPResponse(
            status: 200,
            body: Array(
                """
                <\(action)Response xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
                  <\(action)Result>\(result)</\(action)Result>
                  <ResponseMetadata><RequestId>req-\(action)</RequestId></ResponseMetadata>
                </\(action)Response>
                """.utf8))
    }

    static func noSuchEntity(_ what: String) -> HTTPResponse {
        HTTPResponse(
            status: 404,
            body: Array(
                """
                <ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
                  <Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>\(what) cannot be found.</Message></Error>
                  <RequestId>req-404</RequestId>
                </ErrorResponse>
                """.utf8))
    }

    static func getRole(trust: String) -> HTTPResponse {
        ok(
            "GetRole",
            """
            <Role><Path>/</Path><AssumeRolePolicyDocument>\(urlEncoded(trust))</AssumeRolePolicyDocument>
            <MaxSessionDuration>3600</MaxSessionDuration><RoleId>AROAEXAMPLE</RoleId>
            <RoleName>\(plan.roleName)</RoleName><Arn>\(plan.roleARN)</Arn>
            <CreateDate>2024-01-02T03:04:05Z</CreateDate></Role>
            """)
    }

    static func getPolicy(_ name: String, version: String = "v2") -> HTTPResponse {
        ok(
            "GetPolicy",
            """
            <Policy><PolicyName>\(name)</PolicyName><DefaultVersionId>\(version)</DefaultVersionId>
            <PolicyId>ANPAEXAMPLE</PolicyId><Path>/</Path><Arn>\(plan.policyARN(name))</Arn>
            <AttachmentCount>1</AttachmentCount><IsAttachable>true</IsAttachable></Policy>
            """)
    }

    static func getPolicyVersion(_ document: String, version: String = "v2") -> HTTPResponse {
        ok(
            "GetPolicyVersion",
            """
            <PolicyVersion><Document>\(urlEncoded(document))</Document><VersionId>\(version)</VersionId>
            <IsDefaultVersion>true</IsDefaultVersion><CreateDate>2024-01-02T03:04:05Z</CreateDate></PolicyVersion>
            """)
    }

    static let getGroup = ok(
        "GetGroup",
        """
        <Group><Path>/</Path><GroupName>dev.rnd.group</GroupName><GroupId>AGPAEXAMPLE</GroupId>
        <Arn>arn:aws:iam::123456789012:group/dev.rnd.group</Arn></Group><Users/><IsTruncated>false</IsTruncated>
        """)

    /// The same documents as the plan's, written differently: compact, keys reordered, single values unchanged.
    static let trustRewritten =
        #"{"Statement":[{"Action":"sts:AssumeRole","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"#
        + #""Effect":"Allow"}],"Version":"2012-10-17"}"#
    static let rolePolicyRewritten = """
        {"Statement": [ {"Resource": "arn:aws:eks:eu-west-1:123456789012:cluster/dev.my-eks-cluster",
            "Action": [ "eks:DescribeCluster" ],   "Effect": "Allow" } ],
         "Version": "2012-10-17"}
        """
    static let groupPolicyRewritten =
        "{\n\t\"Version\" : \"2012-10-17\" ,\"Statement\":[{\"Resource\":"
        + "\"arn:aws:iam::123456789012:role/dev.eks-access.role\",\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\"}]}"

    /// A fake IAM where every resource exists with the given documents.
    static func existing(
        trust: String = trustRewritten, rolePolicy: String = rolePolicyRewritten,
        groupPolicy: String = groupPolicyRewritten, attached: Bool = true
    ) -> FakeHTTPClient {
        FakeHTTPClient { request, _ in
            let form = Self.form(request)
            /// A list of attached policies: ours (when `attached`) among another.
            func attachments(_ ours: String) -> String {
                let arns = ["arn:aws:iam::aws:policy/ReadOnlyAccess"] + (attached ? [plan.policyARN(ours)] : [])
                return "<AttachedPolicies>"
                    + arns.map { "<member><PolicyName>x</PolicyName><PolicyArn>\($0)</PolicyArn></member>" }.joined()
                    + "</AttachedPolicies><IsTruncated>false</IsTruncated>"
            }
            switch form["Action"] {
            case "ListAttachedRolePolicies":
                return Self.ok("ListAttachedRolePolicies", attachments(plan.rolePolicyName))
            case "ListAttachedGroupPolicies":
                return Self.ok("ListAttachedGroupPolicies", attachments(plan.groupPolicyName))
            case "GetRole": return Self.getRole(trust: trust)
            case "GetPolicy": return Self.getPolicy(form["PolicyArn"]!.components(separatedBy: "/").last!)
            case "GetPolicyVersion":
                return Self.getPolicyVersion(
                    form["PolicyArn"] == plan.policyARN(plan.rolePolicyName) ? rolePolicy : groupPolicy)
            case "GetGroup": return Self.getGroup
            case let action?: return Self.ok(action)
            case nil: return Self.ok("Unknown")
            }
        }
    }

    /// A fake IAM where nothing exists yet.
    static func empty() -> FakeHTTPClient {
        FakeHTTPClient { request, _ in
            let action = Self.form(request)["Action"] ?? ""
            return action.hasPrefix("Get") ? Self.noSuchEntity(action) : Self.ok(action)
        }
    }

    // MARK: Nothing exists

    @Test("when nothing exists it creates and attaches everything in order")
    func createsEverything() throws {
        let http = Self.empty()
        let lines = try Self.applier(http).apply(Self.plan)
        #expect(
            http.actions == [
                "GetRole", "CreateRole", "GetPolicy", "CreatePolicy", "AttachRolePolicy", "GetGroup", "CreateGroup",
                "GetPolicy", "CreatePolicy", "AttachGroupPolicy",
            ])
        #expect(
            lines == [
                "created role dev.eks-access.role",
                "created policy dev.eks-access.policy",
                "attached dev.eks-access.policy to role dev.eks-access.role",
                "created group dev.rnd.group",
                "created policy dev.assume-eks-access-role.policy",
                "attached dev.assume-eks-access-role.policy to group dev.rnd.group",
            ])
    }

    @Test("each call carries the planned names and, URL-decoded, exactly the plan's documents")
    func createParameters() throws {
        let http = Self.empty()
        _ = try Self.applier(http).apply(Self.plan)
        let forms = http.requests.map(Self.form)
        try #require(forms.count == 10)
        for form in forms {
            #expect(form["Version"] == "2010-05-08")
        }
        #expect(forms[0]["RoleName"] == "dev.eks-access.role")
        #expect(forms[1]["RoleName"] == "dev.eks-access.role")
        #expect(forms[1]["AssumeRolePolicyDocument"] == Self.plan.trustPolicy)
        #expect(forms[2]["PolicyArn"] == "arn:aws:iam::123456789012:policy/dev.eks-access.policy")
        #expect(forms[3]["PolicyName"] == "dev.eks-access.policy")
        #expect(forms[3]["PolicyDocument"] == Self.plan.rolePolicy)
        #expect(
            forms[4] == [
                "Action": "AttachRolePolicy", "Version": "2010-05-08", "RoleName": "dev.eks-access.role",
                "PolicyArn": "arn:aws:iam::123456789012:policy/dev.eks-access.policy",
            ])
        #expect(forms[5]["GroupName"] == "dev.rnd.group")
        #expect(forms[6] == ["Action": "CreateGroup", "Version": "2010-05-08", "GroupName": "dev.rnd.group"])
        #expect(forms[7]["PolicyArn"] == "arn:aws:iam::123456789012:policy/dev.assume-eks-access-role.policy")
        #expect(forms[8]["PolicyName"] == "dev.assume-eks-access-role.policy")
        #expect(forms[8]["PolicyDocument"] == Self.plan.groupPolicy)
        #expect(
            forms[9] == [
                "Action": "AttachGroupPolicy", "Version": "2010-05-08", "GroupName": "dev.rnd.group",
                "PolicyArn": "arn:aws:iam::123456789012:policy/dev.assume-eks-access-role.policy",
            ])
    }

    @Test("every call is a form POST to the IAM endpoint, SigV4-signed for service iam in us-east-1")
    func signing() throws {
        let http = Self.empty()
        _ = try Self.applier(http).apply(Self.plan)
        for request in http.requests {
            #expect(request.method == "POST")
            #expect(request.url == "https://iam.amazonaws.com/")
            #expect(request.header("Content-Type")?.hasPrefix("application/x-www-form-urlencoded") == true)
            let authorization = try #require(request.header("Authorization"))
            #expect(
                authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request"))
            #expect(request.header("X-Amz-Date") == "20150830T123600Z")
        }
    }

    // MARK: Everything exists

    @Test("when everything exists as planned (written differently) nothing is created and all is unchanged")
    func unchanged() throws {
        let http = Self.existing()
        let lines = try Self.applier(http).apply(Self.plan)
        #expect(
            http.actions == [
                "GetRole", "GetPolicy", "GetPolicyVersion", "ListAttachedRolePolicies", "GetGroup", "GetPolicy",
                "GetPolicyVersion", "ListAttachedGroupPolicies",
            ])
        #expect(
            !http.actions.contains {
                $0.hasPrefix("Create") || $0.hasPrefix("Update") || $0.hasPrefix("Put") || $0.hasPrefix("Attach")
            })
        #expect(
            lines == [
                "unchanged role dev.eks-access.role (already as planned)",
                "unchanged policy dev.eks-access.policy (already as planned)",
                "unchanged attachment of dev.eks-access.policy to role dev.eks-access.role (already as planned)",
                "unchanged group dev.rnd.group (already as planned)",
                "unchanged policy dev.assume-eks-access-role.policy (already as planned)",
                "unchanged attachment of dev.assume-eks-access-role.policy to group dev.rnd.group (already as planned)",
            ])
    }

    @Test("an existing role and policy not yet attached are attached, and say so")
    func attachesWhatIsMissing() throws {
        let http = Self.existing(attached: false)
        let lines = try Self.applier(http).apply(Self.plan)
        #expect(http.actions.filter { $0.hasPrefix("Attach") } == ["AttachRolePolicy", "AttachGroupPolicy"])
        #expect(lines.contains("attached dev.eks-access.policy to role dev.eks-access.role"))
        #expect(lines.contains("attached dev.assume-eks-access-role.policy to group dev.rnd.group"))
    }

    @Test("the policy document is read at the policy's default version")
    func defaultVersion() throws {
        let http = Self.existing()
        _ = try Self.applier(http).apply(Self.plan)
        let reads = http.requests.map(Self.form).filter { $0["Action"] == "GetPolicyVersion" }
        #expect(reads.map { $0["VersionId"] } == ["v2", "v2"])
        #expect(
            reads.map { $0["PolicyArn"] } == [
                "arn:aws:iam::123456789012:policy/dev.eks-access.policy",
                "arn:aws:iam::123456789012:policy/dev.assume-eks-access-role.policy",
            ])
    }

    @Test("documents returned with the plan's own text are unchanged too")
    func unchangedVerbatim() throws {
        let http = Self.existing(
            trust: Self.plan.trustPolicy, rolePolicy: Self.plan.rolePolicy, groupPolicy: Self.plan.groupPolicy)
        let lines = try Self.applier(http).apply(Self.plan)
        #expect(lines.filter { $0.hasPrefix("unchanged") }.count == 6)
    }

    // MARK: Conflicts

    static let otherTrust = """
        {"Version":"2012-10-17","Statement":[{"Effect":"Allow",
         "Principal":{"AWS":"arn:aws:iam::999999999999:root"},"Action":"sts:AssumeRole"}]}
        """

    @Test("a differing trust policy is reported as a conflict and the role is left alone")
    func trustConflict() throws {
        let http = Self.existing(trust: Self.otherTrust)
        #expect(
            throws: SetupError.conflicts([
                "role dev.eks-access.role: its trust policy is different: Statement[0].Principal.AWS is "
                    + #""arn:aws:iam::999999999999:root", planned "arn:aws:iam::123456789012:root""#
            ])
        ) {
            try Self.applier(http).apply(Self.plan)
        }
        #expect(!http.actions.contains { $0.hasPrefix("Create") || $0.hasPrefix("Update") || $0.hasPrefix("Delete") })
        // Everything else is still looked at.
        #expect(http.actions.contains("ListAttachedGroupPolicies"))
    }

    @Test(
        "a differing policy document is reported as a conflict and no new version is written",
        arguments: [true, false])
    func policyConflict(rolePolicyDiffers: Bool) throws {
        let broader = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"eks:*","Resource":"*"}]}"#
        let http =
            rolePolicyDiffers
            ? Self.existing(rolePolicy: broader)
            : Self.existing(groupPolicy: #"{"Version":"2012-10-17","Statement":[]}"#)
        let name = rolePolicyDiffers ? "dev.eks-access.policy" : "dev.assume-eks-access-role.policy"
        // What differs is shown: each path with the existing value and the planned one.
        let how =
            rolePolicyDiffers
            ? #"Statement[0].Action is "eks:*", planned a list of 1; Statement[0].Resource is "*", planned "#
                + #""arn:aws:eks:eu-west-1:123456789012:cluster/dev.my-eks-cluster""#
            : "Statement is a list of 0, planned a list of 1"
        #expect(throws: SetupError.conflicts(["policy \(name): its document is different: \(how)"])) {
            try Self.applier(http).apply(Self.plan)
        }
        #expect(
            !http.actions.contains {
                $0.hasPrefix("Create") || $0.hasPrefix("Update") || $0.hasPrefix("Delete")
                    || $0 == "SetDefaultPolicyVersion"
            })
    }

    @Test("several conflicts are all listed, in plan order")
    func allConflicts() throws {
        let http = Self.existing(trust: Self.otherTrust, rolePolicy: "not json", groupPolicy: "{}")
        #expect(
            throws: SetupError.conflicts([
                "role dev.eks-access.role: its trust policy is different: Statement[0].Principal.AWS is "
                    + #""arn:aws:iam::999999999999:root", planned "arn:aws:iam::123456789012:root""#,
                "policy dev.eks-access.policy: its document is different",
                "policy dev.assume-eks-access-role.policy: its document is different: Statement is absent, "
                    + "planned present; Version is absent, planned present",
            ])
        ) {
            try Self.applier(http).apply(Self.plan)
        }
    }

    // MARK: Failures

    @Test(
        "AccessDenied from IAM is an AWSServiceError of kind denied, and nothing more is attempted",
        arguments: ["GetRole", "CreateRole", "CreatePolicy", "AttachRolePolicy", "CreateGroup"])
    func accessDenied(deniedAction: String) throws {
        let http = FakeHTTPClient { request, _ in
            let action = Self.form(request)["Action"] ?? ""
            if action == deniedAction {
                return STSReplies.error(
                    status: 403, code: "AccessDenied",
                    message: "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: iam:\(action)")
            }
            return action.hasPrefix("Get") ? Self.noSuchEntity(action) : Self.ok(action)
        }
        let error = try #require(throws: AWSServiceError.self) { try Self.applier(http).apply(Self.plan) }
        #expect(error.kind == .denied)
        guard case .service(let failure) = error else {
            Issue.record("expected a service failure, got \(error)")
            return
        }
        #expect(failure.operation == deniedAction)
        #expect(failure.code == "AccessDenied")
        #expect(failure.status == 403)
        #expect(http.actions.last == deniedAction)
        #expect(http.actions.filter { $0 == deniedAction }.count == 1, "AccessDenied must not be retried")
    }

    @Test("a NoSuchEntity answer is not retried")
    func noSuchEntityNotRetried() throws {
        let http = Self.empty()
        _ = try Self.applier(http).apply(Self.plan)
        #expect(http.actions.filter { $0 == "GetRole" }.count == 1)
    }

    // MARK: Endpoint

    @Test(
        "IAM is global: one endpoint and signing region per partition",
        arguments: [
            ("eu-west-1", "iam.amazonaws.com", "us-east-1"),
            ("us-east-1", "iam.amazonaws.com", "us-east-1"),
            ("ap-southeast-2", "iam.amazonaws.com", "us-east-1"),
            ("cn-north-1", "iam.cn-north-1.amazonaws.com.cn", "cn-north-1"),
            ("cn-northwest-1", "iam.cn-north-1.amazonaws.com.cn", "cn-north-1"),
            ("us-gov-west-1", "iam.us-gov.amazonaws.com", "us-gov-west-1"),
            ("us-gov-east-1", "iam.us-gov.amazonaws.com", "us-gov-west-1"),
        ])
    func endpoint(region: String, host: String, signingRegion: String) throws {
        let resolver = STSEndpointResolver(environment: [:], profile: nil)
        let endpoint = try SetupApplier.endpoint(resolver: resolver, region: region)
        #expect(endpoint.endpoint == Endpoint(host: host))
        #expect(endpoint.endpoint.description == "https://\(host)/")
        #expect(endpoint.signingRegion == signingRegion)
    }

    @Test("AWS_ENDPOINT_URL_IAM redirects IAM and keeps the partition's signing region")
    func endpointOverride() throws {
        let environment: Environment = [
            "AWS_ENDPOINT_URL_IAM": "http://127.0.0.1:5000", "AWS_ENDPOINT_URL_STS": "http://127.0.0.1:6000",
        ]
        let resolver = STSEndpointResolver(environment: environment, profile: nil)
        let endpoint = try SetupApplier.endpoint(resolver: resolver, region: "eu-west-1")
        #expect(endpoint.endpoint == Endpoint(scheme: "http", host: "127.0.0.1", port: 5000))
        #expect(endpoint.signingRegion == "us-east-1")
        #expect(endpoint.source == "AWS_ENDPOINT_URL_IAM")

        let china = try SetupApplier.endpoint(resolver: resolver, region: "cn-north-1")
        #expect(china.signingRegion == "cn-north-1")
    }

    @Test("AWS_ENDPOINT_URL_STS alone does not redirect IAM")
    func stsOverrideIgnored() throws {
        let resolver = STSEndpointResolver(environment: ["AWS_ENDPOINT_URL_STS": "http://127.0.0.1:6000"], profile: nil)
        let endpoint = try SetupApplier.endpoint(resolver: resolver, region: "eu-west-1")
        #expect(endpoint.endpoint == Endpoint(host: "iam.amazonaws.com"))
        #expect(endpoint.source == "global")
    }

    @Test("a malformed AWS_ENDPOINT_URL_IAM is refused, naming the variable")
    func badOverride() {
        let resolver = STSEndpointResolver(environment: ["AWS_ENDPOINT_URL_IAM": "ftp://nope"], profile: nil)
        #expect(throws: ConfigError.invalidEndpoint("ftp://nope", source: "AWS_ENDPOINT_URL_IAM")) {
            try SetupApplier.endpoint(resolver: resolver, region: "eu-west-1")
        }
    }
}
