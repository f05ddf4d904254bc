import AWSSigning
import EKSAuthSystem

/// An AWS partition: its DNS suffixes and the regions it owns. The table, `Partition.all`, is generated
/// from botocore's partitions.json into RegionTable.swift by scripts/refresh-regions.py.
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
    let extraRegions: [String]

    /// The partition of `region` as botocore and the STS endpoint rules pick it: the partition that lists
    /// it, else the first whose pattern it matches, else `aws`.
    public static func of(region: String) -> Partition {
        if let known = Region.knownEntry(region) { return all[known.partition] }
        if let exact = all.first(where: { $0.extraRegions.contains(region) }) { return exact }
        return all.first(where: { matches(region, prefixes: $0.regionPrefixes) }) ?? aws
    }

    /// The commercial partition, where a region no pattern claims falls.
    public static var aws: Partition { all.first { $0.id == "aws" }! }

    /// The partition with `id`, if there is one.
    public static func withID(_ id: String) -> Partition? { all.first { $0.id == id } }

    /// Whether `region` has the shape of a real region of this partition (`us-west-2`), as opposed to a
    /// pseudo-region (`aws-global`) or a made-up name.
    public func patternMatches(_ region: String) -> Bool { Self.matches(region, prefixes: regionPrefixes) }

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
