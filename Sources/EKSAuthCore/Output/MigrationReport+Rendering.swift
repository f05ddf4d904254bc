import AWSConfiguration
import EKSAuthSystem

extension MigrationReport {
    /// The plan for people: a table (one row per aws-auth mapping), each mapping's notes and what to do
    /// instead, what was applied or failed, and the next steps. Text from the cluster is sanitised.
    public func text() -> String {
        var lines: [String] = []
        let title = cluster.map { "cluster \($0)" } ?? "the aws-auth file"
        lines.append("Migration of \(title) to access entries" + (mode.map { " (mode \($0.rawValue))" } ?? ""))
        lines.append("")
        let rows = steps.map { step -> [String] in
            let groups = step.entry.map { $0.isNode ? $0.type : $0.kubernetesGroups.joined(separator: ",") } ?? ""
            let policies = step.entry?.associatedAccessPolicies.map(\.policyName).joined(separator: ",") ?? ""
            return [
                step.action.rawValue, step.source, step.principalArn ?? "-", groups.isEmpty ? "-" : groups,
                policies.isEmpty ? "-" : policies,
            ].map(TerminalText.sanitized)
        }
        if rows.isEmpty {
            lines.append("aws-auth maps nothing: there is nothing to migrate")
        } else {
            lines.append(
                TableText.render(
                    header: ["ACTION", "SOURCE", "PRINCIPAL", "GROUPS", "POLICIES"], rows: rows, maximumWidth: 160,
                    shrinking: 2))
        }
        let explained = steps.filter { !$0.notes.isEmpty || $0.instead != nil }
        if !explained.isEmpty { lines.append("") }
        for step in explained {
            for note in step.notes { lines.append("\(step.source): \(TerminalText.sanitized(note))") }
            if let instead = step.instead {
                lines.append("\(step.source): instead: \(TerminalText.sanitized(instead))")
            }
        }
        if !applied.isEmpty || !failed.isEmpty { lines.append("") }
        for line in applied { lines.append("done: \(TerminalText.sanitized(line))") }
        for line in failed { lines.append("failed: \(TerminalText.sanitized(line))") }
        if !next.isEmpty {
            lines.append("")
            lines.append("Next:")
            for (index, line) in next.enumerated() { lines.append("  \(index + 1). \(line)") }
        }
        lines.append("")
        lines.append("aws-auth is never changed or deleted by migrate.")
        return lines.joined(separator: "\n")
    }

    /// The plan for scripts: one JSON object, keys sorted; `cluster` and `authenticationMode` are `null`
    /// for a plan from files alone.
    public func json() -> String {
        struct Step: Encodable {
            var source: String
            var action: MigrationStep.Action
            var principalArn, instead, type, username: OrNull<String>
            var kubernetesGroups: [String]
            var accessPolicies: [AssociatedAccessPolicy]
            var notes: [String]
        }
        struct Wire: Encodable {
            var cluster, authenticationMode: OrNull<String>
            var steps: [Step]
            var applied, failed, next: [String]
        }
        let wire = Wire(
            cluster: OrNull(cluster), authenticationMode: OrNull(mode?.rawValue),
            steps: steps.map { step in
                Step(
                    source: step.source, action: step.action, principalArn: OrNull(step.principalArn),
                    instead: OrNull(step.instead), type: OrNull(step.entry?.type),
                    username: OrNull(step.entry?.username),
                    kubernetesGroups: step.entry?.kubernetesGroups ?? [],
                    accessPolicies: step.entry?.associatedAccessPolicies ?? [], notes: step.notes)
            }, applied: applied, failed: failed, next: next)
        return JSONOutput.compact(wire)
    }
}
