import EKSAuthSystem

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The date formats of SigV4, Kubernetes and the AWS APIs, in UTC, without locale-dependent formatters.
// Hand-written because it is on the start-up path of `token` (X-Amz-Date, expirationTimestamp, the
// expiry of a cached session): formatting and parsing one date with FoundationEssentials'
// Date.ISO8601FormatStyle costs about 2.0 M instructions in a static binary (callgrind: 4.35 M against
// 2.30 M for the same program without it), a fifth of the whole token path.
public enum Timestamp {
    /// Civil date and time parts of a UTC instant.
    struct Parts: Equatable {
        var year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int
    }

    /// `YYYYMMDD'T'HHMMSS'Z'`, the SigV4 `X-Amz-Date` form.
    public static func sigV4(_ date: Date) -> String {
        let p = parts(of: date)
        return pad(p.year, 4) + pad(p.month, 2) + pad(p.day, 2) + "T" + pad(p.hour, 2) + pad(p.minute, 2)
            + pad(p.second, 2) + "Z"
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`, the RFC 3339 form Kubernetes expects in `expirationTimestamp`.
    public static func rfc3339(_ date: Date) -> String {
        let p = parts(of: date)
        return pad(p.year, 4) + "-" + pad(p.month, 2) + "-" + pad(p.day, 2) + "T" + pad(p.hour, 2) + ":"
            + pad(p.minute, 2) + ":" + pad(p.second, 2) + "Z"
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|UTC|±HH:MM|±HHMM)` (also with a space for `T`); nil otherwise.
    public static func parseISO8601(_ text: String) -> Date? {
        let s = Array(text.trimmingWhitespace().utf8)
        guard s.count >= 19 else { return nil }
        func number(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= s.count else { return nil }
            var value = 0
            for byte in s[from..<(from + count)] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard let year = number(0, 4), s[4] == UInt8(ascii: "-"), let month = number(5, 2),
            s[7] == UInt8(ascii: "-"), let day = number(8, 2),
            s[10] == UInt8(ascii: "T") || s[10] == UInt8(ascii: "t") || s[10] == UInt8(ascii: " "),
            let hour = number(11, 2), s[13] == UInt8(ascii: ":"), let minute = number(14, 2),
            s[16] == UInt8(ascii: ":"), let second = number(17, 2),
            (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day), hour < 24, minute < 60,
            second < 61
        else { return nil }
        var index = 19
        var fraction = 0.0
        if index < s.count, s[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 0.1
            let start = index
            while index < s.count, s[index] >= 48, s[index] <= 57 {
                fraction += Double(s[index] - 48) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        let zone = String(decoding: s[index...], as: UTF8.self)
        var offset = 0
        switch zone {
        case "Z", "z", "UTC", "+00:00", "-00:00", "+0000": offset = 0
        default:
            let z = Array(zone.utf8)
            guard z.count == 6 || z.count == 5, z[0] == UInt8(ascii: "+") || z[0] == UInt8(ascii: "-") else {
                return nil
            }
            let digits = z.count == 6 ? [z[1], z[2], z[4], z[5]] : [z[1], z[2], z[3], z[4]]
            guard digits.allSatisfy({ $0 >= 48 && $0 <= 57 }), z.count == 5 || z[3] == UInt8(ascii: ":") else {
                return nil
            }
            let d = digits.map { Int($0 - 48) }
            offset = (d[0] * 10 + d[1]) * 3600 + (d[2] * 10 + d[3]) * 60
            if z[0] == UInt8(ascii: "-") { offset = -offset }
        }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    /// The number of days in `month` of `year` (Gregorian leap years).
    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    static func parts(of date: Date) -> Parts {
        let total = Int(date.timeIntervalSince1970.rounded(.down))
        let days = Int((Double(total) / 86_400).rounded(.down))
        let secondsOfDay = total - days * 86_400
        let (y, m, d) = civilFromDays(days)
        return Parts(
            year: y, month: m, day: d, hour: secondsOfDay / 3600, minute: secondsOfDay % 3600 / 60,
            second: secondsOfDay % 60)
    }

    // Howard Hinnant's days-from-civil algorithms (proleptic Gregorian calendar).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}
