import AWSSigning
import EKSAuthSystem

/// An AWS partition: its DNS suffixes and the regions it owns (botocore's partitions.json, 1.43).
public struct Partition: Sendable, Equatable {
    /// The partition id, e.g. `aws`, `aws-cn`, `aws-us-gov`.
    public var id: String
    /// The DNS suffix of regional endpoints, e.g. `amazonaws.com`.
    public var dnsSuffix: String
    /// The DNS suffix of dual-stack endpoints, e.g. `api.aws`.
    public var dualStackDNSSuffix: String
    /// The region-name prefixes of this partition's regex `^(prefix)-\w+-\d+$`.
    let regionPrefixes: [String]
    /// Pseudo-regions that belong to it (e.g. `aws-global`).
    let extraRegions: Set<String>

    /// All partitions, most specific first; `aws` is the fallback.
    public static let all: [Partition] = [
        Partition(
            id: "aws-cn", dnsSuffix: "amazonaws.com.cn", dualStackDNSSuffix: "api.amazonwebservices.com.cn",
            regionPrefixes: ["cn"], extraRegions: ["aws-cn-global"]),
        Partition(
            id: "aws-us-gov", dnsSuffix: "amazonaws.com", dualStackDNSSuffix: "api.aws",
            regionPrefixes: ["us-gov"], extraRegions: ["aws-us-gov-global"]),
        Partition(
            id: "aws-iso", dnsSuffix: "c2s.ic.gov", dualStackDNSSuffix: "api.aws.ic.gov",
            regionPrefixes: ["us-iso"], extraRegions: ["aws-iso-global"]),
        Partition(
            id: "aws-iso-b", dnsSuffix: "sc2s.sgov.gov", dualStackDNSSuffix: "api.aws.scloud",
            regionPrefixes: ["us-isob"], extraRegions: ["aws-iso-b-global"]),
        Partition(
            id: "aws-iso-e", dnsSuffix: "cloud.adc-e.uk", dualStackDNSSuffix: "api.cloud-aws.adc-e.uk",
            regionPrefixes: ["eu-isoe"], extraRegions: ["aws-iso-e-global"]),
        Partition(
            id: "aws-iso-f", dnsSuffix: "csp.hci.ic.gov", dualStackDNSSuffix: "api.aws.hci.ic.gov",
            regionPrefixes: ["us-isof"], extraRegions: ["aws-iso-f-global"]),
        Partition(
            id: "aws-eusc", dnsSuffix: "amazonaws.eu", dualStackDNSSuffix: "api.amazonwebservices.eu",
            regionPrefixes: ["eusc-de"], extraRegions: []),
        Partition(
            id: "aws", dnsSuffix: "amazonaws.com", dualStackDNSSuffix: "api.aws",
            regionPrefixes: ["us", "eu", "ap", "sa", "ca", "me", "af", "il", "mx"],
            extraRegions: ["aws-global"]),
    ]

    /// The partition of `region`: exact pseudo-region, else the first matching pattern, else `aws`.
    public static func of(region: String) -> Partition {
        if let exact = all.first(where: { $0.extraRegions.contains(region) }) { return exact }
        return all.first(where: { matches(region, prefixes: $0.regionPrefixes) }) ?? all.last!
    }

    /// Whether `region` is `<prefix>-<word>-<digits>` for one of `prefixes` (the partitions.json regexes).
    static func matches(_ region: String, prefixes: [String]) -> Bool {
        for prefix in prefixes where region.hasPrefix(prefix + "-") {
            let rest = region.dropFirst(prefix.count + 1)
            let parts = rest.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty,
                parts[0].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }),
                parts[1].allSatisfy({ $0.isASCII && $0.isNumber })
            else { continue }
            return true
        }
        return false
    }
}
