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

    /// The known real region nearest to `name` by edit distance, when it is close enough to be a typo:
    /// at most 2 edits, and fewer than a third of the name's length (so `xx` suggests nothing). Ties go
    /// to the first in name order.
    public static func suggestion(for name: String) -> String? {
        let limit = min(2, max(1, name.count / 3))
        var best: (name: String, distance: Int)?
        for entry in known where Partition.all[entry.partition].patternMatches(entry.name) {
            let distance = editDistance(name, entry.name)
            if distance <= limit, distance < (best?.distance ?? .max) { best = (entry.name, distance) }
        }
        return best?.name
    }

    /// The Levenshtein distance between `a` and `b`, counting an adjacent swap (`eu-wset-1`) as one
    /// edit (optimal string alignment), over bytes: region names are ASCII.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard !x.isEmpty else { return y.count }
        guard !y.isEmpty else { return x.count }
        var before = [Int](repeating: 0, count: y.count + 1)
        var previous = Array(0...y.count)
        var current = [Int](repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            current[0] = i
            for j in 1...y.count {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] {
                    current[j] = min(current[j], before[j - 2] + 1)
                }
            }
            (before, previous, current) = (previous, current, before)
        }
        return previous[y.count]
    }
}
