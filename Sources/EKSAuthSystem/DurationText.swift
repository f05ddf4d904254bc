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
}
