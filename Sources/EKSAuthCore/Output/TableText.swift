import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

/// Plain-text tables with left-aligned columns, as kubectl prints them.
public enum TableText {
    /// `header` and `rows` as lines, columns separated by at least three spaces.
    public static func render(header: [String], rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in
            all.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0
        }
        return all.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - cell.count + 3)
            }.joined()
        }.joined(separator: "\n")
    }
}
