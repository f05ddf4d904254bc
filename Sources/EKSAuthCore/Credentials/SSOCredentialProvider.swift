import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// IAM Identity Center (SSO) as a source of the chain: a profile with `sso_account_id` or
/// `sso_role_name` gets its role credentials from the portal; other profiles are passed over.
public struct SSOCredentialProvider: CredentialProvider {
    let profile: Profile
    let config: SharedConfig
    let system: SystemContext

    /// A provider for `profile`, its `sso_session` looked up in `config`.
    public init(profile: Profile, config: SharedConfig, system: SystemContext) {
        self.profile = profile
        self.config = config
        self.system = system
    }

    /// Whether `profile` asks for SSO credentials (`sso_account_id` or `sso_role_name`).
    public static func isConfigured(_ profile: Profile) -> Bool {
        profile["sso_account_id"] != nil || profile["sso_role_name"] != nil
    }

    /// The role credentials; passed over when the profile does not ask for IAM Identity Center.
    /// - Throws: `CredentialError.ssoLoginRequired` when the user must log in again; others for
    ///   incomplete settings and failures.
    public func credentials() throws -> ProviderOutcome {
        guard Self.isConfigured(profile) else { return .passedOver("no sso_account_id or sso_role_name") }
        return .found(try SSORole(profile: profile, config: config).credentials(system: system, config: config))
    }
}

/// The IAM Identity Center role of a profile (account and permission set) and how to get its
/// credentials: the access token `aws sso login` cached under `~/.aws/sso/cache/`, refreshed with
/// its refresh token when near expiry (sso-session form), then the portal's GetRoleCredentials.
/// Role credentials are cached per token, so a new login starts afresh.
public struct SSORole: Sendable {
    /// The portal start URL.
    public var startURL: String
    /// The Identity Center region.
    public var region: String
    /// The account to get credentials for.
    public var accountID: String
    /// The permission set's role name.
    public var roleName: String
    /// The `[sso-session NAME]`, nil for the legacy form.
    public var sessionName: String?
    /// The profile.
    public var profile: Profile

    /// How long before its expiry the access token is refreshed (botocore's advisory window).
    static let refreshWindow: TimeInterval = 15 * 60

    /// The role of `profile`, its `sso_session` looked up in `config`.
    /// - Throws: `CredentialError` for missing or contradictory keys.
    public init(profile: Profile, config: SharedConfig) throws {
        let source = "profile '\(profile.name)'"
        var startURL = profile["sso_start_url"]
        var region = profile["sso_region"]
        if let session = profile["sso_session"] {
            guard let section = config.section(kind: "sso-session", named: session) else {
                throw CredentialError.invalidValue(
                    name: "sso_session", source: profile.origin(of: "sso_session"),
                    expected: "an [sso-session \(session)] section in \(config.configPath)")
            }
            for (key, value) in [("sso_start_url", startURL), ("sso_region", region)] {
                guard let sessionValue = section[key]?.string, !sessionValue.isEmpty else {
                    throw CredentialError.partialCredentials(source: "[sso-session \(session)]", missing: key)
                }
                if let value, value != sessionValue {
                    throw CredentialError.invalidValue(
                        name: key, source: profile.origin(of: key),
                        expected: "the value of [sso-session \(session)] (or none)")
                }
            }
            startURL = section["sso_start_url"]?.string
            region = section["sso_region"]?.string
        }
        for (key, value) in [
            ("sso_start_url", startURL), ("sso_region", region), ("sso_account_id", profile["sso_account_id"]),
            ("sso_role_name", profile["sso_role_name"]),
        ] where value == nil {
            throw CredentialError.partialCredentials(source: source, missing: key)
        }
        guard Region.isValid(region!) else {
            throw CredentialError.invalidValue(
                name: "sso_region", source: profile.origin(of: "sso_region"), expected: "a region name")
        }
        self.startURL = startURL!
        self.region = region!
        self.accountID = profile["sso_account_id"]!
        self.roleName = profile["sso_role_name"]!
        self.sessionName = profile["sso_session"]
        self.profile = profile
    }

    /// The token cache file: SHA-1 of the session name (or legacy start URL), as the AWS CLI names it.
    public func tokenPath(home: String) -> String {
        "\(home)/.aws/sso/cache/\(Crypto.hex(Crypto.sha1(Array((sessionName ?? startURL).utf8)))).json"
    }

