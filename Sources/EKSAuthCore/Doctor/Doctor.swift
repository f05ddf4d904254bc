import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What `eks-auth doctor` was asked to check.
public struct DoctorRequest: Sendable, Equatable {
    /// `--cluster-name`; without it the cluster checks are skipped.
    public var clusterName: String?
    /// `--profile`.
    public var profile: String?
    /// `--region`.
    public var region: String?
    /// The role to assume (`--role-arn` or `DEFAULT_ROLE`), if any.
    public var role: RoleRequest?
    /// `--aws-auth FILE`: the ConfigMap's text and where it came from, for the mapping check offline.
    public var awsAuth: AWSAuthText?

    /// A request from parts.
    public init(
        clusterName: String? = nil, profile: String? = nil, region: String? = nil, role: RoleRequest? = nil,
        awsAuth: AWSAuthText? = nil
    ) {
        self.clusterName = clusterName
        self.profile = profile
        self.region = region
        self.role = role
        self.awsAuth = awsAuth
    }
}

/// The aws-auth ConfigMap as text (YAML or JSON) and where it came from (a path, `stdin`).
public struct AWSAuthText: Sendable, Equatable {
    /// The text.
    public var text: String
    /// Its source, for messages.
    public var source: String

    /// Text from `source`.
    public init(text: String, source: String) {
        self.text = text
        self.source = source
    }
}

/// The core of `eks-auth doctor`: each `DoctorCheck` in order, every one reported, a later one
/// skipped (saying why) when an earlier one it needs failed. Reaches the world only through `system`.
///
/// Thresholds: a clock more than `clockWarning` seconds off STS's warns and more than `clockFailure`
/// fails (STS refuses signatures 5 minutes off; the EKS server accepts a token for 15 minutes after
/// its signing time, so a clock behind shortens every token's life and one ahead breaks it);
/// credentials expiring within `EKSToken.validity` warn.
public struct DoctorService: Sendable {
    let system: SystemContext

    /// Seconds of clock difference that warn.
    public static let clockWarning: TimeInterval = 60
    /// Seconds of clock difference that fail: STS's own limit for signed requests.
    public static let clockFailure: TimeInterval = 5 * 60

    /// A doctor working through `system`.
    public init(system: SystemContext) {
        self.system = system
    }

    /// What the checks learn and pass on.
    struct State {
        var settings: AWSSettings?
        var stsReply: (response: HTTPResponse, sent: Date, received: Date)?
        var base: ResolvedCredentials?
        var caller: CallerIdentity?
        /// The credentials a token is signed with (the role's, when one is assumed) and whose ARN.
        var final: ResolvedCredentials?
        var finalARN: String?
        var cluster: ClusterInfo?
        var api: ClusterAPI?
        var token: String?
        /// Why the cluster checks cannot run, for their skip reason.
        var clusterBlocked = "no --cluster-name given"
        /// Whether the mapping check found no aws-auth entry (or no aws-auth at all) for the identity.
        var unmapped = false
    }

    /// Runs every check and reports what each found.
    public func run(_ request: DoctorRequest) -> DoctorReport {
        var state = State()
        var findings: [DoctorFinding] = []
        findings.append(checkSettings(request, &state))
        findings.append(checkProxy(request, &state))
        findings.append(checkClock(&state))
        findings.append(checkCredentials(request, &state))
        findings.append(checkCache())
        findings.append(checkRole(request, &state))
        findings.append(checkCluster(request, &state))
        findings.append(checkEndpoint(&state))
        var mapping = checkMapping(request, &state)
        let identity = checkIdentity(request, &state)
        // aws-auth is one way in; EKS access entries are the other. A cluster that knows the token's
        // bearer without an aws-auth entry lets them in through an access entry: worth knowing, not broken.
        if identity.status == .ok, state.unmapped {
            mapping = DoctorFinding(
                .mapping, .warning,
                mapping.summary + "; the cluster accepts the token all the same (an EKS access entry?)",
                details: mapping.details,
                fix: "nothing, if access entries are meant to grant access; "
                    + AWSAuthExplainer.accessEntriesNote(cluster: request.clusterName))
        }
        findings.append(mapping)
        findings.append(identity)
        return DoctorReport(findings: findings)
    }

