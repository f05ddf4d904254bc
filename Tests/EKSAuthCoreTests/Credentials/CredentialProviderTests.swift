import EKSAuthTestSupport
import Foundation
import Testing

@testable import AWSConfiguration
@testable import AWSSigning
@testable import EKSAuthCore
@testable import EKSAuthSystem

@Suite("CredentialProvider")
struct CredentialProviderTests {
    static let home = "/home/u"
    static let emptyConfig = SharedConfig(
        configPath: "c", credentialsPath: "k", config: INIFile(), credentials: INIFile())

    static func chain(profile: String?, environment: [String: String] = [:], credentials: String = "")
        throws -> CredentialChain
    {
        var variables = environment
        variables["HOME"] = Self.home
        let env = Environment(variables)
        let files = InMemoryFileSystem(["/home/u/.aws/config": "", "/home/u/.aws/credentials": credentials])
        let settings = try AWSSettings.resolve(
            profileFlag: profile, regionFlag: nil, environment: env, fileSystem: files)
        let system = SystemContext(environment: env, clock: .fixed(Fixtures.tokenVectorDate), fileSystem: files)
        return CredentialChain(settings: settings, system: system)
    }

    @Test("the chain is the SDKs' ordered list: environment, profile, container, instance metadata")
    func order() throws {
        let chain = try Self.chain(profile: nil)
        #expect(chain.providers.map(\.link) == [.environment, .profile("default"), .container, .instanceMetadata])
        #expect(chain.providers[0].provider is EnvironmentCredentialProvider)
        #expect(chain.providers[2].provider is ContainerCredentialProvider)
        #expect(chain.providers[3].provider is InstanceMetadataProvider)
    }

    @Test("with --profile the environment step passes over without reading the variables")
    func explicitProfile() throws {
        let chain = try Self.chain(
            profile: "dev", environment: ["AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "s"],
            credentials: "[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = s\n")
        #expect(try chain.providers[0].provider.credentials() == .passedOver("ignored because --profile was given"))
        #expect(try chain.resolve().credentials.accessKeyID == "AKIDDEV")
    }

    @Test("a provider with nothing configured passes over with its reason")
    func passedOver() throws {
        let system = SystemContext(
            environment: Environment([:]), clock: .fixed(Fixtures.tokenVectorDate), fileSystem: InMemoryFileSystem([:]))
        let profile = Profile(name: "dev", values: [:])
        #expect(
            try EnvironmentCredentialProvider(environment: Environment([:])).credentials()
                == .passedOver("AWS_ACCESS_KEY_ID not set"))
        #expect(
            try ContainerCredentialProvider(system: system).credentials()
                == .passedOver("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and _FULL_URI not set"))
        #expect(try ProcessCredentialProvider(profile: profile, system: system).credentials().resolved == nil)
        #expect(try ProfileCredentialProvider(profile: profile).credentials().resolved == nil)
        let sso = SSOCredentialProvider(profile: profile, config: Self.emptyConfig, system: system)
        #expect(try sso.credentials() == .passedOver("no sso_account_id or sso_role_name"))
    }

    @Test("the credentials file's keys count only when that file holds the key id")
    func credentialsFileKeys() throws {
        let chain = try Self.chain(
            profile: "dev", credentials: "[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = s\n")
        let profile = try #require(chain.settings.profile)
        let fromFile = ProfileCredentialProvider(profile: profile, keys: .credentialsFile(chain.settings.config))
        #expect(try fromFile.credentials().resolved?.credentials.accessKeyID == "AKIDDEV")
        let elsewhere = Profile(
            name: "dev", values: ["aws_access_key_id": .string("A"), "aws_secret_access_key": .string("s")])
        let notInFile = ProfileCredentialProvider(profile: elsewhere, keys: .credentialsFile(Self.emptyConfig))
        #expect(try notInFile.credentials().resolved == nil)
    }

    @Test(
        "each source renders as the text traces, whoami and errors have always shown",
        arguments: [
            (CredentialSource.environment, "environment variables"),
            (.profile("dev", files: ["/c", "/k"]), "profile 'dev' (/c, /k)"),
            (
                .assumedRole("arn:aws:sts::1:assumed-role/r/s", profile: "dev", base: .environment),
                "assumed role arn:aws:sts::1:assumed-role/r/s (profile 'dev', from environment variables)"
            ),
            (
                .assumedRole("arn:aws:sts::1:assumed-role/r/s", profile: nil, base: .process(profile: "p")),
                "assumed role arn:aws:sts::1:assumed-role/r/s (from credential_process of profile 'p')"
            ),
            (
                .webIdentity("arn:aws:iam::1:role/r", tokenFile: "/t", origin: "AWS_WEB_IDENTITY_TOKEN_FILE"),
                "web identity arn:aws:iam::1:role/r (token file /t, from AWS_WEB_IDENTITY_TOKEN_FILE)"
            ),
            (
                .identityCenter(accountID: "1", roleName: "Admin", profile: "dev", session: "sso-session 's'"),
                "IAM Identity Center account 1 role Admin (profile 'dev', sso-session 's')"
            ),
            (.process(profile: "dev"), "credential_process of profile 'dev'"),
            (.container(url: "http://169.254.170.2/v2"), "container credentials (http://169.254.170.2/v2)"),
            (
                .instanceMetadata(endpoint: "http://169.254.169.254", role: "node"),
                "instance metadata (http://169.254.169.254, role node)"
            ),
        ])
    func descriptions(source: CredentialSource, text: String) {
        #expect(source.description == text)
        #expect("\(source)" == text)
    }

    @Test("chain steps render as the noCredentials message and the trace name them")
    func links() {
        #expect(
            [ChainLink.environment, .profile("dev"), .container, .instanceMetadata].map(\.description) == [
                "environment", "profile 'dev'", "container credentials", "instance metadata",
            ])
    }

    @Test(
        "an endpoint's error body gives its message field, whatever its case, else its first line",
        arguments: [
            (#"{"message": "no role", "Code": "X"}"#, "no role"),
            (#"{"message": 7, "Message": "denied"}"#, "denied"),
            (#"{"message": null, "code": "Throttled"}"#, "Throttled"),
            (#"["message"]"#, #"["message"]"#),
            ("plain text\nsecond line", "plain text"),
        ])
    func errorBodies(body: String, excerpt: String) {
        #expect(errorExcerpt(Array(body.utf8)) == excerpt)
    }
}
