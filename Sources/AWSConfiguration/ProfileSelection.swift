import AWSSigning
import EKSAuthSystem

/// Which profile is in effect and what selected it.
public struct ProfileSelection: Sendable, Equatable {
    /// The profile name.
    public var name: String
    /// What named it: `.flag(.profile)`, `.environment("AWS_PROFILE")`, `.environment("AWS_DEFAULT_PROFILE")`
    /// or `.default`.
    public var origin: SettingSource

    /// `origin` worded for traces, reports and messages ("--profile", "AWS_PROFILE", … or "default").
    public var selectedBy: String { origin.description }
    /// Whether a flag or variable named the profile (so a missing profile is an error).
    public var isExplicit: Bool { origin != .default }
    /// Whether the `--profile` flag named it; like the AWS CLI, that turns off environment credentials.
    public var isFromFlag: Bool { origin == .flag(.profile) }

    /// A selection from parts.
    public init(name: String, origin: SettingSource) {
        self.name = name
        self.origin = origin
    }

    /// The profile flag's value, then `AWS_PROFILE`, then `AWS_DEFAULT_PROFILE`, then `default`.
    public static func select(flag: String?, environment: Environment) -> ProfileSelection {
        if let flag, !flag.isEmpty { return ProfileSelection(name: flag, origin: .flag(.profile)) }
        for variable in ["AWS_PROFILE", "AWS_DEFAULT_PROFILE"] {
            if let name = environment[variable] { return ProfileSelection(name: name, origin: .environment(variable)) }
        }
        return ProfileSelection(name: "default", origin: .default)
    }
}
