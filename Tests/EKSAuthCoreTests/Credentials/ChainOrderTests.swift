import EKSAuthTestSupport
import Foundation
import Testing

@testable import AWSConfiguration
@testable import AWSSigning
@testable import AWSTransport
@testable import EKSAuthCore
@testable import EKSAuthSystem

/// Precedence between the sources of the chain, each source a fake peer: STS, the container
/// endpoint, instance metadata, the SSO portal and `credential_process`.
@Suite("Credential chain order")
struct ChainOrderTests {
    static let home = "/home/c"
    static let configPath = "/home/c/.aws/config"
    static let credentialsPath = "/home/c/.aws/credentials"
    static let webTokenPath = "/var/run/web-identity-token"
    static let ssoTokenPath = "/home/c/.aws/sso/cache/0ad374308c5a4e22f723adf10145eafad7c4031c.json"

    /// Every secret any source or peer hands out; none may appear in a trace line or message.
    static let secrets = [
        "env/secret+KEY", "env-session-token", "profile/secret+KEY", "base/secret+KEY", "web-identity-token-VALUE",
        "container/secret+KEY", "container-session-token", "container-auth-token", "imds/secret+KEY",
        "imds-session-token", "imds-api-token", "process/secret+KEY", "process-session-token", "assumed/secret+KEY",
        "assumed-session-token", "sso-access-token-VALUE", "sso/secret+KEY", "sso-session-token",
    ]

    static let envKeys = [
        "AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "env/secret+KEY",
        "AWS_SESSION_TOKEN": "env-session-token",
    ]
    static let envWebIdentity = [
        "AWS_WEB_IDENTITY_TOKEN_FILE": webTokenPath, "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/env-web",
        "AWS_ROLE_SESSION_NAME": "env-web-session",
    ]
    static let container = ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/task"]
    static let staticKeysFile = """
        [default]
        aws_access_key_id = AKIDDEFAULT
        aws_secret_access_key = profile/secret+KEY

        [dev]
        aws_access_key_id = AKIDDEV
        aws_secret_access_key = profile/secret+KEY
        """

    static func endpointJSON(_ keyID: String, _ secret: String, _ token: String) -> HTTPResponse {
        HTTPResponse(
            status: 200,
            body: Array(
                #"{"AccessKeyId": "\#(keyID)", "SecretAccessKey": "\#(secret)", "Token": "\#(token)", "Expiration": "2024-01-02T09:04:05Z"}"#
                    .utf8))
    }

    /// The peers: STS on *.amazonaws.com, the container agent, a full-URI agent on 127.0.0.1:9911,
    /// instance metadata (`imdsTokenStatus` for its token PUT) and the SSO portal.
    static func network(imdsTokenStatus: Int = 200) -> FakeHTTPClient {
        FakeHTTPClient { request, _ in
            let url = request.url
            if url.hasPrefix("https://sts.") {
                switch STSReplies.action(of: request) {
                case "GetCallerIdentity": return STSReplies.callerIdentity()
                case "AssumeRoleWithWebIdentity": return STSReplies.assumeRole(keyID: "ASIAWEBIDENTITY")
                default: return STSReplies.assumeRole()
                }
            }
            if url.hasPrefix("http://169.254.170.2/") {
                return endpointJSON("ASIACONTAINER", "container/secret+KEY", "container-session-token")
            }
            if url.hasPrefix("http://127.0.0.1:9911/") {
                return endpointJSON("ASIAFULLURI", "container/secret+KEY", "container-session-token")
            }
            if url.hasPrefix("https://portal.sso.") {
                return HTTPResponse(
                    status: 200,
                    body: Array(
                        #"{"roleCredentials": {"accessKeyId": "ASIASSO", "secretAccessKey": "sso/secret+KEY", "sessionToken": "sso-session-token", "expiration": 1704186245000}}"#
                            .utf8))
            }
            if url.hasPrefix("http://169.254.169.254/") {
                let path = String(url.dropFirst("http://169.254.169.254".count))
                switch path {
                case "/latest/api/token":
                    return HTTPResponse(
                        status: imdsTokenStatus, body: imdsTokenStatus == 200 ? Array("imds-api-token".utf8) : [])
                case "/latest/meta-data/iam/security-credentials/":
                    return HTTPResponse(status: 200, body: Array("node-role".utf8))
                case "/latest/meta-data/iam/security-credentials/node-role":
                    return endpointJSON("ASIAIMDS", "imds/secret+KEY", "imds-session-token")
                case "/latest/meta-data/placement/region":
                    return HTTPResponse(status: 200, body: Array("ap-southeast-2".utf8))
                default: return HTTPResponse(status: 404)
                }
            }
            throw HTTPTransportError.connectionFailed("unexpected request to \(url)")
        }
    }

