import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

/// Credentials of the EC2 instance's role from the instance metadata service, IMDSv2 only unless
/// v1 is allowed: a token PUT, then the role name and its credentials. Short timeouts, so that off
/// EC2 the chain gives up in about a second.
public struct InstanceMetadataProvider: CredentialProvider {
    /// A request that got no usable answer, and why.
    struct Unanswered: Error {
        var reason: String
    }

    static let defaultEndpoint = "http://169.254.169.254"
    static let ipv6Endpoint = "http://[fd00:ec2::254]"
    static let tokenTTL = "21600"

    let system: SystemContext
    let profile: Profile?
    let wantRegion: Bool

    /// A provider reading the variables of `system` and the keys of `profile`; `wantRegion` asks
    /// for the instance's region too (put in the credentials' `region`).
    public init(system: SystemContext, profile: Profile?, wantRegion: Bool = false) {
        self.system = system
        self.profile = profile
        self.wantRegion = wantRegion
    }

    /// The instance role's credentials (and region, when wanted); passed over when the service is
    /// off, absent or has no role for this instance.
    /// - Throws: `CredentialError.invalidValue` for bad settings; never for a service that is not there.
    public func credentials() throws -> ProviderOutcome {
        try fetch(wantRegion: wantRegion)
    }

    /// A setting from its variable, else the profile's key.
    func setting(_ variable: String, _ key: String) -> (value: String, source: String)? {
        system.environment.setting(variable, key: key, profile: profile)
    }

    /// Whether `AWS_EC2_METADATA_DISABLED` turns the service off.
    public var isDisabled: Bool {
        system.environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() == "true"
    }

