import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// How far this machine's clock is from AWS's, learned from the `Date` header of AWS's replies and kept in
/// the cache directory (`clock-skew.json`), so that tokens made later, even without any AWS call, are
/// signed with AWS's time.
///
/// Why: the EKS authenticator accepts a token for 15 minutes from its `X-Amz-Date` and STS refuses
/// signatures more than 5 minutes off its clock, so a laptop clock a few minutes wrong makes good
/// credentials fail (a clock behind shortens every token's life; one ahead breaks it). botocore corrects
/// nothing; the Go SDK v2 retries with a learned offset. Here the offset is used from the next call on,
/// by every signature (token, AssumeRole, EKS) and every expiry check.
public struct ClockSkew: Sendable, Equatable {
    /// Seconds to add to this machine's clock to get AWS's: positive when the machine is behind.
    public var offset: Int
    /// When it was learned, by this machine's own clock.
    public var learnedAt: Date
    /// The host whose reply it came from.
    public var host: String
    /// The boot clock (seconds since boot, which nobody sets) when it was learned; nil if unreadable.
    public var boot: Double?

    /// The file in the cache directory.
    public static let fileName = "clock-skew.json"
    /// Below this many seconds the clock is used as it is: a Date header has whole seconds and a round
    /// trip can take a few, and a small offset costs nothing (STS allows 5 minutes).
    public static let threshold = 30
    /// An offset older than this (seconds) is no longer used.
    public static let maximumAge: Double = 24 * 3600
    /// Offsets larger than this (seconds, a week) are not learned: a reply that far off is more likely a
    /// wrong server than a wrong clock.
    public static let maximumOffset = 7 * 86400
    /// How far the wall clock may have moved against the boot clock since the learning (seconds) before
    /// the offset is dropped: more means the clock was set (an NTP step) or the machine restarted.
    static let maximumDrift: Double = 30
    /// Replies slower than this (seconds) do not say when their Date was written precisely enough.
    static let maximumRoundTrip: Double = 10
    /// The largest file read.
    static let maximumFileSize = 1024

    /// A skew from parts.
    public init(offset: Int, learnedAt: Date, host: String, boot: Double? = nil) {
        self.offset = offset
        self.learnedAt = learnedAt
        self.host = host
        self.boot = boot
    }

    /// What the reply to a request sent at `sent` and received at `received` (this machine's clock)
    /// says: the server's second is truncated, so its middle is compared with the middle of the
    /// exchange. Nil without a readable Date header or after a slow round trip.
    public static func measure(_ response: HTTPResponse, sent: Date, received: Date, host: String) -> ClockSkew? {
        let trip = received.timeIntervalSince(sent)
        guard trip >= 0, trip <= maximumRoundTrip, let header = response.header("Date"),
            let server = HTTPDate.parse(header)
        else { return nil }
        let local = sent.addingTimeInterval(trip / 2)
        let offset = server.addingTimeInterval(0.5).timeIntervalSince(local)
        guard offset.magnitude <= Double(maximumOffset) else { return nil }
        return ClockSkew(offset: Int(offset.rounded(.toNearestOrEven)), learnedAt: local, host: host)
    }

    /// Whether tokens made at `now` (this machine's clock; `boot` the boot clock then) are signed with the
    /// corrected time: the offset is large enough, learned within `maximumAge`, and the wall clock has
    /// kept pace with the boot clock since (it was not set right, and the machine did not restart).
    public func applies(at now: Date, boot bootNow: Double?) -> Bool {
        let age = now.timeIntervalSince(learnedAt)
        guard offset.magnitude >= Self.threshold, age >= -60, age <= Self.maximumAge else { return false }
        guard let boot, let bootNow else { return true }
        return (age - (bootNow - boot)).magnitude <= Self.maximumDrift
    }

    /// `N s behind` or `N s ahead of`, for messages.
    public var direction: String {
        offset > 0 ? "\(DurationText.spoken(offset)) behind" : "\(DurationText.spoken(-offset)) ahead of"
    }

    /// The report `decode` and `verify` give: how far off the clock is, from whom, and what eks-auth does.
    public var report: String {
        "this machine's clock is \(direction) AWS's (the Date header of \(host) at "
            + "\(Timestamp.rfc3339(learnedAt))): eks-auth signs and checks times with the corrected clock; set the "
            + "clock right (e.g. 'timedatectl set-ntp true') for other tools"
    }

    /// The path of the file for `environment`.
    static func path(in environment: Environment) -> String {
        "\(CredentialCache.directory(in: environment))/\(fileName)"
    }

    /// The stored skew, if the file is ours (a regular file of this user, not a link, not readable by others) and
    /// well-formed; nil otherwise. Cost when there is none: one `open` that finds no file.
    public static func load(system: SystemContext) -> ClockSkew? {
        let path = Self.path(in: system.environment)
        // A link is not ours even when its target is: never read through one.
        guard let bytes = try? system.fileSystem.read(path), bytes.count <= maximumFileSize,
            !system.fileSystem.isSymbolicLink(path),
            let status = try? system.fileSystem.status(of: path), status.isRegularFile,
            status.ownerID == system.fileSystem.currentUserID, status.mode & 0o077 == 0,
            let object = JSONText.parse(bytes)?.object,
            case .integer(let offset)? = object["offset"],
            case .string(let at)? = object["learnedAt"], let learnedAt = Timestamp.parseISO8601(at),
            case .string(let host)? = object["host"], offset.magnitude <= maximumOffset
        else { return nil }
        var boot: Double?
        if case .integer(let milliseconds)? = object["bootMilliseconds"] { boot = Double(milliseconds) / 1000 }
        return ClockSkew(offset: offset, learnedAt: learnedAt, host: host, boot: boot)
    }