    struct World {
        var system: SystemContext
        var http: FakeHTTPClient
        var runner: FakeProcessRunner
        var trace: Recorder<String>

        func settings(profile: String?, region: String? = nil) throws -> AWSSettings {
            try AWSSettings.resolve(
                profileFlag: profile, regionFlag: region, environment: system.environment, fileSystem: system.fileSystem
            )
        }

        func resolve(profile: String? = nil) throws -> ResolvedCredentials {
            try CredentialChain(settings: try settings(profile: profile), system: system).resolve()
        }

        /// The request URLs, without query strings.
        var urls: [String] { http.requests.map(\.url) }
        var stsActions: [String] { http.requests.filter { $0.url.hasPrefix("https://sts.") }.map(STSReplies.action) }
        var imdsRequests: [HTTPRequest] { http.requests.filter { $0.url.hasPrefix("http://169.254.169.254") } }
    }

    static func world(
        environment: [String: String] = [:], config: String = "", credentials: String = "",
        imdsTokenStatus: Int = 200
    ) -> World {
        var variables = environment
        variables["HOME"] = home
        let files = InMemoryFileSystem([
            configPath: config, credentialsPath: credentials, webTokenPath: "web-identity-token-VALUE",
            ssoTokenPath: #"{"accessToken": "sso-access-token-VALUE", "expiresAt": "2024-01-02T11:04:05Z"}"#,
        ])
        let http = network(imdsTokenStatus: imdsTokenStatus)
        let runner = FakeProcessRunner(
            printing:
                #"{"Version": 1, "AccessKeyId": "ASIAPROCESS", "SecretAccessKey": "process/secret+KEY", "SessionToken": "process-session-token"}"#
        )
        let trace = Recorder<String>()
        let system = SystemContext(
            environment: Environment(variables), clock: .fixed(Fixtures.tokenVectorDate), fileSystem: files,
            tracer: Tracer { trace.append($0) }, http: { http }, processes: runner)
        return World(system: system, http: http, runner: runner, trace: trace)
    }