    /// The service's base URL.
    /// - Throws: `CredentialError.invalidValue` for a bad endpoint or mode.
    public func endpoint() throws -> String {
        if let (url, source) = setting("AWS_EC2_METADATA_SERVICE_ENDPOINT", "ec2_metadata_service_endpoint") {
            guard Endpoint(url: url) != nil else {
                throw CredentialError.invalidValue(name: source, source: "the configuration", expected: "an http URL")
            }
            return url.hasSuffix("/") ? String(url.dropLast()) : url
        }
        guard
            let (mode, source) = setting(
                "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "ec2_metadata_service_endpoint_mode")
        else { return Self.defaultEndpoint }
        switch mode.lowercased() {
        case "ipv4": return Self.defaultEndpoint
        case "ipv6": return Self.ipv6Endpoint
        default: throw CredentialError.invalidValue(name: source, source: "the configuration", expected: "IPv4 or IPv6")
        }
    }

    /// Per-request timeout in seconds (default 1) and attempts per request (default 1).
    func limits() throws -> (timeout: Double, attempts: Int) {
        var timeout = 1.0
        var attempts = 1
        if let (value, source) = setting("AWS_METADATA_SERVICE_TIMEOUT", "metadata_service_timeout") {
            guard let seconds = Double(value), seconds > 0, seconds <= 60 else {
                throw CredentialError.invalidValue(
                    name: source, source: "the configuration", expected: "a number of seconds (0-60)")
            }
            timeout = seconds
        }
        if let (value, source) = setting("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "metadata_service_num_attempts") {
            guard let count = Int(value), (1...10).contains(count) else {
                throw CredentialError.invalidValue(name: source, source: "the configuration", expected: "1 to 10")
            }
            attempts = count
        }
        return (timeout, attempts)
    }

    /// Whether a refused token may fall back to IMDSv1: only when `AWS_EC2_METADATA_V1_DISABLED` (or
    /// `ec2_metadata_v1_disabled`) is explicitly `false`.
    var allowsV1: Bool {
        setting("AWS_EC2_METADATA_V1_DISABLED", "ec2_metadata_v1_disabled")?.value.lowercased() == "false"
    }

    /// Looks the credentials up (and the region, when `wantRegion`, into the credentials' `region`).
    /// - Throws: `CredentialError.invalidValue` for bad settings; never for a service that is not there.
    func fetch(wantRegion: Bool) throws -> ProviderOutcome {
        if isDisabled { return .passedOver("AWS_EC2_METADATA_DISABLED is true") }
        let base = try endpoint()
        let (timeout, attempts) = try limits()
        let http = system.http()
        let policy = RetryPolicy(
            maxAttempts: attempts, attemptTimeout: timeout, sleep: system.sleep, random: system.random,
            notice: system.notice)
        func send(_ method: String, _ path: String, _ headers: [HTTPHeader]) -> Result<HTTPResponse, Unanswered> {
            let exchange: RetriedExchange
            do {
                exchange = try policy.exchange(
                    via: http, what: "instance metadata \(base)\(path)", pause: { 0.1 * Double($0 + 1) },
                    retryReason: { $0.status >= 500 ? "HTTP \($0.status)" : nil },
                    make: { _ in HTTPRequest(method: method, url: base + path, headers: headers, timeout: timeout) })
            } catch {
                return .failure(Unanswered(reason: "no answer from \(base)"))
            }
            switch exchange {
            case .answered(let response, _) where response.status >= 500:
                return .failure(Unanswered(reason: "HTTP \(response.status) from \(base)\(path)"))
            case .answered(let response, _):
                return .success(response)
            case .unanswered(.timedOut, _, _):
                return .failure(
                    Unanswered(reason: "no answer from \(base) within \(HTTPTransportError.seconds(timeout))"))
            case .unanswered(.connectionFailed(let why), _, _):
                return .failure(Unanswered(reason: "no answer from \(base) (\(why))"))
            }
        }
        var headers: [HTTPHeader] = []
        switch send(
            "PUT", "/latest/api/token", [HTTPHeader(name: "x-aws-ec2-metadata-token-ttl-seconds", value: Self.tokenTTL)]
        ) {
        case .failure(let failure): return .passedOver(failure.reason)
        case .success(let response) where response.status == 200 && !response.body.isEmpty:
            headers = [HTTPHeader(name: "x-aws-ec2-metadata-token", value: response.text)]
        case .success(let response):
            guard [403, 404, 405].contains(response.status), allowsV1 else {
                return .passedOver(
                    "the IMDSv2 token request to \(base) got HTTP \(response.status)"
                        + (allowsV1 ? "" : " (IMDSv1 is off; AWS_EC2_METADATA_V1_DISABLED=false allows it)"))
            }
            system.tracer("credentials: instance metadata token refused (HTTP \(response.status)); using IMDSv1")
        }
        let rolePath = "/latest/meta-data/iam/security-credentials/"
        let role: String
        switch send("GET", rolePath, headers) {
        case .failure(let failure): return .passedOver(failure.reason)
        case .success(let response):
            guard response.status == 200,
                let first = response.text.split(whereSeparator: { $0.isNewline }).first?.trimmingWhitespace(),
                !first.isEmpty
            else {
                return .passedOver(
                    response.status == 404
                        ? "the instance has no IAM role (instance profile)"
                        : "HTTP \(response.status) for the role name from \(base)")
            }
            role = String(first)
        }
        let credentials: AWSCredentials
        switch send("GET", rolePath + SigV4Signer.uriEncode(role), headers) {
        case .failure(let failure): return .passedOver(failure.reason)
        case .success(let response):
            guard response.status == 200, let reply = EndpointCredentialsReply.decode(response.body) else {
                return .passedOver("HTTP \(response.status) or no JSON for the credentials of role \(role)")
            }
            switch reply.credentials() {
            case .success(let found): credentials = found
            case .failure(let problem):
                return .passedOver("the credentials of role \(role) are unusable: \(problem.reason)")
            }
        }
        var region: String?
        if wantRegion, case .success(let response) = send("GET", "/latest/meta-data/placement/region", headers),
            response.status == 200
        {
            let text = response.text.trimmingWhitespace()
            if Region.isValid(text) { region = text }
        }
        return .found(
            ResolvedCredentials(
                credentials: credentials, source: .instanceMetadata(endpoint: base, role: role), region: region))
    }
}