    /// The role credentials.
    /// - Throws: `CredentialError.ssoLoginRequired` when the user must log in again; others for failures.
    public func credentials(system: SystemContext, config: SharedConfig) throws -> ResolvedCredentials {
        let role: CachedCredentials
        do {
            role = try roleCredentials(
                token: accessToken(system: system, config: config), system: system, config: config)
        } catch let failure as RefusedToken where SSODeviceLogin.isAllowed(system: system) {
            role = try loggedIn(after: failure.error, refused: failure.token, system: system, config: config)
        } catch let error as CredentialError where error.needsLogin && SSODeviceLogin.isAllowed(system: system) {
            role = try loggedIn(after: error, refused: nil, system: system, config: config)
        } catch let failure as RefusedToken {
            throw failure.error
        }
        return ResolvedCredentials(
            credentials: role.credentials,
            source: .identityCenter(
                accountID: accountID, roleName: roleName, profile: profile.name,
                session: sessionName.map { "sso-session '\($0)'" } ?? startURL))
    }

    /// The role credentials after a new login (`SSODeviceLogin`), when `error` said one is needed.
    func loggedIn(after error: CredentialError, refused: String?, system: SystemContext, config: SharedConfig) throws
        -> CachedCredentials
    {
        let token = try SSODeviceLogin(role: self, config: config, system: system).token(why: error, refused: refused)
        do {
            return try roleCredentials(token: token, system: system, config: config)
        } catch let failure as RefusedToken {
            // Refused right after a login: another login would be refused too.
            throw failure.error
        }
    }

    /// The portal refused `token` (HTTP 401): `error` says so.
    struct RefusedToken: Error {
        var token: String
        var error: CredentialError
    }

    /// The role credentials for `token`, through the cache (one entry per token).
    /// - Throws: `RefusedToken` when the portal refuses the token; `CredentialError` otherwise.
    func roleCredentials(token: String, system: SystemContext, config: SharedConfig) throws -> CachedCredentials {
        let label = "IAM Identity Center account \(accountID) role \(roleName)"
        // The key's fields (its role too) make the digest that names existing cache files: keep them.
        let key = CacheKey(
            baseAccessKeyID: "sso-token-sha256:\(Crypto.hex(Crypto.sha256(Array(token.utf8))))",
            profile: profile.name, roleARN: "sso:\(accountID):\(roleName)", externalID: nil,
            sessionName: sessionName ?? startURL, serialNumber: nil, durationSeconds: 0, endpoint: "", kind: .sso)
        do {
            return try CredentialCache.through(key, system: system, label: label) {
                try fetchRoleCredentials(token: token, system: system, config: config)
            }
        } catch let error as CredentialError where error.needsLogin {
            throw RefusedToken(token: token, error: error)
        }
    }

    /// The lock a refresh or a login of the token in `path` holds (across processes): one per token
    /// file, so that profiles sharing an sso-session share it too.
    func tokenLockKey(path: String) -> CacheKey {
        CacheKey(
            baseAccessKeyID: "sso-token-file:\(path)", profile: "", roleARN: "", externalID: nil,
            sessionName: nil, serialNumber: nil, durationSeconds: 0, endpoint: "", kind: .ssoRefresh)
    }

    func endpoint(service: String, host: String, system: SystemContext, config: SharedConfig) throws -> String {
        let resolver = STSEndpointResolver(environment: system.environment, profile: profile, config: config)
        if let configured = try resolver.configuredEndpoint(service: service) {
            let e = configured.endpoint
            return "\(e.scheme)://\(e.hostHeader)\(e.path == "/" ? "" : e.path)"
        }
        return "https://\(host).\(region).\(Partition.of(region: region).dnsSuffix)"
    }

    /// The token cache file's fields, access token and expiry. The file is the AWS CLI's: it is read
    /// into a `JSONValue` tree (with `JSONDecoder`) rather than a fixed `Codable` struct, so that a
    /// refresh writes back every field, the ones we do not know included.
    struct CachedToken {
        var fields: [String: JSONValue]
        var token: String
        var expiresAt: Date
    }