    /// Checks that no trace line and no error message holds a secret.
    static func expectNoSecrets(_ world: World, _ error: Error? = nil) {
        var texts = world.trace.all
        if let error = error as? EKSAuthError { texts += [error.message, error.hint ?? ""] }
        for text in texts {
            for secret in secrets { #expect(!text.contains(secret), "\(text)") }
        }
    }

    @Test("the environment's keys beat every other source")
    func environmentFirst() throws {
        let w = Self.world(
            environment: Self.envKeys.merging(Self.envWebIdentity) { a, _ in a }.merging(Self.container) { a, _ in a },
            credentials: Self.staticKeysFile)
        let found = try w.resolve()
        #expect(found.credentials.accessKeyID == "AKIDENV")
        #expect(found.source.description == "environment variables")
        #expect(w.http.requests.isEmpty)
        #expect(w.trace.all.contains("credentials: environment variables (access key AKIDENV)"))
        Self.expectNoSecrets(w)
    }

    @Test("--profile ignores the environment's keys and its web identity variables")
    func profileFlagIgnoresEnvironment() throws {
        let env = Self.envKeys.merging(Self.envWebIdentity) { a, _ in a }
        let w = Self.world(environment: env, credentials: Self.staticKeysFile)
        let found = try w.resolve(profile: "dev")
        #expect(found.credentials.accessKeyID == "AKIDDEV")
        #expect(w.http.requests.isEmpty)
        #expect(w.trace.all.contains("credentials: environment passed over (ignored because --profile was given)"))

        let plain = Self.world(
            environment: env.merging(["AWS_EC2_METADATA_DISABLED": "true"]) { a, _ in a },
            config: "[profile plain]\nregion = eu-west-1\n")
        let expected = CredentialError.noCredentials(tried: [
            SkippedSource(source: .environment, reason: "ignored because --profile was given"),
            SkippedSource(source: .profile("plain"), reason: "no credentials in it"),
            SkippedSource(
                source: .container, reason: "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and _FULL_URI not set"),
            SkippedSource(source: .instanceMetadata, reason: "AWS_EC2_METADATA_DISABLED is true"),
        ])
        #expect(throws: expected) { try plain.resolve(profile: "plain") }
        #expect(plain.http.requests.isEmpty)
        Self.expectNoSecrets(plain, expected)
    }

    @Test("the environment's web identity beats the profile's static keys, and works with no profile at all")
    func environmentWebIdentityBeatsStaticKeys() throws {
        let w = Self.world(environment: Self.envWebIdentity, credentials: Self.staticKeysFile)
        let found = try w.resolve()
        #expect(found.credentials.accessKeyID == "ASIAWEBIDENTITY")
        #expect(found.source.description.hasPrefix("web identity "))
        #expect(w.stsActions == ["AssumeRoleWithWebIdentity"])

        let bare = Self.world(environment: Self.envWebIdentity)
        let alone = try bare.resolve()
        #expect(alone.credentials.accessKeyID == "ASIAWEBIDENTITY")
        #expect(bare.stsActions == ["AssumeRoleWithWebIdentity"])
        Self.expectNoSecrets(w)
        Self.expectNoSecrets(bare)
    }

    @Test("a profile's role_arn beats the environment's web identity")
    func roleARNBeatsEnvironmentWebIdentity() throws {
        let config = """
            [profile dev]
            role_arn = arn:aws:iam::123456789012:role/dev
            source_profile = base
            role_session_name = dev-session
            [profile base]
            aws_access_key_id = AKIDBASE
            aws_secret_access_key = base/secret+KEY
            """
        let w = Self.world(
            environment: Self.envWebIdentity.merging(["AWS_PROFILE": "dev"]) { a, _ in a }, config: config)
        let found = try w.resolve()
        #expect(found.credentials.accessKeyID == "ASIAASSUMEDEXAMPLE")
        #expect(w.stsActions == ["AssumeRole"])
        #expect(w.http.requests.first?.header("Authorization")?.contains("Credential=AKIDBASE/") == true)
        Self.expectNoSecrets(w)
    }

    @Test("a profile's SSO settings beat its static keys")
    func ssoBeatsStaticKeys() throws {
        let config = """
            [profile dev]
            sso_session = my-sso
            sso_account_id = 123456789012
            sso_role_name = Admin
            [sso-session my-sso]
            sso_start_url = https://my-sso-portal.awsapps.com/start
            sso_region = us-east-1
            """
        let w = Self.world(config: config, credentials: Self.staticKeysFile)
        let found = try w.resolve(profile: "dev")
        #expect(found.credentials.accessKeyID == "ASIASSO")
        #expect(w.urls.count == 1)
        Self.expectNoSecrets(w)
    }

    @Test("a profile's static keys beat its credential_process and the container endpoint")
    func staticKeysBeatProcessAndContainer() throws {
        let w = Self.world(
            environment: Self.container, config: "[profile dev]\ncredential_process = /usr/bin/get-creds\n",
            credentials: Self.staticKeysFile)
        let found = try w.resolve(profile: "dev")
        #expect(found.credentials.accessKeyID == "AKIDDEV")
        #expect(w.runner.requests.isEmpty)
        #expect(w.http.requests.isEmpty)
    }

    @Test("credential_process beats the container endpoint")
    func processBeatsContainer() throws {
        let w = Self.world(
            environment: Self.container, config: "[profile dev]\ncredential_process = /usr/bin/get-creds --dev\n")
        let found = try w.resolve(profile: "dev")
        #expect(found.credentials.accessKeyID == "ASIAPROCESS")
        #expect(w.runner.requests.map(\.arguments) == [["/usr/bin/get-creds", "--dev"]])
        #expect(w.http.requests.isEmpty)
        Self.expectNoSecrets(w)
    }

    @Test("the container endpoint beats instance metadata")
    func containerBeatsIMDS() throws {
        let w = Self.world(
            environment: Self.container.merging(["AWS_CONTAINER_AUTHORIZATION_TOKEN": "container-auth-token"]) { a, _ in
                a
            })
        let found = try w.resolve()
        #expect(found.credentials.accessKeyID == "ASIACONTAINER")
        #expect(found.source.description == "container credentials (http://169.254.170.2/v2/credentials/task)")
        #expect(w.urls == ["http://169.254.170.2/v2/credentials/task"])
        #expect(w.imdsRequests.isEmpty)
        #expect(
            w.trace.all.contains {
                $0.hasPrefix("credentials: profile 'default' passed over (not in \(Self.configPath)")
            })
        Self.expectNoSecrets(w)
    }

