import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

/// Credentials from the ECS container agent or the EKS Pod Identity agent:
/// `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (on 169.254.170.2) or `AWS_CONTAINER_CREDENTIALS_FULL_URI`,
/// with the `Authorization` header from `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` (read each time)
/// or `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
public struct ContainerCredentialProvider: CredentialProvider {
    /// The ECS agent's address, for relative URIs.
    static let ecsHost = "169.254.170.2"
    /// Hosts a plain-http full URI may name besides loopback: the ECS and EKS Pod Identity agents.
    static let agentHosts: Set<String> = ["169.254.170.2", "169.254.170.23", "fd00:ec2::23", "[fd00:ec2::23]"]
    /// Per-attempt timeout, attempts and pause between them (botocore's values).
    static let timeout = 2.0
    static let attempts = 3
    static let pause = 1.0

    let system: SystemContext

    /// A provider reading the variables of `system`.
    public init(system: SystemContext) {
        self.system = system
    }

    /// The URL to ask; nil when neither variable is set.
    /// - Throws: `CredentialError.invalidValue` for a URL that is not allowed.
    public func endpoint() throws -> String? {
        let env = system.environment
        if let relative = env["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] {
            let path = relative.hasPrefix("/") ? relative : "/" + relative
            return "http://\(Self.ecsHost)\(path)"
        }
        guard let full = env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] else { return nil }
        let variable = "AWS_CONTAINER_CREDENTIALS_FULL_URI"
        guard let endpoint = Endpoint(url: String(full.prefix { $0 != "?" })) else {
            throw CredentialError.invalidValue(name: variable, source: "the environment", expected: "an http(s) URL")
        }
        guard endpoint.scheme == "https" || Self.isAllowedHTTPHost(endpoint.host.lowercased()) else {
            throw CredentialError.invalidValue(
                name: variable, source: "the environment",
                expected: "https, or http to a loopback address, 169.254.170.2, 169.254.170.23 or fd00:ec2::23 "
                    + "(not \(endpoint.host))")
        }
        return full.trimmingWhitespace()
    }

    static func isAllowedHTTPHost(_ host: String) -> Bool {
        if agentHosts.contains(host) || host == "localhost" || host == "::1" || host == "[::1]" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    /// The credentials; passed over when no container endpoint is configured.
    /// - Throws: `CredentialError` when the endpoint is configured but fails or refuses.
    public func credentials() throws -> ProviderOutcome {
        guard let url = try endpoint() else {
            return .passedOver("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and _FULL_URI not set")
        }
        var headers = [HTTPHeader(name: "Accept", value: "application/json")]
        if let authorization = try authorization() {
            headers.append(HTTPHeader(name: "Authorization", value: authorization))
        }
        let endpointName = "the container credentials endpoint \(url)"
        let policy = RetryPolicy(
            maxAttempts: Self.attempts, attemptTimeout: Self.timeout, sleep: system.sleep, random: system.random,
            notice: system.notice)
        var found: AWSCredentials?
        var lastProblem: String?
        let exchange = try policy.exchange(
            via: system.http(), what: endpointName, pause: { _ in Self.pause },
            retryReason: { response in
                found = nil
                lastProblem = Self.problem(with: response, found: &found)
                return lastProblem
            },
            make: { _ in HTTPRequest(method: "GET", url: url, headers: headers, timeout: Self.timeout, usesProxy: false)
            })
        var reason = exchange.failureReason ?? ""
        if case .answered(let response, _) = exchange {
            if (400..<500).contains(response.status) {
                throw CredentialError.endpointRefused(
                    source: endpointName, reason: "HTTP \(response.status) \(errorExcerpt(response.body))")
            }
            if let found { return .found(ResolvedCredentials(credentials: found, source: .container(url: url))) }
            reason = lastProblem ?? reason
        }
        throw CredentialError.endpointFailed(
            source: endpointName, reason: "\(reason) (after \(Self.attempts) attempts)")
    }

    /// Why `response` is worth another attempt, or nil: usable credentials (put in `found`) or a 4xx.
    static func problem(with response: HTTPResponse, found: inout AWSCredentials?) -> String? {
        if (400..<500).contains(response.status) { return nil }
        guard response.status == 200 else { return "HTTP \(response.status)" }
        guard let reply = EndpointCredentialsReply.decode(response.body) else {
            return "the answer is not JSON credentials"
        }
        switch reply.credentials() {
        case .success(let credentials):
            found = credentials
            return nil
        case .failure(let problem): return "the answer is unusable: \(problem.reason)"
        }
    }

    /// The `Authorization` value: the token file's content (trimmed) wins over the variable.
    func authorization() throws -> String? {
        let env = system.environment
        var value: String?
        var origin = "AWS_CONTAINER_AUTHORIZATION_TOKEN"
        if let path = env["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] {
            origin = "the file \(path) (AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE)"
            let purpose = "the container authorization token file (AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE)"
            do {
                guard let bytes = try system.fileSystem.read(path) else {
                    throw CredentialError.unreadableFile(path: path, purpose: purpose, reason: "no such file")
                }
                value = String(decoding: bytes, as: UTF8.self).trimmingWhitespace()
            } catch let error as FileSystemError {
                throw CredentialError.unreadableFile(path: path, purpose: purpose, reason: error.reason)
            }
        } else {
            value = env["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
        }
        if let value, value.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) {
            throw CredentialError.invalidValue(
                name: "container authorization token", source: origin, expected: "a single line")
        }
        return value
    }
}
