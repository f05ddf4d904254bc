import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

/// Everything `eks-auth doctor` found, one finding per check in the order they ran.
public struct DoctorReport: Sendable, Equatable {
    /// The findings, one per `DoctorCheck`, in order.
    public var findings: [DoctorFinding]

    /// A report of `findings`.
    public init(findings: [DoctorFinding]) {
        self.findings = findings
    }

    /// The worst status of the run: `failure`, else `warning`, else `ok` (skipped checks count as ok).
    public var worst: DoctorStatus {
        let worst = findings.map(\.status).max() ?? .ok
        return worst == .skipped ? .ok : worst
    }

    /// The kind of the first failure, which chooses the exit code (the first is the cause; later
    /// failures are often its consequences); nil when nothing failed, so warnings alone exit 0.
    public var failureKind: FailureKind? {
        findings.first { $0.status == .failure }?.kind
    }

    /// The finding of `check`, if it ran.
    public func finding(_ check: DoctorCheck) -> DoctorFinding? {
        findings.first { $0.check == check }
    }

    /// The mark each status gets in the text report.
    static func mark(_ status: DoctorStatus) -> String {
        switch status {
        case .ok: return "[ok]  "
        case .skipped: return "[skip]"
        case .warning: return "[warn]"
        case .failure: return "[FAIL]"
        }
    }

    /// One line per check (`[ok]   clock        within 1 s of STS`); under warnings and failures
    /// their details and the fix, indented; then a last line with the outcome.
    public var text: String {
        let width = (DoctorCheck.allCases.map(\.rawValue.count).max() ?? 0) + 2
        var lines: [String] = []
        for finding in findings {
            let name = finding.check.rawValue
            lines.append(
                "\(Self.mark(finding.status)) \(name)\(String(repeating: " ", count: width - name.count))\(finding.summary)"
            )
            guard finding.status == .warning || finding.status == .failure else { continue }
            let indent = String(repeating: " ", count: 7 + width)
            lines += finding.details.map { indent + $0 }
            if let fix = finding.fix { lines.append(indent + "fix: " + fix) }
        }
        let count = { (status: DoctorStatus) in self.findings.filter { $0.status == status }.count }
        lines.append(
            "\(count(.failure)) failed, \(count(.warning)) warning\(count(.warning) == 1 ? "" : "s"), "
                + "\(count(.ok)) ok, \(count(.skipped)) skipped")
        return lines.joined(separator: "\n")
    }

    /// The report as JSON, for support tickets (Docs/doctor.md documents the shape):
    /// `{"result": WORST, "checks": [{"check", "status", "summary", "details", "fix"}…]}` with
    /// `fix` null for ok and skipped checks. Holds no secret, as the findings hold none.
    public func json() -> String {
        // Written by hand, two-space indent, keys in a fixed order: the shape is documented and a
        // person reads it in a ticket.
        let checks = findings.map { finding in
            let details =
                finding.details.isEmpty
                ? "[]"
                : "[\n" + finding.details.map { "        " + JSONText.quote($0) }.joined(separator: ",\n") + "\n      ]"
            return """
                    {
                      "check": \(JSONText.quote(finding.check.rawValue)),
                      "status": \(JSONText.quote(finding.status.rawValue)),
                      "summary": \(JSONText.quote(finding.summary)),
                      "details": \(details),
                      "fix": \(finding.fix.map(JSONText.quote) ?? "null")
                    }
                """
        }
        return "{\n  \"result\": \(JSONText.quote(worst.rawValue)),\n  \"checks\": [\n"
            + checks.joined(separator: ",\n") + "\n  ]\n}"
    }
}
