import AWSSigning
import EKSAuthSystem

/// IAM ARNs as the EKS authenticator compares them.
public enum ARN {
    /// Partitions the authenticator accepts.
    static let partitions: Set<String> = [
        "aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc",
    ]

    /// The ARN aws-auth entries are matched against: an assumed-role session ARN becomes its role ARN
    /// (without the IAM path, which session ARNs never carry); users, roles, root and federated users
    /// stay as they are. Nil for anything else.
    public static func canonical(_ arn: String) -> String? {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 6, parts[0] == "arn", partitions.contains(parts[1]), parts[4].count == 12,
            parts[4].allSatisfy(\.isNumber)
        else { return nil }
        let (partition, service, account, resource) = (parts[1], parts[2], parts[4], parts[5])
        let segments = resource.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        switch (service, segments.first) {
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
        guard arn.contains(":assumed-role/"), let last = arn.split(separator: "/").last else { return nil }
        return String(last)
    }

    /// The account id of an ARN, else nil.
    public static func account(_ arn: String) -> String? {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        return parts.count == 6 ? String(parts[4]) : nil
    }
}