    @Test("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI beats _FULL_URI")
    func relativeBeatsFull() throws {
        let both = Self.world(
            environment: Self.container.merging(["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:9911/creds"]) {
                a, _ in a
            })
        #expect(try both.resolve().credentials.accessKeyID == "ASIACONTAINER")
        let full = Self.world(environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:9911/creds"])
        #expect(try full.resolve().credentials.accessKeyID == "ASIAFULLURI")
        #expect(full.urls == ["http://127.0.0.1:9911/creds"])
    }

    @Test("instance metadata is the last source, and names its role")
    func imdsLast() throws {
        let w = Self.world()
        let found = try w.resolve()
        #expect(found.credentials.accessKeyID == "ASIAIMDS")
        #expect(found.source.description == "instance metadata (http://169.254.169.254, role node-role)")
        #expect(found.region == "ap-southeast-2")
        #expect(
            w.trace.all.suffix(2) == [
                "credentials: container credentials passed over (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and _FULL_URI not set)",
                "credentials: instance metadata (http://169.254.169.254, role node-role) (access key ASIAIMDS)",
            ])
        Self.expectNoSecrets(w)
    }

    @Test("uses the region instance metadata reports only when nothing configured one")
    func imdsRegion() throws {
        let w = Self.world()
        let (settings, resolved) = try CredentialResolution(system: w.system).resolve(
            profile: nil, region: nil, role: nil)
        #expect(resolved.credentials.accessKeyID == "ASIAIMDS")
        #expect(settings.region == "ap-southeast-2")
        #expect(settings.regionSource == "instance metadata")
        #expect(settings.stsEndpoint.endpoint.host == "sts.ap-southeast-2.amazonaws.com")
        #expect(w.trace.all.contains { $0.hasPrefix("region: ap-southeast-2 (from instance metadata)") })

        for (environment, config, region, source) in [
            (["AWS_REGION": "eu-west-1"], "", "eu-west-1", "AWS_REGION"),
            (["AWS_DEFAULT_REGION": "eu-north-1"], "", "eu-north-1", "AWS_DEFAULT_REGION"),
            ([:], "[default]\nregion = sa-east-1\n", "sa-east-1", "region in profile 'default'"),
        ] {
            let configured = Self.world(environment: environment, config: config)
            let (kept, _) = try CredentialResolution(system: configured.system).resolve(
                profile: nil, region: nil, role: nil)
            #expect(kept.region == region)
            #expect(kept.regionSource == source)
            #expect(!configured.urls.contains { $0.hasSuffix("/placement/region") })
        }
        let flagged = Self.world()
        let (byFlag, _) = try CredentialResolution(system: flagged.system).resolve(
            profile: nil, region: "ca-central-1", role: nil)
        #expect(byFlag.region == "ca-central-1")
        #expect(!flagged.urls.contains { $0.hasSuffix("/placement/region") })
    }

    @Test("keys from another source never take the instance's region")
    func noRegionFromOtherSources() throws {
        let w = Self.world(environment: Self.envKeys)
        let (settings, _) = try CredentialResolution(system: w.system).resolve(profile: nil, region: nil, role: nil)
        #expect(settings.region == Region.fallback)
        #expect(settings.regionSource == "default")
        #expect(w.http.requests.isEmpty)
    }

    @Test(
        "credential_source names the base of a role_arn hop",
        arguments: [
            (
                "Ec2InstanceMetadata", [String: String](), "ASIAIMDS",
                "instance metadata (http://169.254.169.254, role node-role)"
            ),
            (
                "EcsContainer", container, "ASIACONTAINER",
                "container credentials (http://169.254.170.2/v2/credentials/task)"
            ),
            (
                "Environment", ["AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "env/secret+KEY"], "AKIDENV",
                "environment variables"
            ),
        ])
    func credentialSource(source: String, environment: [String: String], baseKey: String, baseSource: String) throws {
        let config = """
            [profile dev]
            role_arn = arn:aws:iam::123456789012:role/dev
            credential_source = \(source)
            role_session_name = dev-session
            region = eu-west-1
            """
        let w = Self.world(environment: environment, config: config)
        let found = try w.resolve(profile: "dev")
        #expect(found.credentials.accessKeyID == "ASIAASSUMEDEXAMPLE")
        #expect(found.source.description.hasSuffix("(profile 'dev', from \(baseSource))"))
        let assume = try #require(w.http.requests.first { STSReplies.action(of: $0) == "AssumeRole" })
        #expect(assume.header("Authorization")?.contains("Credential=\(baseKey)/") == true)
        #expect(
            w.trace.all.contains(
                "credentials: profile 'dev' assumes arn:aws:iam::123456789012:role/dev as \(baseSource)"))
        Self.expectNoSecrets(w)
    }

