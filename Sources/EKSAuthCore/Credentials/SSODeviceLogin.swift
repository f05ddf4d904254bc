import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A new IAM Identity Center login, made where a person can approve it: the OAuth device
/// authorization grant (RFC 8628) against sso-oidc, as `aws sso login` makes it.
///
/// RegisterClient (its registration reused from the AWS CLI's cache file while it lasts), then
/// StartDeviceAuthorization; the verification URL and code go to stderr and, where a desktop session
/// exists, to the browser; CreateToken is polled at the interval the service gives, 5 s slower after
/// each `slow_down`, until approval, denial or the code's expiry. The token is then written to
/// `~/.aws/sso/cache/` exactly as the AWS CLI v2 writes it (awscli `SSOTokenFetcher`), so `aws` and
/// the SDKs see the login too.
struct SSODeviceLogin {
    let role: SSORole
    let config: SharedConfig
    let system: SystemContext

    /// How long a process waits for a login another process started (device codes live 10 minutes).
    static let waitForOtherLogin: Double = 15 * 60
    /// How long a registration or token must still last to be reused (botocore's expiry window).
    static let reuseWindow: TimeInterval = 15 * 60
    /// The longest wait between two polls, in seconds, `slow_down` included.
    static let maxInterval: Double = 60
    /// Consecutive failed polls (no answer, 5xx) after which the login is given up.
    static let maxFailedPolls = 3

    /// Whether a login may be started: a person can answer (`SystemContext.canPrompt`) and
    /// `EKS_AUTH_NO_SSO_LOGIN` is not set.
    static func isAllowed(system: SystemContext) -> Bool {
        guard (system.environment["EKS_AUTH_NO_SSO_LOGIN"] ?? "").isEmpty else { return false }
        return system.canPrompt
    }

    /// The scopes of `sso_registration_scopes` (comma-separated, as the AWS CLI parses them); nil
    /// when the key is absent.
    var scopes: [String]? {
        guard let session = role.sessionName, let section = config.section(kind: "sso-session", named: session),
            let raw = section["sso_registration_scopes"]?.string
        else { return nil }
        return raw.split(separator: ",").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
    }

    /// A token for `role`: one another process got meanwhile, else a new login. One login at a time
    /// per token file, across processes: a process that finds one under way waits for it (at most
    /// `waitForOtherLogin`) and uses its token instead of starting another; `refused` (a token the
    /// portal refused) never counts as new.
    /// - Throws: `CredentialError.ssoLoginFailed` on denial, expiry or a login elsewhere that did not
    ///   complete; `CredentialError.endpointFailed`/`.endpointRefused` when sso-oidc fails.
    func token(why: CredentialError, refused: String?) throws -> String {
        guard let home = system.environment.home else { throw why }
        let path = role.tokenPath(home: home)
        let fresh = { () -> String? in
            guard let cached = try? role.readToken(at: path, system: system), cached.token != refused,
                cached.expiresAt.timeIntervalSince(system.clock.now()) > 60
            else { return nil }
            return cached.token
        }
        let cache = CredentialCache(
            directory: CredentialCache.directory(in: system.environment), fileSystem: system.fileSystem,
            warn: system.warn)
        let lockPath = "\(cache.directory)/\(role.tokenLockKey(path: path).digest).lock"
        guard cache.directoryIsUsable(warn: system.warn),
            (try? system.fileSystem.createDirectory(cache.directory, mode: 0o700)) != nil
        else { return try fresh() ?? login(why: why, path: path) }
        do {
            if let token = try system.fileSystem.withExclusiveLock(
                lockPath, timeout: 0,
                {
                    try fresh() ?? login(why: why, path: path)
                })
            {
                return token
            }
            system.notice(
                "waiting for the IAM Identity Center login another eks-auth process started (profile "
                    + "'\(role.profile.name)'); approve it there", ["profile": role.profile.name])
            let waited = try system.fileSystem.withExclusiveLock(lockPath, timeout: Self.waitForOtherLogin) { fresh() }
            if let token = waited ?? nil {
                system.tracer("credentials: using the IAM Identity Center login another process made")
                return token
            }
            throw CredentialError.ssoLoginFailed(
                profile: role.profile.name,
                reason: waited == nil
                    ? "that another eks-auth process started did not finish within "
                        + "\(Int(Self.waitForOtherLogin / 60)) min"
                    : "that another eks-auth process started did not complete")
        } catch let error as FileSystemError {
            system.warn("cannot lock \(lockPath): \(error.reason); logging in without the lock")
            return try fresh() ?? login(why: why, path: path)
        }
    }

