import EKSAuthTestSupport
import Foundation
import Testing

@testable import AWSConfiguration
@testable import AWSSigning
@testable import AWSTransport
@testable import EKSAuthCore
@testable import EKSAuthSystem

@Suite("Assume-role profiles")
struct ProfileChainTests {
    static let now = Fixtures.tokenVectorDate

    /// A context whose STS answers AssumeRole with keys named after the role, and records calls.
    static func context(config: String, credentials: String = "", environment: [String: String] = [:])
        -> (SystemContext, FakeHTTPClient)
    {
        let fileSystem = InMemoryFileSystem([
            "/home/a/.aws/config": config, "/home/a/.aws/credentials": credentials,
        ])
        let http = FakeHTTPClient { request, _ in
            let body = String(decoding: request.body, as: UTF8.self)
            if STSReplies.action(of: request) == "GetCallerIdentity" { return STSReplies.callerIdentity() }
            let role =
                body.split(separator: "&").first { $0.hasPrefix("RoleArn=") }?.split(separator: "%2F").last
                ?? "x"
            return STSReplies.assumeRole(keyID: "ASIA\(role.uppercased().filter(\.isLetter))")
        }
        var env = ["HOME": "/home/a", "AWS_REGION": "eu-west-1"]
        env.merge(environment) { _, new in new }
        return (
            SystemContext(
                environment: Environment(env), clock: .fixed(now), fileSystem: fileSystem, http: { http }), http
        )
    }

    static func resolve(_ system: SystemContext, profile: String) throws -> ResolvedCredentials {
        let settings = try AWSSettings.resolve(
            profileFlag: profile, regionFlag: nil, environment: system.environment, fileSystem: system.fileSystem)
        return try CredentialChain(settings: settings, system: system).resolve()
    }

    static func bodies(_ http: FakeHTTPClient) -> [String] {
        http.requests.map { String(decoding: $0.body, as: UTF8.self) }.filter { $0.contains("Action=AssumeRole") }
    }

    @Test("a three-hop source_profile chain assumes each role with the previous hop's keys")
    func threeHops() throws {
        let (system, http) = Self.context(
            config: """
                [profile base]
                aws_access_key_id = AKIDBASE
                aws_secret_access_key = s
                [profile one]
                role_arn = arn:aws:iam::111111111111:role/one
                source_profile = base
                [profile two]
                role_arn = arn:aws:iam::222222222222:role/two
                source_profile = one
                role_session_name = chained
                external_id = ext-2
                [profile three]
                role_arn = arn:aws:iam::333333333333:role/three
                source_profile = two
                duration_seconds = 900
                """)
        let found = try Self.resolve(system, profile: "three")
        #expect(found.credentials.accessKeyID == "ASIATHREE")
        let assumed = Self.bodies(http)
        #expect(assumed.count == 3)
        #expect(assumed[0].contains("role%2Fone"))
        #expect(assumed[1].contains("role%2Ftwo") && assumed[1].contains("RoleSessionName=chained"))
        #expect(assumed[1].contains("ExternalId=ext-2"))
        #expect(assumed[2].contains("role%2Fthree") && assumed[2].contains("DurationSeconds=900"))
        let signers = http.requests.filter { String(decoding: $0.body, as: UTF8.self).contains("Action=AssumeRole") }
            .compactMap { $0.header("Authorization") }
        #expect(signers[0].contains("Credential=AKIDBASE/"))
        #expect(signers[1].contains("Credential=ASIAONE/"))
        #expect(signers[2].contains("Credential=ASIATWO/"))
    }

    @Test("every hop is cached: a second resolution makes no STS call")
    func hopsCached() throws {
        let (system, http) = Self.context(
            config: """
                [profile base]
                aws_access_key_id = AKIDBASE
                aws_secret_access_key = s
                [profile one]
                role_arn = arn:aws:iam::111111111111:role/one
                source_profile = base
                """)
        _ = try Self.resolve(system, profile: "one")
        let calls = http.requests.count
        _ = try Self.resolve(system, profile: "one")
        #expect(http.requests.count == calls)
    }

    @Test("a profile may source itself when it holds static keys")
    func selfSource() throws {
        let (system, http) = Self.context(
            config: """
                [profile me]
                role_arn = arn:aws:iam::111111111111:role/admin
                source_profile = me
                aws_access_key_id = AKIDME
                aws_secret_access_key = s
                """)
        #expect(try Self.resolve(system, profile: "me").credentials.accessKeyID == "ASIAADMIN")
        #expect(Self.bodies(http).count == 1)
    }

