import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

/// Plain-text tables with left-aligned columns, as kubectl prints them.
public enum TableText {
    /// `header` and `rows` as lines, columns separated by at least three spaces. When the lines would be
    /// wider than `maximumWidth`, the cells of column `shrinking` lose their start (`…:role/eks-dev`: the
    /// end of an ARN is its name) until they fit, down to the header's width.
    public static func render(
        header: [String], rows: [[String]], maximumWidth: Int = .max, shrinking: Int? = nil
    ) -> String {
        var all = [header] + rows
        var widths = header.indices.map { column in
            all.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0
        }
        let lineWidth = widths.reduce(0, +) + 3 * (widths.count - 1)
        if let shrinking, widths.indices.contains(shrinking), lineWidth > maximumWidth {
            let width = max(header[shrinking].count, widths[shrinking] - (lineWidth - maximumWidth))
            for index in all.indices where all[index].indices.contains(shrinking) {
                let cell = all[index][shrinking]
                if cell.count > width { all[index][shrinking] = "…" + cell.suffix(width - 1) }
            }
            widths[shrinking] = width
        }
        return all.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - cell.count + 3)
            }.joined()
        }.joined(separator: "\n")
    }
}
