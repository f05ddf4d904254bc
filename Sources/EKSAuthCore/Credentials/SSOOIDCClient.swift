import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The IAM Identity Center OIDC service (`sso-oidc`, REST-JSON, unsigned): client registration, the
/// device authorization grant of RFC 8628 and token creation, as botocore's
/// `data/sso-oidc/2019-06-10/service-2.json` describes them.
///
/// Every call has a 10 s timeout and one attempt: RegisterClient and StartDeviceAuthorization create
/// something each time (a client, a device code), and CreateToken is polled anyway. Answers are bounded
/// by the transport; strings from them are checked before use.
struct SSOOIDCClient {
    /// The service's base URL (`https://oidc.REGION.amazonaws.com`, or `AWS_ENDPOINT_URL_SSO_OIDC`).
    let endpoint: String
    let system: SystemContext

    /// A registered public client: RegisterClient's answer.
    struct Registration: Equatable {
        var clientID: String
        var clientSecret: String
        /// When the client secret expires (`clientSecretExpiresAt`, seconds since the epoch).
        var expiresAt: Date
    }

    /// StartDeviceAuthorization's answer.
    struct DeviceAuthorization: Equatable {
        var deviceCode: String
        var userCode: String
        var verificationURI: String
        var verificationURIComplete: String?
        /// Seconds the device code is good for.
        var expiresIn: Int
        /// Seconds between CreateToken polls (RFC 8628 §3.2; 5 when absent).
        var interval: Int
    }

    /// CreateToken's answer.
    struct Token: Equatable, Decodable {
        var accessToken: String
        /// Seconds the access token is good for.
        var expiresIn: Int
        var refreshToken: String?
    }

    /// What one CreateToken poll of the device grant gave (RFC 8628 §3.5).
    enum Poll: Equatable {
        case token(Token)
        /// `authorization_pending`: not approved yet.
        case pending
        /// `slow_down`: poll 5 s less often.
        case slowDown
        /// `access_denied`: the person refused.
        case denied
        /// `expired_token`: the device code expired.
        case expired
    }

    /// The longest a device code is polled for, in seconds, whatever the service says (AWS says 600):
    /// as long as other processes wait for a login (`SSODeviceLogin.waitForOtherLogin`).
    static let maxCodeLifetime: Double = 15 * 60

    /// The longest string taken from an answer (codes, URLs, tokens): well over AWS's, far under a flood.
    static let maxFieldLength = 16 * 1024

    /// RegisterClient: a public client named `name`, with `scopes` when given.
    /// - Throws: `CredentialError.endpointFailed`/`.endpointRefused`.
    func registerClient(name: String, scopes: [String]?) throws -> Registration {
        var body: [String: JSONValue] = ["clientName": .string(name), "clientType": .string("public")]
        if let scopes, !scopes.isEmpty { body["scopes"] = .array(scopes.map(JSONValue.string)) }
        let (status, fields) = try post("/client/register", body, what: "RegisterClient")
        guard status == 200 else { throw refusal(status, fields, what: "RegisterClient") }
        guard let id = Self.string(fields["clientId"]), let secret = Self.string(fields["clientSecret"]),
            case .number(let expiry)? = fields["clientSecretExpiresAt"]
        else { throw CredentialError.endpointFailed(source: source, reason: "RegisterClient's answer is incomplete") }
        let expiresAt = Date(timeIntervalSince1970: expiry)
        guard expiresAt > system.clock.now() else {
            throw CredentialError.endpointFailed(
                source: source,
                reason: "RegisterClient's registration expired already (\(Timestamp.rfc3339(expiresAt)))")
        }
        return Registration(clientID: id, clientSecret: secret, expiresAt: expiresAt)
    }

    /// StartDeviceAuthorization for `startURL` with `registration`.
    /// - Throws: `CredentialError.endpointFailed`/`.endpointRefused`.
    func startDeviceAuthorization(_ registration: Registration, startURL: String) throws -> DeviceAuthorization {
        let body: [String: JSONValue] = [
            "clientId": .string(registration.clientID), "clientSecret": .string(registration.clientSecret),
            "startUrl": .string(startURL),
        ]
        let (status, fields) = try post("/device_authorization", body, what: "StartDeviceAuthorization")
        guard status == 200 else { throw refusal(status, fields, what: "StartDeviceAuthorization") }
        guard let deviceCode = Self.string(fields["deviceCode"]), let userCode = Self.string(fields["userCode"]),
            let uri = Self.string(fields["verificationUri"]), case .number(let expiresIn)? = fields["expiresIn"],
            expiresIn > 0
        else {
            throw CredentialError.endpointFailed(
                source: source, reason: "StartDeviceAuthorization's answer is incomplete")
        }
        var interval = 5
        if case .number(let given)? = fields["interval"], given >= 1 { interval = Int(min(given, 60)) }
        return DeviceAuthorization(
            deviceCode: deviceCode, userCode: userCode, verificationURI: uri,
            verificationURIComplete: Self.string(fields["verificationUriComplete"]),
            expiresIn: Int(min(expiresIn, Self.maxCodeLifetime)), interval: interval)
    }

