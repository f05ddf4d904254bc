import AWSSigning
import EKSAuthSystem

/// Region names and where one came from.
public enum Region {
    /// The region used when nothing names one, as aws-iam-authenticator does.
    public static let fallback = "us-east-1"

    /// Whether `name` can be a region: lower-case letters, digits and inner hyphens, as a DNS label.
    public static func isValid(_ name: String) -> Bool {
        guard let first = name.first, let last = name.last, name.count <= 63 else { return false }
        let allowed: (Character) -> Bool = { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }
        return name.allSatisfy(allowed) && first != "-" && last != "-"
    }

    /// Whether STS has an endpoint in `name` according to the SDK data in `known` (botocore's
    /// endpoints.json): every real region, plus the pseudo-region `aws-global` (the global endpoint).
    public static func isKnown(_ name: String) -> Bool { knownEntry(name) != nil }

    /// Whether `name` is a real region in the data: known, and shaped like its partition's regions
    /// (so `aws-global`, a name for the global endpoint, is not one).
    public static func isRealRegion(_ name: String) -> Bool {
        guard let entry = knownEntry(name) else { return false }
        return Partition.all[entry.partition].patternMatches(name)
    }

    /// The entry of `name` in `known`, by binary search over the sorted table.
    static func knownEntry(_ name: String) -> (name: String, partition: Int)? {
        var low = 0
        var high = known.count
        while low < high {
            let middle = (low + high) / 2
            if known[middle].name < name { low = middle + 1 } else { high = middle }
        }
        return low < known.count && known[low].name == name ? known[low] : nil
    }

    /// The known real region nearest to `name` by edit distance, when it is close enough to be a typo
    /// (`Spelling.nearest`). Ties go to the first in name order.
    public static func suggestion(for name: String) -> String? {
        Spelling.nearest(
            to: name,
            among: known.lazy.filter { Partition.all[$0.partition].patternMatches($0.name) }.map(\.name))
    }
}
