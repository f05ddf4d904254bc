import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Parameters of STS AssumeRole.
public struct AssumeRoleParameters: Sendable, Equatable {
    /// The role to assume.
    public var roleARN: String
    /// The role session name.
    public var sessionName: String
    /// The external id the role's trust policy may require.
    public var externalID: String?
    /// Session length in seconds.
    public var durationSeconds: Int?
    /// MFA device serial number or ARN.
    public var serialNumber: String?
    /// The current MFA code.
    public var tokenCode: String?

    /// Parameters from parts.
    public init(
        roleARN: String, sessionName: String, externalID: String? = nil, durationSeconds: Int? = nil,
        serialNumber: String? = nil, tokenCode: String? = nil
    ) {
        self.roleARN = roleARN
        self.sessionName = sessionName
        self.externalID = externalID
        self.durationSeconds = durationSeconds
        self.serialNumber = serialNumber
        self.tokenCode = tokenCode
    }
}

/// The temporary credentials of an assumed role and the session's ARN.
public struct AssumedRole: Sendable, Equatable {
    /// The credentials (with session token and expiry).
    public var credentials: AWSCredentials
    /// `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`.
    public var assumedRoleARN: String
}

/// The answer of GetCallerIdentity.
public struct CallerIdentity: Sendable, Equatable {
    /// The 12-digit account id.
    public var account: String
    /// The caller's ARN.
    public var arn: String
    /// The caller's unique id (`AIDA…`, `AROA…:session`, …).
    public var userID: String

    /// An identity from parts.
    public init(account: String, arn: String, userID: String) {
        self.account = account
        self.arn = arn
        self.userID = userID
    }
}

/// A client of the STS Query API: POST, form body, SigV4 header signing, XML answers, retries.
public struct STSClient: Sendable {
    /// The STS API version every Query call (and the token's presigned GetCallerIdentity) names.
    public static let apiVersion = "2011-06-15"
    /// How long STS accepts a presigned URL after its `X-Amz-Date`, whatever `X-Amz-Expires` says.
    public static let presignedURLValidity: TimeInterval = 15 * 60

    /// The endpoint and signing region.
    public var endpoint: ServiceEndpoint { query.endpoint }
    var query: QueryProtocolClient

    /// A client for `endpoint` over `http`.
    public init(
        endpoint: ServiceEndpoint, http: HTTPClient, clock: WallClock, retry: RetryPolicy, tracer: Tracer = .silent
    ) {
        self.query = QueryProtocolClient(
            service: "sts", apiVersion: Self.apiVersion, endpoint: endpoint, http: http, clock: clock,
            retry: retry, tracer: tracer)
    }

    /// The client every command uses: the STS endpoint of `settings`, the network, clock and trace of
    /// `system`, and the retry policy its environment asks for.
    /// - Throws: `ConfigError` for a bad `AWS_MAX_ATTEMPTS` or `EKS_AUTH_HTTP_TIMEOUT`.
    public init(settings: AWSSettings, system: SystemContext) throws {
        self.init(
            endpoint: settings.stsEndpoint, http: system.http(), clock: system.clock, retry: try system.retryPolicy(),
            tracer: system.tracer)
    }

    /// The same client making one attempt per call.
    public func withSingleAttempt() -> STSClient {
        var copy = self
        copy.query.retry.maxAttempts = 1
        return copy
    }

    /// The longest one call can take with every attempt and backoff, in seconds.
    public var retryBudget: Double { query.retryBudget }

    /// Calls AssumeRole as `credentials`.
    /// - Throws: `AWSServiceError`.
    public func assumeRole(_ parameters: AssumeRoleParameters, as credentials: AWSCredentials) throws -> AssumedRole {
        var form: [(name: String, value: String)] = [
            ("RoleArn", parameters.roleARN), ("RoleSessionName", parameters.sessionName),
        ]
        if let duration = parameters.durationSeconds { form.append(("DurationSeconds", String(duration))) }
        if let externalID = parameters.externalID { form.append(("ExternalId", externalID)) }
        if let serial = parameters.serialNumber { form.append(("SerialNumber", serial)) }
        if let code = parameters.tokenCode { form.append(("TokenCode", code)) }
        let xml = try call("AssumeRole", form, as: credentials, roleARN: parameters.roleARN)
        return try assumedRole(in: xml, operation: "AssumeRole")
    }

    /// Calls AssumeRoleWithWebIdentity, unsigned: the web identity token is the proof.
    /// - Throws: `AWSServiceError`.
    public func assumeRoleWithWebIdentity(
        roleARN: String, sessionName: String, webIdentityToken: String, durationSeconds: Int? = nil
    ) throws -> AssumedRole {
        var form: [(name: String, value: String)] = [
            ("RoleArn", roleARN), ("RoleSessionName", sessionName), ("WebIdentityToken", webIdentityToken),
        ]
        if let duration = durationSeconds { form.append(("DurationSeconds", String(duration))) }
        let xml = try query.call("AssumeRoleWithWebIdentity", form, as: nil, roleARN: roleARN)
        return try assumedRole(in: xml, operation: "AssumeRoleWithWebIdentity")
    }

    func assumedRole(in xml: XMLText, operation: String) throws -> AssumedRole {
        guard let keyID = xml.value(at: "Credentials", "AccessKeyId"),
            let secret = xml.value(at: "Credentials", "SecretAccessKey"),
            let token = xml.value(at: "Credentials", "SessionToken"),
            let expiration = xml.value(at: "Credentials", "Expiration").flatMap(Timestamp.parseISO8601)
        else {
            throw AWSServiceError.malformedResponse(
                service: "sts", operation: operation, endpoint: "\(endpoint.endpoint)", status: 200)
        }
        return AssumedRole(
            credentials: AWSCredentials(
                accessKeyID: keyID, secretAccessKey: secret, sessionToken: token, expiration: expiration),
            assumedRoleARN: xml.value(at: "AssumedRoleUser", "Arn") ?? "")
    }

    /// Calls GetCallerIdentity as `credentials`.
    /// - Throws: `AWSServiceError`.
    public func callerIdentity(as credentials: AWSCredentials) throws -> CallerIdentity {
        let xml = try call("GetCallerIdentity", [], as: credentials, roleARN: nil)
        guard let arn = xml.value(at: "GetCallerIdentityResult", "Arn"),
            let account = xml.value(at: "GetCallerIdentityResult", "Account")
        else {
            throw AWSServiceError.malformedResponse(
                service: "sts",
                operation: "GetCallerIdentity", endpoint: "\(endpoint.endpoint)", status: 200)
        }
        return CallerIdentity(
            account: account, arn: arn, userID: xml.value(at: "GetCallerIdentityResult", "UserId") ?? "")
    }

    func call(
        _ operation: String, _ parameters: [(name: String, value: String)], as credentials: AWSCredentials,
        roleARN: String?
    ) throws -> XMLText {
        try query.call(operation, parameters, as: credentials, roleARN: roleARN)
    }
}