    @Test(
        "a credential_source that gives nothing stops the chain with its reason",
        arguments: [
            (
                "Ec2InstanceMetadata", ["AWS_EC2_METADATA_DISABLED": "true"],
                CredentialError.endpointFailed(
                    source: "credential_source = Ec2InstanceMetadata in profile 'dev' (/home/c/.aws/config:3)",
                    reason: "AWS_EC2_METADATA_DISABLED is true")
            ),
            (
                "EcsContainer", [:],
                CredentialError.partialCredentials(
                    source: "credential_source = EcsContainer in profile 'dev' (/home/c/.aws/config:3)",
                    missing: "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (or _FULL_URI)")
            ),
            (
                "Environment", [:],
                CredentialError.partialCredentials(
                    source: "credential_source = Environment in profile 'dev' (/home/c/.aws/config:3)",
                    missing: "AWS_ACCESS_KEY_ID")
            ),
            (
                "Ec2Metadata", [:],
                CredentialError.invalidValue(
                    name: "credential_source", source: "profile 'dev' (/home/c/.aws/config:3)",
                    expected: "Environment, Ec2InstanceMetadata or EcsContainer (not Ec2Metadata)")
            ),
        ])
    func credentialSourceFails(source: String, environment: [String: String], expected: CredentialError) throws {
        let config = "[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/dev\ncredential_source = \(source)\n"
        let w = Self.world(environment: environment, config: config)
        #expect(throws: expected) { try w.resolve(profile: "dev") }
        #expect(w.stsActions.isEmpty)
    }

    @Test("traces every source passed over with its reason, and lists them all when none answers")
    func everySourceTraced() throws {
        let w = Self.world(imdsTokenStatus: 403)
        let error = #expect(throws: CredentialError.self) { try w.resolve() }
        let tried = [
            SkippedSource(source: .environment, reason: "AWS_ACCESS_KEY_ID not set"),
            SkippedSource(
                source: .profile("default"), reason: "not in \(Self.configPath) or \(Self.credentialsPath)"),
            SkippedSource(
                source: .container, reason: "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and _FULL_URI not set"),
            SkippedSource(
                source: .instanceMetadata,
                reason:
                    "the IMDSv2 token request to http://169.254.169.254 got HTTP 403 (IMDSv1 is off; AWS_EC2_METADATA_V1_DISABLED=false allows it)"
            ),
        ]
        #expect(error == .noCredentials(tried: tried))
        #expect(error?.kind == .configuration)
        #expect(
            error?.message.hasPrefix("no AWS credentials found (tried environment: AWS_ACCESS_KEY_ID not set; ") == true
        )
        let passed = w.trace.all.filter { $0.hasPrefix("credentials: ") }
        #expect(passed == tried.map { "credentials: \($0.source) passed over (\($0.reason))" })
        Self.expectNoSecrets(w, error)
    }

    @Test("no trace line of any winning source holds a secret")
    func winnersTraceNoSecrets() throws {
        let worlds = [
            (Self.world(environment: Self.envKeys), nil as String?),
            (Self.world(environment: Self.envWebIdentity), nil),
            (Self.world(credentials: Self.staticKeysFile), "dev"),
            (Self.world(config: "[profile dev]\ncredential_process = get-creds\n"), "dev"),
            (
                Self.world(
                    environment: Self.container.merging(["AWS_CONTAINER_AUTHORIZATION_TOKEN": "container-auth-token"]) {
                        a, _ in a
                    }), nil
            ),
            (Self.world(), nil),
            (Self.world(environment: ["AWS_EC2_METADATA_V1_DISABLED": "false"], imdsTokenStatus: 405), nil),
        ]
        for (w, profile) in worlds {
            let found = try w.resolve(profile: profile)
            #expect(w.trace.all.last == "credentials: \(found.source) (access key \(found.credentials.accessKeyID))")
            Self.expectNoSecrets(w)
        }
    }
}
