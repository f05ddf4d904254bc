import EKSAuthTestSupport
import Foundation
import Testing

@testable import AWSConfiguration
@testable import AWSSigning
@testable import AWSTransport
@testable import EKSAuthCore
@testable import EKSAuthSystem

@Suite("whoami")
struct WhoAmIServiceTests {
    static let secret = "whoami/secret+KEY"
    static let sessionToken = "whoami-session-token"

    static func context(
        environment: [String: String], config: String = "",
        answer: @escaping @Sendable (HTTPRequest) throws -> HTTPResponse = { request in
            STSReplies.action(of: request) == "AssumeRole" ? STSReplies.assumeRole() : STSReplies.callerIdentity()
        }
    ) -> (SystemContext, FakeHTTPClient, Recorder<String>) {
        var variables = environment
        variables["HOME"] = "/home/who"
        let http = FakeHTTPClient { request, _ in try answer(request) }
        let trace = Recorder<String>()
        let system = SystemContext(
            environment: Environment(variables), clock: .fixed(Fixtures.tokenVectorDate),
            fileSystem: InMemoryFileSystem(["/home/who/.aws/config": config]), tracer: Tracer { trace.append($0) },
            http: { http })
        return (system, http, trace)
    }

    static let envKeys = [
        "AWS_ACCESS_KEY_ID": "AKIDWHOAMI", "AWS_SECRET_ACCESS_KEY": secret, "AWS_SESSION_TOKEN": sessionToken,
    ]

    @Test("reports the identity, the source, the profile and the region as aligned text")
    func text() throws {
        let (system, http, _) = Self.context(environment: Self.envKeys)
        let report = try WhoAmIService(system: system).report(profile: nil, region: nil, role: nil)
        #expect(
            report.text == """
                Account: 123456789012
                Arn:     arn:aws:iam::123456789012:user/alice
                UserId:  AIDAEXAMPLE
                Source:  environment variables
                Profile: none (the credentials came from environment variables)
                Region:  us-east-1 (from default)
                """)
        let request = try #require(http.requests.first)
        #expect(http.requests.count == 1)
        #expect(STSReplies.action(of: request) == "GetCallerIdentity")
        #expect(request.header("Authorization")?.contains("Credential=AKIDWHOAMI/") == true)
        #expect(request.header("X-Amz-Security-Token") == Self.sessionToken)
    }

    @Test(
        "keys in the environment claim no profile, even one AWS_PROFILE names; JSON keeps values and provenance apart")
    func json() throws {
        let (devSystem, _, _) = Self.context(
            environment: ["AWS_PROFILE": "dev"].merging(Self.envKeys) { a, _ in a },
            config: "[profile dev]\nregion = eu-west-1\n")
        let devReport = try WhoAmIService(system: devSystem).report(profile: nil, region: "eu-central-1", role: nil)
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(devReport.json().utf8)) as? [String: Any])
        #expect(
            object as NSDictionary == [
                "Account": "123456789012", "Arn": "arn:aws:iam::123456789012:user/alice", "UserId": "AIDAEXAMPLE",
                "Source": "environment variables", "Profile": NSNull(), "ProfileFrom": NSNull(),
                "Region": "eu-central-1", "RegionFrom": "--region",
            ] as NSDictionary)
        #expect(
            devReport.text.contains(
                "Profile: none (the credentials came from environment variables, which come before profile 'dev' "
                    + "named by AWS_PROFILE)"))
        #expect(devReport.json().hasPrefix("{\n  \"Account\": \"123456789012\",\n  \"Arn\": "))
        #expect(devReport.json().hasSuffix("\n}"))
    }

    @Test("names the profile of --profile and the profile's region")
    func profileAndRegion() throws {
        let config = """
            [profile dev]
            region = eu-west-1
            aws_access_key_id = AKIDDEV
            aws_secret_access_key = \(Self.secret)
            """
        let (system, http, _) = Self.context(environment: Self.envKeys, config: config)
        let report = try WhoAmIService(system: system).report(profile: "dev", region: nil, role: nil)
        #expect(report.profile?.name == "dev" && report.profile?.from == "--profile")
        #expect(report.region == .init("eu-west-1", from: "region in profile 'dev'"))
        #expect(
            report.text.contains("Profile: dev (from --profile)\nRegion:  eu-west-1 (from region in profile 'dev')"))
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: String])
        #expect(object["Profile"] == "dev" && object["ProfileFrom"] == "--profile")
        #expect(object["Region"] == "eu-west-1" && object["RegionFrom"] == "region in profile 'dev'")
        #expect(report.source == "profile 'dev' (/home/who/.aws/config)")
        #expect(http.requests.first?.url == "https://sts.eu-west-1.amazonaws.com/")
        #expect(http.requests.first?.header("Authorization")?.contains("Credential=AKIDDEV/") == true)
    }

    @Test("asks STS as the assumed role when a role is given, and says so in the source")
    func assumedRole() throws {
        let (system, http, _) = Self.context(environment: Self.envKeys)
        let report = try WhoAmIService(system: system).report(
            profile: nil, region: nil,
            role: RoleRequest(roleARN: "arn:aws:iam::123456789012:role/dev.eks-access.role", sessionName: "alice"))
        #expect(
            report.source
                == "assumed role arn:aws:sts::123456789012:assumed-role/dev.eks-access.role/alice "
                + "(from environment variables)")
        #expect(report.profile == nil, "a --role-arn over keys from the environment uses no profile")
        #expect(http.actions == ["AssumeRole", "GetCallerIdentity"])
        #expect(http.requests.last?.header("Authorization")?.contains("Credential=ASIAASSUMEDEXAMPLE/") == true)
    }

    @Test("passes an STS refusal through as a denial")
    func denied() throws {
        let (system, _, _) = Self.context(
            environment: Self.envKeys,
            answer: { _ in STSReplies.error(status: 403, code: "InvalidClientTokenId", message: "bad key") })
        let error = #expect(throws: AWSServiceError.self) {
            try WhoAmIService(system: system).report(profile: nil, region: nil, role: nil)
        }
        #expect(error?.kind == .denied)
        let message = error?.message ?? ""
        #expect(!message.contains(Self.secret))
        #expect(!message.contains(Self.sessionToken))
    }

    @Test("neither the report nor the trace holds a secret")
    func noSecrets() throws {
        let (system, _, trace) = Self.context(environment: Self.envKeys)
        let report = try WhoAmIService(system: system).report(profile: nil, region: nil, role: nil)
        #expect(!trace.all.isEmpty)
        for text in [report.text, report.json()] + trace.all {
            #expect(!text.contains(Self.secret))
            #expect(!text.contains(Self.sessionToken))
        }
    }
}
