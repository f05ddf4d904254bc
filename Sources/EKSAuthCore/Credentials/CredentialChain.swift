import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

/// Assumes a role on top of base credentials for a profile hop (`role_arn` profiles); provided by
/// the caller so tests can stand in for STS.
public typealias RoleAssumption =
    @Sendable (_ request: RoleRequest, _ base: ResolvedCredentials, _ profile: String) throws -> ResolvedCredentials

/// Finds credentials in the order of the AWS SDKs (botocore's, as `aws sts get-caller-identity`):
/// an ordered list of providers — environment keys; the profile (assume-role, web identity, IAM
/// Identity Center, static keys, `credential_process`); the container endpoint; instance metadata.
/// Each source passed over is traced with the reason; a source that is configured but broken stops
/// the chain with its error.
public struct CredentialChain: Sendable {
    /// The most `role_arn` hops a `source_profile` chain may take. Real chains take two or three;
    /// the bound keeps a generated or hostile config (thousands of hops) from exhausting the stack
    /// and the STS quota, and keeps the cycle check's list short.
    public static let maxProfileHops = 32

    let settings: AWSSettings
    let system: SystemContext
    let assumeRole: RoleAssumption

    /// A chain over `settings` and the environment, disk, network and commands of `system`;
    /// `assumeRole` serves `role_arn` profiles (default: STS through the cache).
    public init(settings: AWSSettings, system: SystemContext, assumeRole: RoleAssumption? = nil) {
        self.settings = settings
        self.system = system
        self.assumeRole = assumeRole ?? RoleAssumer.profileHops(system: system, settings: settings)
    }

    var environment: Environment { system.environment }
    var tracer: Tracer { system.tracer }

    /// The chain's steps in order (botocore's): the environment; the selected profile, with every
    /// source it configures; the container endpoint; instance metadata.
    public var providers: [(link: ChainLink, provider: any CredentialProvider)] {
        let explicit = settings.selection.isFromFlag
        let environmentStep: any CredentialProvider =
            explicit
            ? PassedOverProvider(reason: "ignored because --profile was given")
            : EnvironmentCredentialProvider(environment: environment)
        return [
            (.environment, environmentStep),
            (.profile(settings.selection.name), SelectedProfileProvider(chain: self, explicit: explicit)),
            (.container, ContainerCredentialProvider(system: system)),
            (
                .instanceMetadata,
                InstanceMetadataProvider(
                    system: system, profile: settings.profile, wantRegion: settings.regionOrigin == .default)
            ),
        ]
    }

    /// The first credentials found.
    /// - Throws: `CredentialError.noCredentials` listing every source and why it gave nothing,
    ///   or the error of a source that is configured but broken.
    public func resolve() throws -> ResolvedCredentials {
        var skipped: [SkippedSource] = []
        for (link, provider) in providers {
            switch try provider.credentials() {
            case .found(let found):
                try Self.checkHeaderSafe(found)
                tracer(
                    "credentials: \(found.source) (access key \(found.credentials.accessKeyID))",
                    fields: ["source": "\(found.source)", "accesskeyid": found.credentials.accessKeyID])
                return found
            case .passedOver(let reason):
                skipped.append(SkippedSource(source: link, reason: reason))
                tracer(
                    "credentials: \(link) passed over (\(reason))",
                    fields: ["source": "\(link)", "passedOver": "\(reason)"])
            }
        }
        throw CredentialError.noCredentials(tried: skipped)
    }

    /// A profile's sources in botocore's order: `role_arn` (assumed on its source, each hop
    /// through the cache), web identity, IAM Identity Center, static keys of the credentials file,
    /// `credential_process`, static keys of the config file.
    /// A source profile (`visited` not empty) with static keys gives those keys first.
    /// `useEnvironment` lets the web identity variables count (top level, no --profile).
    func providers(of profile: Profile, visited: [String], useEnvironment: Bool) -> [any CredentialProvider] {
        let sourceProfileKeys: [any CredentialProvider] =
            visited.isEmpty ? [] : [ProfileCredentialProvider(profile: profile)]
        return sourceProfileKeys + [
            AssumeRoleProvider(profile: profile, visited: visited, chain: self),
            WebIdentityProvider(
                profile: profile, profileName: profile.name, useEnvironment: useEnvironment, system: system,
                settings: settings),
            SSOCredentialProvider(profile: profile, config: settings.config, system: system),
            ProfileCredentialProvider(profile: profile, keys: .credentialsFile(settings.config)),
            ProcessCredentialProvider(profile: profile, system: system),
            ProfileCredentialProvider(profile: profile),
        ]
    }

    /// The first credentials the sources of `profile` give; nil when it configures none.
    /// - Throws: the error of a source that is configured but broken; `.unsupportedProfile` for `aws login`.
    func resolve(profile: Profile, visited: [String], useEnvironment: Bool) throws -> ResolvedCredentials? {
        if let found = try firstCredentials(
            in: providers(of: profile, visited: visited, useEnvironment: useEnvironment))
        {
            return found
        }
        if profile["login_session"] != nil {
            throw CredentialError.unsupportedProfile(profile: profile.name, feature: "login_session (aws login)")
        }
        return nil
    }
}

/// The chain's profile step: the selected profile's sources; when no such profile exists, the web
/// identity variables alone (unless `--profile` was given).
struct SelectedProfileProvider: CredentialProvider {
    let chain: CredentialChain
    let explicit: Bool

    func credentials() throws -> ProviderOutcome {
        let settings = chain.settings
        if let profile = settings.profile {
            if let found = try chain.resolve(profile: profile, visited: [], useEnvironment: !explicit) {
                return .found(found)
            }
            return .passedOver("no credentials in it")
        }
        if !explicit {
            let webIdentity = WebIdentityProvider(
                profile: nil, profileName: settings.selection.name, useEnvironment: true, system: chain.system,
                settings: settings)
            if case .found(let found) = try webIdentity.credentials() { return .found(found) }
        }
        return .passedOver("not in \(settings.config.configPath) or \(settings.config.credentialsPath)")
    }
}

extension CredentialChain {
    /// Refuses keys or a session token holding a space, a control character or a non-ASCII one (a line
    /// break pasted with a token, say), naming the variable or the source and never the value. They are
    /// sent in HTTP headers and the token's URL: the HTTP client refused them later with an error that
    /// echoed the whole value, after three retries, and without a role a token was signed with them.
    /// - Throws: `CredentialError.invalidValue`.
    static func checkHeaderSafe(_ found: ResolvedCredentials) throws {
        // One pass over each value's bytes, and nothing built unless one is refused: this runs on every token.
        func refuses(_ value: String?) -> Bool { value?.utf8.contains { $0 < 0x21 || $0 > 0x7E } ?? false }
        let credentials = found.credentials
        let field: (name: String, variable: String)
        if refuses(credentials.accessKeyID) {
            field = ("access key id", "AWS_ACCESS_KEY_ID")
        } else if refuses(credentials.secretAccessKey) {
            field = ("secret access key", "AWS_SECRET_ACCESS_KEY")
        } else if refuses(credentials.sessionToken) {
            field = ("session token", "AWS_SESSION_TOKEN")
        } else {
            return
        }
        let fromEnvironment = found.source == .environment
        throw CredentialError.invalidValue(
            name: fromEnvironment ? field.variable : field.name,
            source: fromEnvironment ? "the environment" : found.source.description,
            expected: "printable ASCII without spaces or control characters (was a line break pasted with it?)")
    }
}
