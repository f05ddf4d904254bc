import AWSConfiguration
import AWSSigning
import EKSAuthSystem

/// How STS calls are retried: a bounded number of attempts with capped exponential backoff and
/// full jitter, for throttling, 5xx answers and connection failures only.
public struct RetryPolicy: Sendable {
    /// Attempts in all, the first included (`AWS_MAX_ATTEMPTS`, default 3 as in the SDKs' standard mode).
    public var maxAttempts: Int
    /// The backoff cap before jitter for attempt n is `min(maxDelay, baseDelay * 2^(n-1))` seconds.
    public var baseDelay: Double
    /// The largest backoff, in seconds.
    public var maxDelay: Double
    /// The time each attempt may take, in seconds (`EKS_AUTH_HTTP_TIMEOUT`, default 5).
    public var attemptTimeout: Double
    /// Sleeps for the given seconds (injected so tests do not wait).
    public var sleep: @Sendable (Double) -> Void
    /// A random number in 0..<1 (injected so tests are repeatable).
    public var random: @Sendable () -> Double
    /// Told of each retry before its pause, always (not only with `--verbose`): a long wait is never
    /// silent. A sentence and its fields; never a secret.
    public var notice: @Sendable (String, TraceFields) -> Void

    /// Status codes worth another try (the SDKs' list).
    static let retryableStatus: Set<Int> = [429, 500, 502, 503, 504, 509]
    /// Error codes worth another try: throttling and transient failures (the SDKs' standard mode list).
    static let retryableCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
        "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled", "SlowDown",
        "PriorRequestNotComplete", "EC2ThrottledException", "RequestTimeout", "RequestTimeoutException",
        "IDPCommunicationError", "InternalFailure", "ServiceUnavailable",
    ]

    /// A policy from parts.
    public init(
        maxAttempts: Int = 3, baseDelay: Double = 0.2, maxDelay: Double = 5, attemptTimeout: Double = 5,
        sleep: @escaping @Sendable (Double) -> Void, random: @escaping @Sendable () -> Double,
        notice: @escaping @Sendable (String, TraceFields) -> Void = { _, _ in }
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.attemptTimeout = attemptTimeout
        self.sleep = sleep
        self.random = random
        self.notice = notice
    }

    /// The policy the environment asks for: `AWS_MAX_ATTEMPTS` and `EKS_AUTH_HTTP_TIMEOUT`.
    /// - Throws: `ConfigError.invalidSetting` for values that are not positive numbers.
    public static func from(
        environment: Environment, sleep: @escaping @Sendable (Double) -> Void,
        random: @escaping @Sendable () -> Double,
        notice: @escaping @Sendable (String, TraceFields) -> Void = { _, _ in }
    ) throws -> RetryPolicy {
        var policy = RetryPolicy(sleep: sleep, random: random, notice: notice)
        if let value = environment["AWS_MAX_ATTEMPTS"] {
            guard let attempts = Int(value), (1...10).contains(attempts) else {
                throw ConfigError.invalidSetting(
                    name: "AWS_MAX_ATTEMPTS", value: value, source: "the environment", expected: "a number from 1 to 10"
                )
            }
            policy.maxAttempts = attempts
        }
        if let value = environment["EKS_AUTH_HTTP_TIMEOUT"] {
            guard let seconds = Double(value), seconds > 0, seconds <= 300 else {
                throw ConfigError.invalidSetting(
                    name: "EKS_AUTH_HTTP_TIMEOUT", value: value, source: "the environment",
                    expected: "seconds, more than 0 and at most 300")
            }
            policy.attemptTimeout = seconds
        }
        return policy
    }

    /// The pause before attempt `attempt + 1`, after `attempt` failed.
    public func delay(afterAttempt attempt: Int) -> Double {
        let cap = min(maxDelay, baseDelay * Double(1 << min(attempt - 1, 20)))
        return random() * cap
    }

    /// Whether a response with `status` and error `code` should be tried again.
    public static func isRetryable(status: Int, code: String?) -> Bool {
        if let code, retryableCodes.contains(code) { return true }
        return retryableStatus.contains(status)
    }
}

/// What came of sending one request with retries.
public enum RetriedExchange: Sendable {
    /// An answer for the caller to judge: one not worth retrying, or the last attempt's.
    case answered(HTTPResponse, attempt: Int)
    /// No answer at any attempt: the last transport failure, and how long each attempt was allowed.
    case unanswered(HTTPTransportError, timeout: Double, attempts: Int)

    /// The transport failure in words (`no answer within 2 s`, `connection refused`); nil for an answer.
    public var failureReason: String? {
        if case .unanswered(let error, let timeout, _) = self { return error.reason(timeout: timeout) }
        return nil
    }
}

extension RetryPolicy {
    /// The one retry loop of every client (STS, IAM, EKS, SSO, container endpoint, instance metadata):
    /// sends what `make(attempt)` builds (anew each time, so signatures carry the time), again after a
    /// transport failure or an answer `retryReason` objects to, until `maxAttempts`. Before each retry
    /// it waits `pause(failedAttempt)` (default: this policy's backoff with jitter), and says so through
    /// `notice`: `STS AssumeRole: no answer within 5 s; retrying in 150 ms (attempt 2 of 3)`, naming the
    /// call `what`. Errors other than `HTTPTransportError` (a bad proxy setting) are thrown at once.
    public func exchange(
        via http: HTTPClient, what: String, pause: ((Int) -> Double)? = nil,
        retryReason: (HTTPResponse) -> String?, make: (Int) -> HTTPRequest
    ) throws -> RetriedExchange {
        var last: (error: HTTPTransportError, timeout: Double)?
        var reason = ""
        for attempt in 1...maxAttempts {
            if attempt > 1 {
                let wait = pause?(attempt - 1) ?? delay(afterAttempt: attempt - 1)
                notice(
                    "\(what): \(reason); retrying in \(DurationText.pause(wait)) (attempt \(attempt) of \(maxAttempts))",
                    [
                        "call": what, "reason": reason, "retryInMilliseconds": String(Int(wait * 1000)),
                        "attempt": String(attempt), "maxAttempts": String(maxAttempts),
                    ])
                sleep(wait)
            }
            let request = make(attempt)
            let response: HTTPResponse
            do {
                response = try http.send(request)
            } catch let error as HTTPTransportError {
                last = (error, request.timeout)
                reason = error.reason(timeout: request.timeout)
                continue
            }
            // Judged at every attempt, the last too, so a caller may keep what it read from the answer.
            let why = retryReason(response)
            if attempt < maxAttempts, let why {
                reason = why
                continue
            }
            return .answered(response, attempt: attempt)
        }
        // Only a transport failure at the last attempt ends the loop here, so `last` is set.
        return .unanswered(last!.error, timeout: last!.timeout, attempts: maxAttempts)
    }
}