    /// An access key id as the AWS CLI shows one (`aws configure list`): all but the last 4 masked.
    public static func masked(_ accessKeyID: String) -> String {
        guard accessKeyID.count > 4 else { return String(repeating: "*", count: accessKeyID.count) }
        return String(repeating: "*", count: 16) + accessKeyID.suffix(4)
    }

    /// `seconds` as a person reads a duration: `42 s`, `12 min`, `3 h 5 min`.
    static func duration(_ seconds: TimeInterval) -> String {
        let total = Int(seconds.magnitude.rounded())
        if total < 120 { return "\(total) s" }
        if total < 7200 { return "\(total / 60) min" }
        return "\(total / 3600) h \(total % 3600 / 60) min"
    }

    /// The seconds each request may take: the retry policy's per-attempt timeout (10 s when the
    /// environment's setting is unreadable; the settings check reports that).
    var timeout: Double { (try? system.retryPolicy().attemptTimeout) ?? 10 }

    // MARK: settings, proxy, clock

    func checkSettings(_ request: DoctorRequest, _ state: inout State) -> DoctorFinding {
        do {
            let settings = try AWSSettings.resolve(
                profileFlag: request.profile, regionFlag: request.region, environment: system.environment,
                fileSystem: system.fileSystem)
            _ = try system.retryPolicy()
            state.settings = settings
            let sts = settings.stsEndpoint
            return .ok(
                .settings,
                "profile \(settings.selection.name) (from \(settings.selection.selectedBy)), "
                    + "region \(settings.region) (from \(settings.regionSource))",
                details: ["STS endpoint: \(sts.endpoint) (\(sts.source), signing region \(sts.signingRegion))"])
        } catch {
            return .failure(.settings, error, fix: "correct the file, flag or variable the message names")
        }
    }

    /// The endpoints the run talks to, with what to call them.
    func endpoints(_ request: DoctorRequest, _ settings: AWSSettings) -> [(name: String, endpoint: Endpoint)] {
        var list = [("STS", settings.stsEndpoint.endpoint)]
        if request.clusterName != nil,
            let eks = try? STSEndpointResolver(
                environment: system.environment, profile: settings.profile, config: settings.config
            ).resolveEKS(region: settings.region)
        {
            list.append(("EKS", eks.endpoint))
        }
        return list
    }

