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
                Timestamp.rfc3339(expiresAt)
                    + (left > 0
                        ? " (\(DurationText.spoken(left)) left)" : " (expired \(DurationText.spoken(left)) ago)"))
        }
        if let identity {
            row("identity:", identity.arn)
            row("canonical ARN:", identity.canonicalARN ?? "(not mappable)")
            row("account:", identity.account)
            row("user id:", identity.userID)
            if let session = identity.sessionName { row("session name:", session) }
        }
        lines.append("")
        lines.append("checks (the EKS authenticator's, then what STS refuses on replay, then the region data):")
        for check in checks {
            lines.append("  " + (check.passed ? "PASS " : "FAIL ") + check.rule.padding(22) + check.detail)
        }
        return lines.joined(separator: "\n")
    }

    /// The report for scripts, as one JSON object (keys sorted; absent values are `null`).
    public func json(now: Date, identity: VerifiedIdentity? = nil) -> String {
        struct Check: Encodable {
            var rule: String
            var passed: Bool
            var detail: String
        }
        struct Identity: Encodable {
            var arn: String, canonicalArn: OrNull<String>, account: String, userId: String
            var sessionName: OrNull<String>
        }
        struct Report: Encodable {
            var stsHost, region, partition, accessKeyId: OrNull<String>
            var sessionToken: Bool
            var signedHeaders: [String]
            var signedAt, expiresAt: OrNull<String>
            var secondsLeft: OrNull<Int>
            var valid: Bool
            var identity: Identity?
            var checks: [Check]
        }
        let report = Report(
            stsHost: OrNull(host), region: OrNull(region), partition: OrNull(partition),
            accessKeyId: OrNull(accessKeyID), sessionToken: hasSessionToken, signedHeaders: signedHeaders,
            signedAt: OrNull(signedAt.map(Timestamp.rfc3339)), expiresAt: OrNull(expiresAt.map(Timestamp.rfc3339)),
            secondsLeft: OrNull(expiresAt.map { Int($0.timeIntervalSince(now)) }), valid: isValid,
            identity: identity.map {
                Identity(
                    arn: $0.arn, canonicalArn: OrNull($0.canonicalARN), account: $0.account, userId: $0.userID,
                    sessionName: OrNull($0.sessionName))
            },
            checks: checks.map { Check(rule: $0.rule, passed: $0.passed, detail: $0.detail) })
        return JSONOutput.compact(report)
    }
}

extension String {
    /// The string padded with spaces to `width` characters (never cut).
    func padding(_ width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}
