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
}