    func readToken(at path: String, system: SystemContext) throws -> CachedToken {
        let bytes: [UInt8]?
        do {
            bytes = try system.fileSystem.read(path)
        } catch let error as FileSystemError {
            throw CredentialError.unreadableFile(path: path, purpose: "the SSO token cache file", reason: error.reason)
        }
        guard let bytes else {
            throw CredentialError.ssoLoginRequired(profile: profile.name, reason: "has no cached token (\(path))")
        }
        guard case .object(let fields)? = try? JSONDecoder().decode(JSONValue.self, from: Data(bytes)),
            case .string(let token)? = fields["accessToken"], !token.isEmpty,
            case .string(let expiresText)? = fields["expiresAt"], let expiresAt = Self.parseTime(expiresText)
        else {
            throw CredentialError.ssoLoginRequired(
                profile: profile.name, reason: "has an unreadable token cache file (\(path))")
        }
        return CachedToken(fields: fields, token: token, expiresAt: expiresAt)
    }

    /// The cached access token, refreshed when it is close to expiry and can be. Refreshes are
    /// serialised across processes (kubectl may run several plugins at once), and a token another
    /// process refreshed meanwhile is used as it is: refresh tokens may be good for one use only.
    func accessToken(system: SystemContext, config: SharedConfig) throws -> String {
        guard let home = system.environment.home else {
            throw CredentialError.ssoLoginRequired(
                profile: profile.name, reason: "has no token cache (HOME is not set)")
        }
        let path = tokenPath(home: home)
        let cached = try readToken(at: path, system: system)
        let fresh = { (token: CachedToken) in token.expiresAt.timeIntervalSince(system.clock.now()) > Self.refreshWindow
        }
        if fresh(cached) { return cached.token }
        guard sessionName != nil else {
            return try usable(cached, problem: "profiles without sso_session cannot be refreshed", system: system)
        }
        guard case .string? = cached.fields["refreshToken"] else {
            return try usable(cached, problem: "no refresh token", system: system)
        }
        let cache = CredentialCache(
            directory: CredentialCache.directory(in: system.environment), fileSystem: system.fileSystem,
            warn: system.warn)
        return try cache.withLock(for: tokenLockKey(path: path), timeout: 20) {
            let current = try readToken(at: path, system: system)
            if fresh(current) {
                system.tracer("credentials: the IAM Identity Center token was refreshed by another process")
                return current.token
            }
            return try refreshed(current, path: path, system: system, config: config)
        }
    }

    /// `current` refreshed with its refresh token and written back; else `current` while it lasts.
    func refreshed(_ current: CachedToken, path: String, system: SystemContext, config: SharedConfig) throws -> String {
        var fields = current.fields
        let now = system.clock.now()
        guard case .string(let refreshToken)? = fields["refreshToken"],
            case .string(let clientID)? = fields["clientId"],
            case .string(let clientSecret)? = fields["clientSecret"],
            case .string(let registration)? = fields["registrationExpiresAt"],
            let registrationExpiry = Self.parseTime(registration)
        else { return try usable(current, problem: "no client registration to refresh it with", system: system) }
        guard registrationExpiry > now else {
            return try usable(current, problem: "the client registration expired", system: system)
        }
        let fresh: SSOOIDCClient.Token
        do {
            fresh = try refresh(
                refreshToken: refreshToken, clientID: clientID, clientSecret: clientSecret, system: system,
                config: config)
        } catch let error as CredentialError {
            return try usable(current, problem: "refreshing it failed (\(error.message))", system: system)
        }
        fields["accessToken"] = .string(fresh.accessToken)
        fields["expiresAt"] = .string(Timestamp.rfc3339(now.addingTimeInterval(Double(fresh.expiresIn))))
        if let next = fresh.refreshToken { fields["refreshToken"] = .string(next) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            // Through a symbolic link to its target, as botocore writes it.
            try system.fileSystem.writeAtomically(
                Array(try encoder.encode(JSONValue.object(fields))),
                to: (try? system.fileSystem.resolvingSymlinks(path)) ?? path, mode: 0o600)
        } catch {
            system.warn("could not write the refreshed SSO token to \(path); it is used for this run only")
        }
        system.tracer("credentials: refreshed the IAM Identity Center token in \(path)")
        return fresh.accessToken
    }

    /// `token` while it has not expired (traced, since it was not refreshed); else the login remedy.
    func usable(_ token: CachedToken, problem: String, system: SystemContext) throws -> String {
        if token.expiresAt > system.clock.now() {
            system.tracer("credentials: the IAM Identity Center token expires soon and was not refreshed: \(problem)")
            return token.token
        }
        throw CredentialError.ssoLoginRequired(
            profile: profile.name, reason: "expired at \(Timestamp.rfc3339(token.expiresAt)) (\(problem))")
    }

