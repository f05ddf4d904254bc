import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

extension Explanation {
    /// The explanation for people.
    public func text(cluster: String?) -> String {
        var lines: [String] = []
        // Names and groups come from the ConfigMap: escape what a terminal would act on.
        func row(_ name: String, _ value: String) { lines.append(name.padding(18) + TerminalText.sanitized(value)) }
        row("identity:", arn)
        row("canonical ARN:", canonicalARN + (canonicalARN == arn ? "" : " (what aws-auth entries are matched with)"))
        if let entry {
            row("matched:", "\(entry.location) \(entry.arn ?? "sso \(entry.sso?.permissionSetName ?? "")")")
            row("username:", username ?? "")
            row("groups:", groups.isEmpty ? "(none)" : groups.joined(separator: ", "))
        } else if viaAccount {
            row("matched:", "mapAccounts")
            row("username:", username ?? "")
            row("groups:", "(none)")
        } else {
            row("matched:", "nothing: the cluster will answer Unauthorized unless an access entry maps it")
            for candidate in candidates { lines.append("  near miss: \(TerminalText.sanitized(candidate))") }
        }
        for note in notes { lines.append("  note: \(TerminalText.sanitized(note))") }
        lines.append("")
        lines.append(AWSAuthExplainer.accessEntriesNote(cluster: cluster))
        return lines.joined(separator: "\n")
    }

    /// The explanation for scripts, as one JSON object (keys sorted; `matchedEntry` and `username`
    /// are `null` when nothing matched).
    public func json() -> String {
        struct Wire: Encodable {
            var arn, canonicalArn: String
            var mapped: Bool
            var matchedEntry, username: OrNull<String>
            var groups, notes, nearMisses: [String]
        }
        return JSONOutput.compact(
            Wire(
                arn: arn, canonicalArn: canonicalARN, mapped: isMapped,
                matchedEntry: OrNull(entry?.location ?? (viaAccount ? "mapAccounts" : nil)), username: OrNull(username),
                groups: groups, notes: notes, nearMisses: candidates))
    }
}