    @Test("a source profile with static keys and its own role_arn gives its keys (botocore's rule)")
    func sourceStaticKeysWin() throws {
        let (system, http) = Self.context(
            config: """
                [profile src]
                role_arn = arn:aws:iam::111111111111:role/ignored
                aws_access_key_id = AKIDSRC
                aws_secret_access_key = s
                [profile top]
                role_arn = arn:aws:iam::222222222222:role/top
                source_profile = src
                """)
        #expect(try Self.resolve(system, profile: "top").credentials.accessKeyID == "ASIATOP")
        #expect(Self.bodies(http).count == 1)
    }

    @Test("a cycle is a clear error naming the loop")
    func cycle() throws {
        let (system, http) = Self.context(
            config: """
                [profile a]
                role_arn = arn:aws:iam::111111111111:role/a
                source_profile = b
                [profile b]
                role_arn = arn:aws:iam::111111111111:role/b
                source_profile = a
                """)
        #expect(throws: CredentialError.profileCycle(["a", "b", "a"])) { try Self.resolve(system, profile: "a") }
        #expect(http.requests.isEmpty)
        #expect(
            CredentialError.profileCycle(["a", "b", "a"]).message == "source_profile chain loops: 'a' -> 'b' -> 'a'")
    }

    @Test("credential_source = Environment assumes the role with the environment's keys")
    func environmentSource() throws {
        let (system, http) = Self.context(
            config: """
                [profile ci]
                role_arn = arn:aws:iam::111111111111:role/deployer
                credential_source = Environment
                """,
            environment: ["AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "s"])
        #expect(try Self.resolve(system, profile: "ci").credentials.accessKeyID == "ASIADEPLOYER")
        #expect(http.requests.last?.header("Authorization")?.contains("Credential=AKIDENV/") == true)
    }

    @Test(
        "broken assume-role profiles fail clearly before any call",
        arguments: [
            ("[profile x]\nrole_arn = arn:aws:iam::1:role/x\n", "source_profile or credential_source"),
            (
                "[profile x]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = missing\n",
                "profile 'missing' not found"
            ),
            (
                "[profile x]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = y\ncredential_source = Environment\n",
                "only one of them"
            ),
            (
                "[profile x]\nrole_arn = arn:aws:iam::1:role/x\ncredential_source = Ec2Metadata\n",
                "Environment, Ec2InstanceMetadata or EcsContainer (not Ec2Metadata)"
            ),
        ])
    func broken(config: String, mentions: String) throws {
        let (system, http) = Self.context(config: config)
        do {
            _ = try Self.resolve(system, profile: "x")
            Issue.record("expected an error")
        } catch let error as EKSAuthError {
            #expect(error.message.contains(mentions), "\(error.message)")
        }
        #expect(http.requests.isEmpty)
    }

    @Test("a 5,000-hop source_profile chain or cycle ends in one clear error before any STS call")
    func hopLimit() throws {
        var chain = "[profile p5000]\naws_access_key_id = AKIDBASE\naws_secret_access_key = s\n"
        for hop in 0..<5000 {
            chain +=
                "[profile p\(hop)]\nrole_arn = arn:aws:iam::123456789012:role/r\(hop)\nsource_profile = p\(hop + 1)\n"
        }
        let (system, http) = Self.context(config: chain)
        let error = #expect(throws: CredentialError.self) { try Self.resolve(system, profile: "p0") }
        #expect(error == .profileChainTooLong(first: "p0", hops: CredentialChain.maxProfileHops))
        #expect(error?.message == "the source_profile chain of profile 'p0' is longer than 32 role_arn hops")
        #expect(error?.kind == .badInput)
        #expect(Self.bodies(http).isEmpty)

        var cycle = ""
        for hop in 0..<5000 {
            cycle +=
                "[profile c\(hop)]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = c\((hop + 1) % 5000)\n"
        }
        let (looping, _) = Self.context(config: cycle)
        #expect(throws: CredentialError.profileChainTooLong(first: "c0", hops: 32)) {
            try Self.resolve(looping, profile: "c0")
        }
    }

    @Test("a chain of exactly the limit (32 role_arn hops) resolves; one more is refused")
    func hopLimitEdge() throws {
        let hops = CredentialChain.maxProfileHops
        var chain = "[profile p\(hops)]\naws_access_key_id = AKIDBASE\naws_secret_access_key = s\n"
        for hop in 0..<hops {
            chain +=
                "[profile p\(hop)]\nrole_arn = arn:aws:iam::123456789012:role/r\(hop)\nsource_profile = p\(hop + 1)\n"
        }
        let (system, http) = Self.context(config: chain)
        _ = try Self.resolve(system, profile: "p0")
        #expect(Self.bodies(http).count == hops)
        // One more hop in front is one too many.
        let (longer, _) = Self.context(
            config: chain + "[profile extra]\nrole_arn = arn:aws:iam::123456789012:role/x\nsource_profile = p0\n")
        #expect(throws: CredentialError.profileChainTooLong(first: "extra", hops: hops)) {
            try Self.resolve(longer, profile: "extra")
        }
    }
}