    /// `expiresAt` as the AWS CLI writes it (`…Z`, older versions `…UTC`).
    static func parseTime(_ text: String) -> Date? {
        let trimmed = text.trimmingWhitespace()
        return Timestamp.parseISO8601(trimmed.hasSuffix("UTC") ? String(trimmed.dropLast(3)) + "Z" : trimmed)
    }

    /// The OIDC CreateToken call with the refresh grant.
    func refresh(
        refreshToken: String, clientID: String, clientSecret: String, system: SystemContext, config: SharedConfig
    ) throws -> SSOOIDCClient.Token {
        let oidc = SSOOIDCClient(
            endpoint: try endpoint(service: "sso_oidc", host: "oidc", system: system, config: config), system: system)
        return try oidc.refresh(refreshToken: refreshToken, clientID: clientID, clientSecret: clientSecret)
    }

    struct RoleCredentialsReply: Decodable {
        struct Credentials: Decodable {
            var accessKeyId: String
            var secretAccessKey: String
            var sessionToken: String?
            var expiration: Int64
        }
        var roleCredentials: Credentials
    }

    /// GetRoleCredentials (unsigned; the bearer token is the proof), retried on throttling and 5xx.
    func fetchRoleCredentials(token: String, system: SystemContext, config: SharedConfig) throws -> CachedCredentials {
        let base = try endpoint(service: "sso", host: "portal.sso", system: system, config: config)
        let url =
            "\(base)/federation/credentials?account_id=\(SigV4Signer.uriEncode(accountID))"
            + "&role_name=\(SigV4Signer.uriEncode(roleName))"
        let request = HTTPRequest(
            method: "GET", url: url,
            headers: [
                HTTPHeader(name: "x-amz-sso_bearer_token", value: token),
                HTTPHeader(name: "User-Agent", value: EKSAuthVersion.userAgent),
            ], timeout: 10)
        let source = "the IAM Identity Center portal \(base)"
        let policy = RetryPolicy(
            maxAttempts: 3, attemptTimeout: 10, sleep: system.sleep, random: system.random, notice: system.notice)
        let exchange = try policy.exchange(
            via: system.http(), what: "IAM Identity Center GetRoleCredentials", pause: { 0.5 * Double($0) },
            retryReason: { response in
                guard response.status == 429 || response.status >= 500 else { return nil }
                return "HTTP \(response.status) \(Self.errorName(response))"
            },
            make: { attempt in
                system.tracer(
                    "sso: GetRoleCredentials account \(accountID) role \(roleName) attempt \(attempt) to \(base)")
                return request
            })
        guard case .answered(let response, _) = exchange else {
            throw CredentialError.endpointFailed(
                source: source, reason: "\(exchange.failureReason ?? "") (after \(policy.maxAttempts) attempts)")
        }
        switch response.status {
        case 200:
            guard let reply = try? JSONDecoder().decode(RoleCredentialsReply.self, from: Data(response.body)) else {
                throw CredentialError.endpointFailed(source: source, reason: "the answer holds no role credentials")
            }
            let c = reply.roleCredentials
            return CachedCredentials(
                credentials: AWSCredentials(
                    accessKeyID: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken,
                    expiration: Date(timeIntervalSince1970: Double(c.expiration) / 1000)),
                session: .identityCenter(accountID: accountID, roleName: roleName))
        case 401:
            throw CredentialError.ssoLoginRequired(
                profile: profile.name, reason: "was refused by the portal (\(Self.errorName(response)))")
        case 429, 500...:
            throw CredentialError.endpointFailed(
                source: source,
                reason: "HTTP \(response.status) \(Self.errorName(response)) (after \(policy.maxAttempts) attempts)")
        default:
            throw CredentialError.endpointRefused(
                source: source,
                reason: "HTTP \(response.status) \(Self.errorName(response)) for account \(accountID) role \(roleName)")
        }
    }

    /// The error type and message of an AWS JSON error answer, printable.
    static func errorName(_ response: HTTPResponse) -> String {
        let type = response.header("x-amzn-ErrorType")?.split(separator: ":").first.map(String.init)
        let message = errorExcerpt(response.body)
        return [type, message.isEmpty ? nil : message].compactMap { $0 }.joined(separator: ": ")
    }
}

/// So the SSO token file can be written back with every field it had.
extension JSONValue: Encodable {
    /// Writes the value as JSON (whole numbers without a fraction).
    /// - Throws: `EncodingError` from the encoder.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value):
            if value == value.rounded(), abs(value) < 1e15 {
                try container.encode(Int64(value))
            } else {
                try container.encode(value)
            }
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}