    /// The device authorization flow; writes the token (and the client registration) to the AWS
    /// CLI's cache and returns the access token.
    func login(why: CredentialError, path: String) throws -> String {
        let profile = role.profile.name
        let oidc = SSOOIDCClient(
            endpoint: try role.endpoint(service: "sso_oidc", host: "oidc", system: system, config: config),
            system: system)
        var registration = try self.registration(oidc: oidc)
        let authorization: SSOOIDCClient.DeviceAuthorization
        do {
            authorization = try oidc.startDeviceAuthorization(registration.client, startURL: role.startURL)
        } catch CredentialError.endpointRefused(_, let reason) where registration.cached {
            // A cached registration the service no longer knows (revoked, or of another start URL): a new one.
            system.tracer("sso: the cached client registration was refused (\(reason)); registering again")
            registration = try self.registration(oidc: oidc, reuse: false)
            authorization = try oidc.startDeviceAuthorization(registration.client, startURL: role.startURL)
        }
        let started = system.clock.now()
        let link = authorization.verificationURIComplete ?? authorization.verificationURI
        let code = TerminalText.line(authorization.userCode, limit: 64)
        system.notice(
            "\(why.message); logging in to IAM Identity Center (\(TerminalText.line(role.startURL, limit: 200)))",
            ["profile": profile, "startUrl": role.startURL])
        system.notice(
            "open \(TerminalText.line(link, limit: 512)) and check that it shows the code \(code)",
            ["verificationUri": link, "userCode": code])
        switch openBrowser(link) {
        case .opened: system.notice("opening the page in your browser", [:])
        case .notOpened(let why): system.tracer("sso: no browser opened: \(why)")
        }
        system.notice(
            "waiting for approval (the code expires in \(DurationText.spoken(authorization.expiresIn)))",
            ["expiresInSeconds": String(authorization.expiresIn)])
        let token = try poll(oidc, registration.client, authorization, started: started)
        let now = system.clock.now()
        let expiresAt = now.addingTimeInterval(Double(token.expiresIn))
        var fields: [String: JSONValue] = [
            "startUrl": .string(role.startURL), "region": .string(role.region),
            "accessToken": .string(token.accessToken), "expiresAt": .string(Timestamp.rfc3339(expiresAt)),
            "clientId": .string(registration.client.clientID),
            "clientSecret": .string(registration.client.clientSecret),
            "registrationExpiresAt": .string(Timestamp.rfc3339(registration.client.expiresAt)),
        ]
        if let refresh = token.refreshToken { fields["refreshToken"] = .string(refresh) }
        do {
            try write(fields, to: path)
        } catch {
            system.warn(
                "could not write the IAM Identity Center token to \(path) (\(CredentialCache.reason(error))); "
                    + "it is used for this run only")
        }
        system.notice(
            "logged in to IAM Identity Center; the session lasts until \(Timestamp.rfc3339(expiresAt))",
            ["expiresAt": Timestamp.rfc3339(expiresAt)])
        return token.accessToken
    }

    /// CreateToken polls until a token, a denial or the code's expiry.
    func poll(
        _ oidc: SSOOIDCClient, _ registration: SSOOIDCClient.Registration,
        _ authorization: SSOOIDCClient.DeviceAuthorization, started: Date
    ) throws -> SSOOIDCClient.Token {
        let profile = role.profile.name
        var interval = Double(authorization.interval)
        var failures = 0
        let deadline = started.addingTimeInterval(Double(authorization.expiresIn))
        while true {
            let outcome: SSOOIDCClient.Poll
            do {
                outcome = try oidc.pollToken(registration, deviceCode: authorization.deviceCode)
                failures = 0
            } catch CredentialError.endpointFailed(let source, let reason) {
                failures += 1
                guard failures < Self.maxFailedPolls else {
                    throw CredentialError.endpointFailed(source: source, reason: reason)
                }
                outcome = .pending
            }
            switch outcome {
            case .token(let token): return token
            case .pending: break
            case .slowDown: interval = min(interval + 5, Self.maxInterval)
            case .denied:
                throw CredentialError.ssoLoginFailed(profile: profile, reason: "was denied in the browser")
            case .expired:
                throw CredentialError.ssoLoginFailed(
                    profile: profile, reason: "was not approved before its code expired")
            }
            // The last poll is made a second before the code expires, never after (an approval seen then
            // still counts); the wait said is the one waited.
            let left = deadline.timeIntervalSince(system.clock.now()) - 1
            guard left > 0 else {
                let waited = Int(system.clock.now().timeIntervalSince(started).rounded())
                throw CredentialError.ssoLoginFailed(
                    profile: profile,
                    reason: "was not approved before its code expired (after \(DurationText.spoken(waited)))")
            }
            system.sleep(min(interval, left))
        }
    }

    /// The client registration: the AWS CLI's cached one while it lasts, else a new one, cached.
    func registration(oidc: SSOOIDCClient, reuse: Bool = true) throws -> (
        client: SSOOIDCClient.Registration, cached: Bool
    ) {
        let path = registrationPath()
        if reuse, let path, let bytes = try? system.fileSystem.read(path),
            case .object(let fields)? = try? JSONDecoder().decode(JSONValue.self, from: Data(bytes)),
            let id = SSOOIDCClient.string(fields["clientId"]),
            let secret = SSOOIDCClient.string(fields["clientSecret"]),
            case .string(let expiry)? = fields["expiresAt"], let expiresAt = SSORole.parseTime(expiry),
            expiresAt.timeIntervalSince(system.clock.now()) > Self.reuseWindow
        {
            system.tracer("sso: reusing the client registration in \(path)")
            return (SSOOIDCClient.Registration(clientID: id, clientSecret: secret, expiresAt: expiresAt), true)
        }
        let name = "eks-auth-client-\(role.sessionName ?? String(Int(system.clock.now().timeIntervalSince1970)))"
        let registration = try oidc.registerClient(name: name, scopes: scopes)
        if let path {
            var fields: [String: JSONValue] = [
                "clientId": .string(registration.clientID), "clientSecret": .string(registration.clientSecret),
                "expiresAt": .string(Timestamp.rfc3339(registration.expiresAt)),
            ]
            if let scopes, !scopes.isEmpty { fields["scopes"] = .array(scopes.map(JSONValue.string)) }
            try? write(fields, to: path)
        }
        return (registration, false)
    }