    /// Writes the skew to the cache directory (0600, atomically); a cache that cannot be used is skipped.
    func save(system: SystemContext) {
        let text =
            "{\"offset\":\(offset),\"learnedAt\":\(JSONText.quote(Timestamp.rfc3339(learnedAt))),"
            + "\"host\":\(JSONText.quote(host))"
            + (boot.map { ",\"bootMilliseconds\":\(Int(($0 * 1000).rounded()))" } ?? "") + "}\n"
        let directory = CredentialCache.directory(in: system.environment)
        let cache = CredentialCache(directory: directory, fileSystem: system.fileSystem, warn: { _ in })
        guard cache.directoryIsUsable(warn: { _ in }) else { return }
        try? system.fileSystem.createDirectory(directory, mode: 0o700)
        try? system.fileSystem.writeAtomically(Array(text.utf8), to: Self.path(in: system.environment), mode: 0o600)
    }
}

/// An HTTP client that learns the clock skew from the replies to AWS requests (signed with SigV4, or
/// with an IAM Identity Center bearer token) and stores it when it matters: when it is over the
/// threshold, or when a stored one is now wrong (so a clock set right clears it). At most one write a
/// process. Replies from instance metadata, container endpoints, proxies and Kubernetes are not used.
public final class ClockSkewObserver: HTTPClient {
    let inner: HTTPClient
    let system: SystemContext
    /// This machine's clock, uncorrected.
    let rawClock: WallClock
    /// The boot clock, in seconds (see `ClockSkew.boot`).
    let bootClock: @Sendable () -> Double?
    let state: Mutex<(stored: ClockSkew?, latest: ClockSkew?, saved: Bool)>

    /// Watches the replies of `inner`; `stored` is what the cache directory held when the process began.
    public init(
        inner: HTTPClient, system: SystemContext, rawClock: WallClock, bootClock: @escaping @Sendable () -> Double?,
        stored: ClockSkew?
    ) {
        self.inner = inner
        self.system = system
        self.rawClock = rawClock
        self.bootClock = bootClock
        self.state = Mutex((stored, nil, false))
    }

    /// The last skew measured in this process, if any.
    public var latest: ClockSkew? { state.withLock { $0.latest } }

    public func send(_ request: HTTPRequest) throws -> HTTPResponse {
        let sent = rawClock.now()
        let response = try inner.send(request)
        guard Self.isAWSRequest(request), let host = Self.host(of: request.url),
            Self.isAWSHost(host, environment: system.environment), response.status < 500,
            var measured = ClockSkew.measure(response, sent: sent, received: rawClock.now(), host: host)
        else { return response }
        measured.boot = bootClock()
        let save: Bool = state.withLock { state in
            state.latest = measured
            guard !state.saved else { return false }
            let worth: Bool
            if let stored = state.stored {
                worth =
                    (measured.offset - stored.offset).magnitude >= 2
                    || measured.learnedAt.timeIntervalSince(stored.learnedAt) > 3600
            } else {
                worth = measured.offset.magnitude >= ClockSkew.threshold
            }
            if worth { state.saved = true }
            return worth
        }
        if save {
            measured.save(system: system)
            system.tracer(
                "clock: this machine's clock is \(measured.direction) \(host)'s (its Date header); noted in "
                    + "\(ClockSkew.fileName)"
                    + (measured.offset.magnitude >= ClockSkew.threshold ? ", signatures use the corrected time" : ""),
                fields: ["offset": "\(measured.offset)", "host": host])
        }
        return response
    }

    /// Whether `request` goes to AWS itself: SigV4-signed (header or query) or an SSO portal call.
    static func isAWSRequest(_ request: HTTPRequest) -> Bool {
        request.headers.contains {
            let name = $0.name.lowercased()
            return (name == "authorization" && $0.value.hasPrefix("AWS4-HMAC-SHA256"))
                || name == "x-amz-sso_bearer_token"
        } || request.url.contains("X-Amz-Signature=")
    }

    /// Whether `host` is AWS's own (`*.amazonaws.com`, `*.amazonaws.com.cn`, `*.api.aws`, …) or one an
    /// `AWS_ENDPOINT_URL*` variable names: another server's clock is not AWS's time.
    static func isAWSHost(_ host: String, environment: Environment) -> Bool {
        let lower = host.lowercased()
        for suffix in [
            ".amazonaws.com", ".amazonaws.com.cn", ".api.aws", ".c2s.ic.gov", ".sc2s.sgov.gov", ".cloud.adc-e.uk",
        ]
        where lower.hasSuffix(suffix) {
            return true
        }
        return environment.variables.contains { name, value in
            name.hasPrefix("AWS_ENDPOINT_URL") && ParsedURL(value)?.hostPort?.host.lowercased() == lower
        }
    }

    /// The host of `url`, for messages.
    static func host(of url: String) -> String? {
        ParsedURL(url)?.hostPort?.host
    }
}