    func checkProxy(_ request: DoctorRequest, _ state: inout State) -> DoctorFinding {
        guard let settings = state.settings else { return .skipped(.proxy, "needs the settings (settings failed)") }
        var details: [String] = []
        var stsProxy: ProxySettings?
        for (name, endpoint) in endpoints(request, settings) {
            do {
                let proxy = try ProxySettings.forRequest(
                    toHost: endpoint.host, port: endpoint.port, scheme: endpoint.scheme,
                    environment: system.environment)
                if name == "STS" { stsProxy = proxy }
                details.append("\(name) \(endpoint.scheme)://\(endpoint.hostHeader): \(proxy?.named ?? "direct")")
            } catch {
                return .failure(.proxy, error, details: details, fix: "correct the variable, or unset it")
            }
        }
        var warnings: [String] = []
        if let (variable, ignored) = ProxySettings.ignoredNoProxyEntries(environment: system.environment) {
            warnings.append(
                "\(variable) entries that name no host, address or range: \(ignored.joined(separator: ", "))")
        }
        let sts = settings.stsEndpoint.endpoint
        let url = "\(sts)?Action=GetCallerIdentity&Version=\(STSClient.apiVersion)"
        let route = stsProxy.map { "through \($0.named)" } ?? "directly"
        let sent = system.clock.now()
        let response: HTTPResponse
        do {
            // Unsigned on purpose: any answer proves the path and carries STS's clock, whatever the
            // credentials; STS refuses it (MissingAuthenticationToken), which is expected.
            response = try system.http().send(HTTPRequest(method: "GET", url: url, timeout: timeout))
        } catch let error as HTTPTransportError {
            let reason = error.reason(timeout: timeout)
            let fix: String
            if reason.contains(HTTPTransportError.untrustedCertificate) {
                fix = "a proxy or endpoint with a private CA: set AWS_CA_BUNDLE to a PEM file of that CA"
            } else if let proxy = stsProxy, reason.contains(" 407 ") {
                fix = "give the proxy's user name and password in \(proxy.source) (http://user:password@host:port)"
            } else if let proxy = stsProxy {
                fix =
                    "check that the proxy \(proxy.redactedURL) (from \(proxy.source)) runs and lets "
                    + "\(sts.hostHeader) through, or exempt the host with NO_PROXY"
            } else {
                fix = "check the network path to \(sts.hostHeader) (DNS, firewall, VPN), or AWS_ENDPOINT_URL_STS"
            }
            // The transport names the proxy itself when the proxy is what failed: not twice.
            let namesProxy = stsProxy.map { reason.hasPrefix($0.named) } ?? false
            return DoctorFinding(
                .proxy, .failure, "STS at \(sts) did not answer\(namesProxy ? "" : " " + route): \(reason)",
                details: details + warnings, fix: fix, kind: .unavailable)
        } catch {
            return .failure(.proxy, error, details: details, fix: "correct the variable, or unset it")
        }
        let received = system.clock.now()
        state.stsReply = (response, sent, received)
        let summary = "STS answered \(route) (HTTP \(response.status) to an unsigned request)"
        guard warnings.isEmpty else {
            return DoctorFinding(
                .proxy, .warning, summary, details: details + warnings,
                fix: "remove the entries that never match (they are ignored, as by botocore and curl)")
        }
        return .ok(.proxy, summary, details: details)
    }

    func checkClock(_ state: inout State) -> DoctorFinding {
        guard let reply = state.stsReply else { return .skipped(.clock, "needs an answer from STS (proxy failed)") }
        guard let header = reply.response.header("Date"), let server = HTTPDate.parse(header) else {
            return DoctorFinding(
                .clock, .warning, "STS's answer has no readable Date header, so the clocks cannot be compared",
                details: reply.response.header("Date").map { ["Date: \(TerminalText.excerpt($0, limit: 100))"] } ?? [],
                fix: "compare 'date -u' with a reference clock by hand")
        }
        // The server's second is truncated: compare its middle with the middle of our exchange.
        // This machine's own time: without the correction a learned skew applies to eks-auth's clock.
        let corrected = reply.sent.addingTimeInterval(reply.received.timeIntervalSince(reply.sent) / 2)
        let local = corrected.addingTimeInterval(-Double(system.clockCorrection?.offset ?? 0))
        let skew = local.timeIntervalSince(server.addingTimeInterval(0.5))
        let direction = skew > 0 ? "ahead of" : "behind"
        var details = ["STS Date: \(header)", "local: \(Timestamp.rfc3339(local))"]
        if let correction = system.clockCorrection {
            details.append(
                "eks-auth corrects its own clock by \(correction.offset) s (learned from \(correction.host) at "
                    + "\(Timestamp.rfc3339(correction.learnedAt))); other tools do not")
        }
        let fix =
            "set the clock right (e.g. 'timedatectl set-ntp true'): STS refuses signatures more than 5 minutes off "
            + "its clock, and the cluster accepts a token for 15 minutes from its signing time"
        if skew.magnitude > Self.clockFailure {
            return DoctorFinding(
                .clock, .failure, "the clock is \(Self.duration(skew)) \(direction) STS's (more than 5 min)",
                details: details, fix: fix, kind: .configuration)
        }
        if skew.magnitude > Self.clockWarning {
            return DoctorFinding(
                .clock, .warning, "the clock is \(Self.duration(skew)) \(direction) STS's (more than 1 min)",
                details: details, fix: fix)
        }
        return .ok(.clock, "within \(Self.duration(skew)) of STS's clock", details: details)
    }
}
