import AWSConfiguration
import EKSAuthCore
import EKSAuthSystem

/// How the command line spells the fields the core names by type: the executable's half of errors
/// that say which flag to fix. The core says `RoleField.durationSeconds`; the user reads
/// `invalid --duration-seconds: expected 900 to 43200 seconds`.
package enum FlagSpelling {
    /// The flag of a role field: the first spelling in the token flag table.
    package static func flag(for field: RoleField) -> String {
        switch field {
        case .roleARN: return TokenFlag.roleARN.spelling
        case .externalID: return TokenFlag.externalID.spelling
        case .sessionName: return TokenFlag.sessionName.spelling
        case .forwardSessionName: return TokenFlag.forwardSessionName.spelling
        case .durationSeconds: return TokenFlag.durationSeconds.spelling
        case .serialNumber: return TokenFlag.serialNumber.spelling
        case .tokenCode: return TokenFlag.tokenCode.spelling
        }
    }

    /// The flag of a setting the configuration layer resolves.
    package static func flag(for field: SettingField) -> String {
        switch field {
        case .profile: return TokenFlag.profile.spelling
        case .region: return TokenFlag.region.spelling
        }
    }

    /// The flag of a `setup` field, as `eks-auth setup` declares it (ArgumentParser derives these
    /// names from the property names there).
    package static func flag(for field: SetupField) -> String {
        switch field {
        case .account: return "--account"
        case .group: return "--group"
        case .roleName: return "--role-name"
        case .namespace: return "--namespace"
        case .accessEntry: return "--access-entry"
        case .apply: return "--apply"
        }
    }

    /// The message and hint of `error` as printed: fields the core names by type are spelled as flags;
    /// every other error keeps its own wording.
    package static func wording(of error: any EKSAuthError) -> (message: String, hint: String?) {
        switch error {
        case let error as RoleRequestError:
            return (error.message(naming: flag(for:)), error.hint(naming: flag(for:)))
        case let error as SetupError:
            return (error.message(naming: flag(for:)), error.hint)
        case ConfigError.invalidClusterID(""):
            let flag = TokenFlag.clusterName
            let others = flag.shortNames.map { "-\($0)" } + flag.longNames.dropFirst().map { "--\($0)" }
            return ("no cluster name: pass \(flag.spelling) NAME (or \(others.joined(separator: " / ")))", error.hint)
        default:
            return (error.message, error.hint)
        }
    }
}
