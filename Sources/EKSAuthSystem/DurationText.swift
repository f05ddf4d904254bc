/// A span of time in words for people, in the two largest units that matter: `45 s`, `14 min 59 s`,
/// `3 h 20 min`, `2 d 1 h`. Negative spans are spoken by their size; the caller says "ago" or "left".
public enum DurationText {
    /// `seconds` (rounded down to whole seconds) in at most two units.
    public static func spoken(_ seconds: Int) -> String {
        let s = seconds.magnitude
        switch s {
        case ..<60: return "\(s) s"
        case ..<3_600: return "\(s / 60) min \(s % 60) s"
        case ..<86_400: return "\(s / 3_600) h \(s % 3_600 / 60) min"
        default: return "\(s / 86_400) d \(s % 86_400 / 3_600) h"
        }
    }

    /// A short pause in words: `150 ms` below a second, else seconds with one decimal (`1.5 s`, `5 s`).
    public static func pause(_ seconds: Double) -> String {
        if seconds < 1 { return "\(Int((seconds * 1000).rounded())) ms" }
        let tenths = Int((seconds * 10).rounded())
        return tenths % 10 == 0 ? "\(tenths / 10) s" : "\(tenths / 10).\(tenths % 10) s"
    }
}
