import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

/// The checks of `eks-auth doctor`, in the order they run. Each later check may need what an
/// earlier one found (the STS reply, the credentials, the cluster), and is skipped when that failed.
public enum DoctorCheck: String, Sendable, Equatable, CaseIterable {
    /// Profile, region and STS endpoint can be worked out from the flags, environment and files.
    case settings
    /// The proxy variables are readable and STS answers through them (or directly).
    case proxy
    /// The local clock agrees with the `Date` header of STS's reply.
    case clock
    /// Which credential source wins, when its credentials expire, and that STS accepts them.
    case credentials
    /// The credential cache directory is private, ours and writable.
    case cache
    /// The role of `--role-arn` (or `DEFAULT_ROLE`) can be assumed.
    case role
    /// EKS DescribeCluster finds the cluster, active.
    case cluster
    /// The cluster's API endpoint answers over TLS with a certificate from the cluster's own CA.
    case endpoint
    /// The aws-auth ConfigMap maps the identity to a Kubernetes user (as `explain` shows).
    case mapping
    /// The cluster accepts a token and says who it is for (SelfSubjectReview, as `kubectl auth whoami`).
    case identity
}

/// How a check came out. Ordered from best to worst, so the worst of a run is their maximum.
public enum DoctorStatus: String, Sendable, Equatable, Comparable {
    /// Nothing to fix.
    case ok
    /// Not run: an earlier check it needs failed, or it does not apply (no `--cluster-name`).
    case skipped
    /// Works, but something deserves attention (a clock a minute off, credentials about to expire).
    case warning
    /// Broken: the fix says what to do.
    case failure

    var rank: Int {
        switch self {
        case .ok: return 0
        case .skipped: return 1
        case .warning: return 2
        case .failure: return 3
        }
    }

    public static func < (lhs: DoctorStatus, rhs: DoctorStatus) -> Bool { lhs.rank < rhs.rank }
}

/// What one check found: a one-line summary, details, and for warnings and failures a sentence
/// saying what to do. Never holds a secret: access key ids are masked, secrets and tokens left out.
public struct DoctorFinding: Sendable, Equatable {
    /// Which check.
    public var check: DoctorCheck
    /// How it came out.
    public var status: DoctorStatus
    /// One line: what was found (for a skipped check, why it was skipped).
    public var summary: String
    /// Supporting facts, one per line (sources, endpoints, near misses).
    public var details: [String]
    /// What to do, for warnings and failures.
    public var fix: String?
    /// For failures, the kind of failure (it chooses the exit code, as for the other commands).
    public var kind: FailureKind?

    /// The longest summary, detail or fix kept, in characters; the rest is left out, saying so.
    public static let maximumLineLength = 2_000
    /// The most detail lines kept (a cluster may answer with any number of groups or attributes).
    public static let maximumDetails = 40

    /// A finding from parts, each text bounded by `maximumLineLength` and `maximumDetails`.
    public init(
        _ check: DoctorCheck, _ status: DoctorStatus, _ summary: String, details: [String] = [], fix: String? = nil,
        kind: FailureKind? = nil
    ) {
        // Findings carry text from outside (service messages, a cluster's answers): bounded here, once.
        let limit = Self.maximumLineLength
        self.check = check
        self.status = status
        self.summary = TerminalText.excerpt(summary, limit: limit)
        self.details = details.prefix(Self.maximumDetails).map { TerminalText.excerpt($0, limit: limit) }
        if details.count > Self.maximumDetails {
            self.details.append("… \(details.count - Self.maximumDetails) more lines left out")
        }
        self.fix = fix.map { TerminalText.excerpt($0, limit: limit) }
        self.kind = status == .failure ? (kind ?? .configuration) : nil
    }

    /// An ok finding.
    static func ok(_ check: DoctorCheck, _ summary: String, details: [String] = []) -> DoctorFinding {
        DoctorFinding(check, .ok, summary, details: details)
    }

    /// A finding for a check not run, saying why.
    static func skipped(_ check: DoctorCheck, _ reason: String) -> DoctorFinding {
        DoctorFinding(check, .skipped, reason)
    }

    /// A failure made from an error of the other commands: its message, its hint (else `fix`), its kind.
    static func failure(
        _ check: DoctorCheck, _ error: Error, details: [String] = [], fix: String? = nil
    ) -> DoctorFinding {
        guard let error = error as? EKSAuthError else {
            return DoctorFinding(
                check, .failure, "unexpected error: \(type(of: error))", details: details, fix: fix, kind: .internal)
        }
        return DoctorFinding(
            check, .failure, error.message, details: details, fix: error.hint ?? fix, kind: error.kind)
    }
}
