import AWSConfiguration
import EKSAuthSystem

extension AccessExplanation {
    /// The explanation for people: one `name: value` row each, then notes and near misses. Text from the
    /// files or the cluster is sanitised for the terminal.
    public func text() -> String {
        var lines: [String] = []
        func row(_ name: String, _ value: String) { lines.append(name.padding(18) + TerminalText.sanitized(value)) }
        row("identity:", arn)
        row("canonical ARN:", canonicalARN)
        let source = access.modeSource.hasPrefix("assumed") ? access.modeSource : "from \(access.modeSource)"
        row("mode:", "\(access.mode.rawValue) (\(source))")
        switch decision {
        case .accessEntry(let entry):
            row("decided by:", "access entry \(entry.principalArn) (\(entry.type))")
        case .awsAuth:
            row("decided by:", "aws-auth \(awsAuth.map(AccessExplainer.matchedPlace) ?? "")")
        case .nothing where isUnknown:
            row("decided by:", "not known: no access entry maps it, and aws-auth could not be read (see the note)")
        case .nothing:
            row("decided by:", "nothing: the cluster answers Unauthorized")
        }
        if isMapped {
            row("username:", username ?? "")
            row("groups:", groups.isEmpty ? "(none)" : groups.joined(separator: ", "))
            if case .accessEntry = decision {
                row(
                    "access policies:",
                    policies.isEmpty
                        ? "(none)"
                        : policies.map { "\($0.policyName) (\($0.accessScope.text))" }.joined(separator: "; "))
            }
        }
        for miss in nearMisses { lines.append("  near miss: \(TerminalText.sanitized(miss))") }
        for note in notes { lines.append("  note: \(TerminalText.sanitized(note))") }
        return lines.joined(separator: "\n")
    }

    /// The explanation for scripts, as one JSON object (keys sorted; `decidedBy` is `accessEntry`,
    /// `awsAuth` or `null`; `accessEntry`, `awsAuthEntry` and `username` are `null` when they do not apply).
    public func json() -> String {
        struct Wire: Encodable {
            var arn, canonicalArn, authenticationMode, modeSource: String
            var mapped, known: Bool
            var decidedBy, accessEntry, accessEntryType, awsAuthEntry, username: OrNull<String>
            var groups: [String]
            var accessPolicies: [AssociatedAccessPolicy]
            var notes, nearMisses: [String]
        }
        var wire = Wire(
            arn: arn, canonicalArn: canonicalARN, authenticationMode: access.mode.rawValue,
            modeSource: access.modeSource,
            mapped: isMapped, known: !isUnknown, decidedBy: OrNull(nil), accessEntry: OrNull(nil),
            accessEntryType: OrNull(nil),
            awsAuthEntry: OrNull(awsAuth.flatMap { $0.isMapped ? AccessExplainer.matchedPlace($0) : nil }),
            username: OrNull(username), groups: groups, accessPolicies: policies, notes: notes, nearMisses: nearMisses)
        switch decision {
        case .accessEntry(let entry):
            wire.decidedBy = OrNull("accessEntry")
            wire.accessEntry = OrNull(entry.principalArn)
            wire.accessEntryType = OrNull(entry.type)
        case .awsAuth: wire.decidedBy = OrNull("awsAuth")
        case .nothing: break
        }
        return JSONOutput.compact(wire)
    }
}
