/// "Did you mean …?": the name nearest to a typo, for regions, commands and the like.
public enum Spelling {
    /// The candidate nearest to `name` by edit distance, when it is close enough to be a typo: at most
    /// 2 edits, and fewer than a third of the name's length (so `xx` suggests nothing). Ties go to the
    /// first candidate in the order given.
    public static func nearest(to name: String, among candidates: some Sequence<String>) -> String? {
        let limit = min(2, max(1, name.count / 3))
        var best: (name: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(name, candidate)
            if distance <= limit, distance < (best?.distance ?? .max) { best = (candidate, distance) }
        }
        return best?.name
    }

    /// The Levenshtein distance between `a` and `b`, counting an adjacent swap (`eu-wset-1`, `tokne`) as
    /// one edit (optimal string alignment), over bytes: the names compared are ASCII.
    public static func editDistance(_ a: String, _ b: String) -> Int {
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
