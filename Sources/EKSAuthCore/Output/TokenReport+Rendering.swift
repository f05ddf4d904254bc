import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension TokenReport {
    /// The report for people: the token's facts, then each rule with PASS or FAIL.
    public func text(now: Date, identity: VerifiedIdentity? = nil) -> String {
        var lines: [String] = []
        func row(_ name: String, _ value: String?) {
            lines.append(name.padding(20) + (value ?? "-"))
        }
        row("URL:", redactedURL)
        row("STS host:", host)
        row("region:", region.map { "\($0) (partition \(partition ?? "?"))" })
        row("cluster:", "not in the URL; bound by the signed x-k8s-aws-id header (check with 'eks-auth verify')")
        row("access key id:", accessKeyID)
        row("session token:", hasSessionToken ? "present (temporary credentials)" : "absent (long-term key)")
        row("signed headers:", signedHeaders.isEmpty ? nil : signedHeaders.joined(separator: ";"))
        row("signed at:", signedAt.map(Timestamp.rfc3339))
        if let expiresAt {
            let left = Int(expiresAt.timeIntervalSince(now))
            row(
                "valid until:",
                Timestamp.rfc3339(expiresAt) + (left > 0 ? " (\(left / 60) min \(left % 60) s left)" : " (expired)"))
        }
        if let identity {
            row("identity:", identity.arn)
            row("canonical ARN:", identity.canonicalARN ?? "(not mappable)")
            row("account:", identity.account)
            row("user id:", identity.userID)
            if let session = identity.sessionName { row("session name:", session) }
        }
        lines.append("")
        lines.append("checks (aws-iam-authenticator's server rules):")
        for check in checks {
            lines.append("  " + (check.passed ? "PASS " : "FAIL ") + check.rule.padding(22) + check.detail)
        }
        return lines.joined(separator: "\n")
    }

    /// The report for scripts, as one JSON object.
    public func json(now: Date, identity: VerifiedIdentity? = nil) -> String {
        var fields: [(String, String)] = []
        func add(_ key: String, _ value: String?) { fields.append((key, value.map(JSONText.quote) ?? "null")) }
        add("stsHost", host)
        add("region", region)
        add("partition", partition)
        add("accessKeyId", accessKeyID)
        fields.append(("sessionToken", hasSessionToken ? "true" : "false"))
        fields.append(("signedHeaders", "[" + signedHeaders.map(JSONText.quote).joined(separator: ",") + "]"))
        add("signedAt", signedAt.map(Timestamp.rfc3339))
        add("expiresAt", expiresAt.map(Timestamp.rfc3339))
        fields.append(("secondsLeft", expiresAt.map { String(Int($0.timeIntervalSince(now))) } ?? "null"))
        fields.append(("valid", isValid ? "true" : "false"))
        if let identity {
            let parts: [(String, String?)] = [
                ("arn", identity.arn), ("canonicalArn", identity.canonicalARN), ("account", identity.account),
                ("userId", identity.userID), ("sessionName", identity.sessionName),
            ]
            fields.append(
                (
                    "identity",
                    "{"
                        + parts.map { "\(JSONText.quote($0.0)):\($0.1.map(JSONText.quote) ?? "null")" }
                        .joined(separator: ",") + "}"
                ))
        }
        let checkItems = checks.map {
            "{\"rule\":\(JSONText.quote($0.rule)),\"passed\":\($0.passed),\"detail\":\(JSONText.quote($0.detail))}"
        }
        fields.append(("checks", "[" + checkItems.joined(separator: ",") + "]"))
        return "{" + fields.map { "\(JSONText.quote($0.0)):\($0.1)" }.joined(separator: ",") + "}"
    }
}

extension String {
    /// The string padded with spaces to `width` characters (never cut).
    func padding(_ width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}