    /// One CreateToken poll with the device code grant.
    /// - Throws: `CredentialError.endpointFailed`/`.endpointRefused` for other answers.
    func pollToken(_ registration: Registration, deviceCode: String) throws -> Poll {
        let body: [String: JSONValue] = [
            "grantType": .string("urn:ietf:params:oauth:grant-type:device_code"),
            "clientId": .string(registration.clientID), "clientSecret": .string(registration.clientSecret),
            "deviceCode": .string(deviceCode),
        ]
        let (status, fields) = try post("/token", body, what: "CreateToken")
        if status == 200 { return .token(try token(from: fields)) }
        switch (Self.string(fields["error"]), Self.errorType(fields)) {
        case ("authorization_pending", _), (_, "AuthorizationPendingException"): return .pending
        case ("slow_down", _), (_, "SlowDownException"): return .slowDown
        case ("access_denied", _), (_, "AccessDeniedException"): return .denied
        case ("expired_token", _), (_, "ExpiredTokenException"): return .expired
        default: throw refusal(status, fields, what: "CreateToken")
        }
    }

    /// CreateToken with the refresh grant.
    /// - Throws: `CredentialError.endpointFailed`/`.endpointRefused`.
    func refresh(refreshToken: String, clientID: String, clientSecret: String) throws -> Token {
        let body: [String: JSONValue] = [
            "grantType": .string("refresh_token"), "clientId": .string(clientID),
            "clientSecret": .string(clientSecret), "refreshToken": .string(refreshToken),
        ]
        system.tracer("credentials: refreshing the IAM Identity Center token at \(endpoint)/token")
        let (status, fields) = try post("/token", body, what: "CreateToken")
        guard status == 200 else { throw refusal(status, fields, what: "CreateToken") }
        return try token(from: fields)
    }

    var source: String { "IAM Identity Center OIDC \(endpoint)" }

    func token(from fields: [String: JSONValue]) throws -> Token {
        // The token goes into a header and a file the AWS CLI reads: printable ASCII, no spaces.
        guard let access = Self.string(fields["accessToken"]),
            access.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }),
            case .number(let expiresIn)? = fields["expiresIn"], expiresIn > 0
        else {
            // Not worth asking again: the same request gets the same answer.
            throw CredentialError.endpointRefused(
                source: source,
                reason: "CreateToken's answer holds no usable token (an accessToken and a positive expiresIn)")
        }
        return Token(
            accessToken: access, expiresIn: Int(min(expiresIn, 366 * 86400)),
            refreshToken: Self.string(fields["refreshToken"]))
    }

    /// POSTs `body` as JSON to `path`; the status and the answer's JSON object (empty when it is none).
    func post(_ path: String, _ body: [String: JSONValue], what: String) throws -> (
        Int, [String: JSONValue]
    ) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let request = HTTPRequest(
            method: "POST", url: endpoint + path,
            headers: [
                HTTPHeader(name: "Content-Type", value: "application/json"),
                HTTPHeader(name: "User-Agent", value: EKSAuthVersion.userAgent),
            ],
            body: Array(try encoder.encode(JSONValue.object(body))), timeout: 10)
        let policy = RetryPolicy(
            maxAttempts: 1, attemptTimeout: 10, sleep: system.sleep, random: system.random,
            notice: system.notice)
        system.tracer("sso-oidc: \(what) at \(endpoint)\(path)")
        let exchange = try policy.exchange(
            via: system.http(), what: "IAM Identity Center \(what)", pause: { 0.5 * Double($0) },
            retryReason: { response in
                guard response.status == 429 || response.status >= 500 else { return nil }
                return "HTTP \(response.status)"
            },
            make: { _ in request })
        guard case .answered(let response, _) = exchange else {
            throw CredentialError.endpointFailed(source: source, reason: exchange.failureReason ?? "no answer")
        }
        var fields: [String: JSONValue] = [:]
        if case .object(let object)? = try? JSONDecoder().decode(JSONValue.self, from: Data(response.body)) {
            fields = object
        } else if response.status == 200 {
            throw CredentialError.endpointFailed(source: source, reason: "\(what)'s answer is not a JSON object")
        }
        if let type = response.header("x-amzn-ErrorType"), fields["__type"] == nil {
            fields["__type"] = .string(String(type.split(separator: ":").first ?? ""))
        }
        return (response.status, fields)
    }

    func refusal(_ status: Int, _ fields: [String: JSONValue], what: String) -> CredentialError {
        let words = [Self.errorType(fields), Self.string(fields["error"]), Self.string(fields["error_description"])]
            .compactMap { $0 }.map { TerminalText.line($0, limit: 200) }.joined(separator: ": ")
        let reason = "\(what) answered HTTP \(status)\(words.isEmpty ? "" : " \(words)")"
        return status == 429 || status >= 500
            ? .endpointFailed(source: source, reason: reason) : .endpointRefused(source: source, reason: reason)
    }

    /// A non-empty string of at most `maxFieldLength` characters, else nil.
    static func string(_ value: JSONValue?) -> String? {
        guard case .string(let text)? = value, !text.isEmpty, text.utf8.count <= maxFieldLength else { return nil }
        return text
    }

    /// The error shape's name (`__type` or the `x-amzn-ErrorType` header), namespace dropped.
    static func errorType(_ fields: [String: JSONValue]) -> String? {
        guard let type = string(fields["__type"]) else { return nil }
        return String(type.split(separator: "#").last ?? "")
    }
}
