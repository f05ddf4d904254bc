import EKSAuthSystem

/// A unified diff of two texts, line by line, as `diff -u` prints it (3 lines of context), for
/// `kubeconfig convert --dry-run`. Empty when the texts are equal.
///
/// Format: https://www.gnu.org/software/diffutils/manual/html_node/Detailed-Unified.html. The lines
/// between the common head and tail are matched by a longest common subsequence; past `maxCells`
/// comparisons the middle is shown as one replacement, which is still a correct diff. Each line is
/// sanitised for a terminal (`TerminalText.sanitized`): a control character in the file shows escaped.
public enum UnifiedDiff {
    /// The context lines around each change.
    public static let context = 3
    /// The bound on the line comparisons of the middle (lines × lines).
    static let maxCells = 4_000_000

    /// The diff from `old` (labelled `oldLabel`) to `new` (`newLabel`).
    public static func diff(_ old: String, _ new: String, oldLabel: String, newLabel: String) -> String {
        guard old != new else { return "" }
        let a = lines(old), b = lines(new)
        let ops = operations(a, b)
        var output = "--- \(TerminalText.sanitized(oldLabel))\n+++ \(TerminalText.sanitized(newLabel))\n"
        // Group the operations into hunks: changes closer than 2 × context lines share one.
        var index = 0
        while index < ops.count {
            guard let firstChange = ops[index...].firstIndex(where: { $0.kind != .same }) else { break }
            let start = max(index, firstChange - context)
            var end = firstChange
            var lastChange = firstChange
            while end < ops.count {
                if ops[end].kind != .same { lastChange = end }
                if end - lastChange > 2 * context { break }
                end += 1
            }
            let stop = min(ops.count, lastChange + context + 1)
            let hunk = ops[start..<stop]
            let oldStart = hunk.first?.oldLine ?? 0, newStart = hunk.first?.newLine ?? 0
            let oldCount = hunk.filter { $0.kind != .added }.count
            let newCount = hunk.filter { $0.kind != .removed }.count
            output += "@@ -\(range(oldStart, oldCount)) +\(range(newStart, newCount)) @@\n"
            for op in hunk {
                let prefix = op.kind == .same ? " " : op.kind == .removed ? "-" : "+"
                output += prefix + TerminalText.sanitized(op.text) + "\n"
            }
            index = stop
        }
        return output
    }

    static func range(_ start: Int, _ count: Int) -> String {
        // diff -u numbers lines from 1, and an empty range by the line before it.
        count == 1 ? "\(start + 1)" : "\(count == 0 ? start : start + 1),\(count)"
    }

    static func lines(_ text: String) -> [String] {
        var result = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if result.last == "" { result.removeLast() }
        return result
    }

    struct Operation {
        enum Kind { case same, removed, added }
        var kind: Kind
        var text: String
        /// The 0-based line in the old text this is at (or before, for an addition).
        var oldLine: Int
        /// The same in the new text.
        var newLine: Int
    }

    static func operations(_ a: [String], _ b: [String]) -> [Operation] {
        var head = 0
        while head < a.count, head < b.count, a[head] == b[head] { head += 1 }
        var tail = 0
        while tail < a.count - head, tail < b.count - head, a[a.count - 1 - tail] == b[b.count - 1 - tail] {
            tail += 1
        }
        let middleA = Array(a[head..<a.count - tail]), middleB = Array(b[head..<b.count - tail])
        var ops: [Operation] = (0..<head).map { Operation(kind: .same, text: a[$0], oldLine: $0, newLine: $0) }
        var i = 0, j = 0
        if middleA.count * middleB.count <= maxCells, !middleA.isEmpty, !middleB.isEmpty {
            // lengths[i][j]: the longest common subsequence of middleA[i...] and middleB[j...].
            let width = middleB.count + 1
            var lengths = [Int](repeating: 0, count: (middleA.count + 1) * width)
            for x in stride(from: middleA.count - 1, through: 0, by: -1) {
                for y in stride(from: middleB.count - 1, through: 0, by: -1) {
                    lengths[x * width + y] =
                        middleA[x] == middleB[y]
                        ? lengths[(x + 1) * width + y + 1] + 1
                        : max(lengths[(x + 1) * width + y], lengths[x * width + y + 1])
                }
            }
            while i < middleA.count, j < middleB.count {
                if middleA[i] == middleB[j] {
                    ops.append(Operation(kind: .same, text: middleA[i], oldLine: head + i, newLine: head + j))
                    i += 1
                    j += 1
                } else if lengths[(i + 1) * width + j] >= lengths[i * width + j + 1] {
                    ops.append(Operation(kind: .removed, text: middleA[i], oldLine: head + i, newLine: head + j))
                    i += 1
                } else {
                    ops.append(Operation(kind: .added, text: middleB[j], oldLine: head + i, newLine: head + j))
                    j += 1
                }
            }
        }
        for x in i..<middleA.count {
            ops.append(Operation(kind: .removed, text: middleA[x], oldLine: head + x, newLine: head + j))
        }
        for y in j..<middleB.count {
            ops.append(
                Operation(kind: .added, text: middleB[y], oldLine: head + middleA.count, newLine: head + y))
        }
        for t in 0..<tail {
            let x = a.count - tail + t, y = b.count - tail + t
            ops.append(Operation(kind: .same, text: a[x], oldLine: x, newLine: y))
        }
        return ops
    }
}
