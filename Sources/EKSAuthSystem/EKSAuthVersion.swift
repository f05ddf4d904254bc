/// This program's version, for `--version` and the User-Agent.
public enum EKSAuthVersion {
    /// The User-Agent every request carries, e.g. `eks-auth/0.1.0`.
    public static var userAgent: String { "eks-auth/\(current)" }

    /// The version string.
    public static let current = "0.1.0"
}
