import AWSSigning
import EKSAuthSystem

/// An Amazon Resource Name split into its six fields, the one ARN reader of the project:
/// `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE` (the resource may hold further `:` and `/`).
/// See https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html.
public struct ARN: Sendable, Equatable {
    /// `aws`, `aws-cn`, `aws-us-gov`, …
    public var partition: String
    /// `iam`, `sts`, `eks`, …
    public var service: String
    /// The region, empty for global services such as IAM.
    public var region: String
    /// The 12-digit account id (empty for some services' resources).
    public var account: String
    /// Everything after the fifth `:`, e.g. `role/path/name` or `assumed-role/name/session`.
    public var resource: String

    /// Splits `text`; nil unless it starts with `arn:` and has all six fields.
    public init?(_ text: String) {
        // Five colons found on the UTF-8 view, not `split` into an array of substrings: a role ARN is
        // checked on every `token --role-arn` call, and the generic split cost 20 K instructions there.
        let utf8 = text.utf8
        var cuts: [String.Index] = []
        cuts.reserveCapacity(5)
        var index = utf8.startIndex
        while cuts.count < 5, index != utf8.endIndex {
            if utf8[index] == UInt8(ascii: ":") { cuts.append(index) }
            index = utf8.index(after: index)
        }
        guard cuts.count == 5, text[..<cuts[0]] == "arn" else { return nil }
        func field(_ n: Int) -> String {
            String(text[utf8.index(after: cuts[n - 1])..<(n < 5 ? cuts[n] : text.endIndex)])
        }
        partition = field(1)
        service = field(2)
        region = field(3)
        account = field(4)
        resource = field(5)
    }

    /// The ARN as text.
    public var text: String { "arn:\(partition):\(service):\(region):\(account):\(resource)" }

    /// The resource's `/`-separated segments, e.g. `["assumed-role", "name", "session"]`.
    public var resourceSegments: [String] {
        resource.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
    }

    /// Whether this names an IAM role (`arn:P:iam::A:role/[path/]NAME`).
    public var isIAMRole: Bool { service == "iam" && resource.hasPrefix("role/") && resource.count > 5 }
}

/// IAM ARNs as the EKS authenticator compares them.
extension ARN {
    /// Partitions the authenticator accepts.
    static let partitions: Set<String> = [
        "aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc",
    ]

    /// The ARN aws-auth entries are matched against: an assumed-role session ARN becomes its role ARN
    /// (without the IAM path, which session ARNs never carry); users, roles, root and federated users
    /// stay as they are. Nil for anything else.
    public static func canonical(_ arn: String) -> String? {
        guard let parsed = ARN(arn), partitions.contains(parsed.partition), parsed.account.count == 12,
            parsed.account.allSatisfy(\.isNumber)
        else { return nil }
        let (partition, account, segments) = (parsed.partition, parsed.account, parsed.resourceSegments)
        switch (parsed.service, segments.first) {
        case ("sts", "assumed-role"):
            guard segments.count >= 3 else { return nil }
            return "arn:\(partition):iam::\(account):role/\(segments[1..<(segments.count - 1)].joined(separator: "/"))"
        case ("sts", "federated-user"):
            return arn
        case ("iam", "role"), ("iam", "user"), ("iam", "root"):
            return arn
        default:
            return nil
        }
    }

    /// The session name of an assumed-role ARN (its last segment), else nil.
    public static func sessionName(_ arn: String) -> String? {
        guard let segments = ARN(arn)?.resourceSegments, segments.count >= 3, segments[0] == "assumed-role" else {
            return nil
        }
        return segments.last
    }

    /// The account id of an ARN, else nil.
    public static func account(_ arn: String) -> String? {
        ARN(arn)?.account
    }
}
