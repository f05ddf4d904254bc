import ArgumentParser

/// Every flag of `eks-auth token`, with all its spellings: ours, `aws eks get-token`'s and
/// aws-iam-authenticator's. One table serves both the ArgumentParser declarations and the
/// start-up fast path (`TokenInvocation.scan`), so the two cannot drift apart.
package enum TokenFlag: CaseIterable, Sendable {
    // Each case is one field of `TokenInvocation`.
    case clusterName, region, profile, verbose, logFormat, tokenOnly, output
    case roleARN, externalID, sessionName, forwardSessionName, durationSeconds, serialNumber, tokenCode
    case noCache, cache

    /// The double-dash spellings, without the dashes; the first is ours.
    package var longNames: [String] {
        switch self {
        case .clusterName: return ["cluster-name", "cluster-id"]
        case .region: return ["region"]
        case .profile: return ["profile"]
        case .verbose: return ["verbose"]
        case .logFormat: return ["log-format"]
        case .tokenOnly: return ["token-only"]
        case .output: return ["output"]
        case .roleARN: return ["role-arn", "role"]
        case .externalID: return ["external-id"]
        case .sessionName: return ["session-name"]
        case .forwardSessionName: return ["forward-session-name"]
        case .durationSeconds: return ["duration-seconds"]
        case .serialNumber: return ["serial-number"]
        case .tokenCode: return ["token-code"]
        case .noCache: return ["no-cache"]
        case .cache: return ["cache"]
        }
    }

    /// The single-dash spellings (aws-iam-authenticator's).
    package var shortNames: [Character] {
        switch self {
        case .clusterName: return ["i"]
        case .roleARN: return ["r"]
        case .externalID: return ["e"]
        case .sessionName: return ["s"]
        case .logFormat: return ["l"]
        default: return []
        }
    }

    /// The spelling messages and help use: `--` and the first long name.
    package var spelling: String { "--" + longNames[0] }

    /// Whether the flag takes a value.
    package var takesValue: Bool {
        switch self {
        case .verbose, .tokenOnly, .forwardSessionName, .noCache, .cache: return false
        default: return true
        }
    }

    /// The ArgumentParser names: long names first, then the single-dash short ones.
    package var names: NameSpecification {
        NameSpecification(longNames.map { .customLong($0) } + shortNames.map { .customShort($0) })
    }

    /// The flag spelled `argument` (`--name` or `-c`), if any.
    package static func named(_ argument: String) -> TokenFlag? {
        if argument.hasPrefix("--") {
            let name = argument.dropFirst(2)
            return allCases.first { $0.longNames.contains(String(name)) }
        }
        if argument.count == 2, argument.hasPrefix("-"), let c = argument.last {
            return allCases.first { $0.shortNames.contains(c) }
        }
        return nil
    }
}