    /// Where the AWS CLI v2 caches the client registration: for an sso-session, the SHA-1 of the
    /// Python `json.dumps(…, sort_keys=True)` of `{tool, startUrl, region, scopes, session_name}`
    /// (awscli `SSOTokenFetcher._registration_cache_key`); for the legacy form,
    /// `botocore-client-id-REGION.json`. Nil without a home directory.
    func registrationPath() -> String? {
        guard let home = system.environment.home else { return nil }
        return "\(home)/.aws/sso/cache/\(Self.registrationKey(role: role, scopes: scopes)).json"
    }

    static func registrationKey(role: SSORole, scopes: [String]?) -> String {
        guard let session = role.sessionName else { return "botocore-client-id-\(role.region)" }
        let scopeText = scopes.map { "[" + $0.map(pythonJSON).joined(separator: ", ") + "]" } ?? "null"
        let text =
            "{\"region\": \(pythonJSON(role.region)), \"scopes\": \(scopeText), "
            + "\"session_name\": \(pythonJSON(session)), \"startUrl\": \(pythonJSON(role.startURL)), "
            + "\"tool\": \"botocore\"}"
        return Crypto.hex(Crypto.sha1(Array(text.utf8)))
    }

    /// A string as Python's `json.dumps` writes it (`ensure_ascii`: non-ASCII as `\uXXXX`, in UTF-16).
    static func pythonJSON(_ text: String) -> String {
        var out = "\""
        for unit in text.utf16 {
            switch unit {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x08: out += "\\b"
            case 0x0C: out += "\\f"
            case 0x20..<0x7F: out.unicodeScalars.append(Unicode.Scalar(unit)!)
            default:
                let hex = String(unit, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            }
        }
        return out + "\""
    }

    /// Writes `fields` as the AWS CLI does (one JSON object), atomically, 0600, in a 0700 directory.
    func write(_ fields: [String: JSONValue], to path: String) throws {
        let directory = String(path[..<path.lastIndex(of: "/")!])
        try system.fileSystem.createDirectory(directory, mode: 0o700)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Through a symbolic link to its target, as botocore writes these files.
        let target = (try? system.fileSystem.resolvingSymlinks(path)) ?? path
        try system.fileSystem.writeAtomically(
            Array(try encoder.encode(JSONValue.object(fields))), to: target, mode: 0o600)
    }

    enum BrowserOutcome: Equatable {
        case opened
        case notOpened(String)
    }

    /// Opens `link` in the browser where a desktop session exists: `xdg-open` with `DISPLAY` or
    /// `WAYLAND_DISPLAY` set, `open` on macOS outside SSH. Never with `EKS_AUTH_NO_BROWSER` set, and
    /// only for an `https` link (or `http` to a loopback test endpoint) without spaces or control
    /// characters: the link comes from the network.
    func openBrowser(_ link: String) -> BrowserOutcome {
        let env = system.environment
        guard (env["EKS_AUTH_NO_BROWSER"] ?? "").isEmpty else { return .notOpened("EKS_AUTH_NO_BROWSER is set") }
        guard Self.isOpenable(link) else { return .notOpened("the link is not an https URL") }
        #if os(macOS)
            guard (env["SSH_CONNECTION"] ?? "").isEmpty, (env["SSH_TTY"] ?? "").isEmpty else {
                return .notOpened("an SSH session has no desktop here")
            }
            let command = ["open", link]
        #else
            guard !(env["DISPLAY"] ?? "").isEmpty || !(env["WAYLAND_DISPLAY"] ?? "").isEmpty else {
                return .notOpened("no desktop session (DISPLAY and WAYLAND_DISPLAY are unset)")
            }
            let command = ["xdg-open", link]
        #endif
        // Detached, not waited for: a launcher may keep the browser in the foreground.
        do {
            _ = try system.processes.run(ProcessRequest(arguments: command, timeout: 0, detached: true))
            return .opened
        } catch ProcessRunError.cannotStart(let why) {
            return .notOpened(why)
        } catch {
            return .notOpened("\(command[0]) could not start")
        }
    }

    static func isOpenable(_ link: String) -> Bool {
        guard link.utf8.count <= 2048,
            !link.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F || $0.value > 0x7E })
        else { return false }
        if link.hasPrefix("https://") { return true }
        return link.hasPrefix("http://127.0.0.1:") || link.hasPrefix("http://localhost:")
    }
}
