import EKSAuthSystem

/// A setting the plugin's command line can name. The executable spells each one as its option;
/// the configuration layer only knows that a flag named it.
public enum SettingField: Sendable, Hashable, CaseIterable {
    /// The profile of the shared config files.
    case profile
    /// The AWS region.
    case region
}

/// Where a setting's value came from, so a message can say which input to fix.
public enum SettingSource: Sendable, Hashable, CustomStringConvertible {
    /// The plugin's command line.
    case flag(SettingField)
    /// An environment variable, by name.
    case environment(String)
    /// A key of a profile in the shared config files, with the `FILE:LINE` of its value when a
    /// message needs it (`located(in:)`).
    case profileKey(profile: String, key: String, location: String? = nil)
    /// Instance metadata reported it (only asked for when nothing else named a region).
    case instanceMetadata
    /// Nothing named it: the built-in default.
    case `default`

    /// This source with the `FILE:LINE` of a profile key's value, read from `profile` (only for
    /// messages: it reads the section's lines again); other sources unchanged.
    public func located(in profile: Profile?) -> SettingSource {
        guard case .profileKey(let name, let key, nil) = self, let profile, profile.name == name,
            let location = profile.location(of: key)
        else { return self }
        return .profileKey(profile: name, key: key, location: location)
    }

    /// The wording of traces, `whoami` rows and configuration messages: `AWS_PROFILE`,
    /// `region in profile 'dev'`, `instance metadata`, `default`.
    ///
    /// A flag is worded as the plugin's own option (`--profile`, `--region`): the trace and the
    /// `whoami` report are worded in the core, and kubectl users read them next to their exec args.
    /// The executable's `FlagSpelling` holds the same spellings for its messages; a test there keeps
    /// the two equal.
    public var description: String {
        switch self {
        case .flag(.profile): return "--profile"
        case .flag(.region): return "--region"
        case .environment(let name): return name
        case .profileKey(let profile, let key, let location):
            return "\(key) in profile '\(profile)'" + (location.map { " (\($0))" } ?? "")
        case .instanceMetadata: return "instance metadata"
        case .default: return "default"
        }
    }
}
