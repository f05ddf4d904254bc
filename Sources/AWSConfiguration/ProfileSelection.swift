import AWSSigning
import EKSAuthSystem

/// Which profile is in effect and what selected it.
public struct ProfileSelection: Sendable, Equatable {
    /// The profile name.
    public var name: String
    /// What named it: "--profile", "AWS_PROFILE", "AWS_DEFAULT_PROFILE" or "default".
    public var selectedBy: String

    /// Whether a flag or variable named the profile (so a missing profile is an error).
    public var isExplicit: Bool { selectedBy != "default" }
    /// Whether the `--profile` flag named it; like the AWS CLI, that turns off environment credentials.
    public var isFromFlag: Bool { selectedBy == "--profile" }

    /// A selection from parts.
    public init(name: String, selectedBy: String) {
        self.name = name
        self.selectedBy = selectedBy
    }

    /// `--profile`, then `AWS_PROFILE`, then `AWS_DEFAULT_PROFILE`, then `default`.
    public static func select(flag: String?, environment: Environment) -> ProfileSelection {
        if let flag, !flag.isEmpty { return ProfileSelection(name: flag, selectedBy: "--profile") }
        if let name = environment["AWS_PROFILE"] { return ProfileSelection(name: name, selectedBy: "AWS_PROFILE") }
        if let name = environment["AWS_DEFAULT_PROFILE"] {
            return ProfileSelection(name: name, selectedBy: "AWS_DEFAULT_PROFILE")
        }
        return ProfileSelection(name: "default", selectedBy: "default")
    }
}
