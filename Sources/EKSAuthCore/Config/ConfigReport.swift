import AWSConfiguration
import AWSSigning
import EKSAuthSystem

/// The core of `eks-auth config list-profiles` and `eks-auth config show`: the profiles of the shared
/// config and credentials files as eks-auth reads them, key by key with the file and line each value
/// came from, so a user can see why a profile does what it does (and a test can compare the reading
/// with botocore's, profile by profile and key by key).
///
/// Secrets are never printed: `aws_secret_access_key`, `aws_session_token` and `aws_security_token`
/// show as `<redacted sha256:XXXXXXXXXXXX>`, the first 12 hex digits of the value's SHA-256, enough
/// to tell two values apart and nothing to sign with.
public struct ConfigReport: Sendable {
    /// The files as read.
    public let config: SharedConfig
    let environment: Environment

    /// Reads the shared files of `system` (`AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE` or `~/.aws`).
    /// - Throws: `ConfigError` for a file that cannot be read or parsed.
    public init(system: SystemContext) throws {
        self.config = try SharedConfig.load(environment: system.environment, fileSystem: system.fileSystem)
        self.environment = system.environment
    }

    /// Keys whose values are secrets.
    static let secretKeys: Set<String> = ["aws_secret_access_key", "aws_session_token", "aws_security_token"]

    /// Every profile name, one a line, in the order botocore lists them (`aws configure list-profiles`).
    public func profileList() -> String {
        config.profileNames.joined(separator: "\n")
    }

    /// The profiles to show: all of them, or the one `--profile`, `AWS_PROFILE`, `AWS_DEFAULT_PROFILE`
    /// or `default` selects.
    /// - Throws: `ConfigError.profileNotFound` when the selected profile is in neither file.
    func profiles(flag: String?, all: Bool) throws -> [(String, Profile)] {
        if all { return config.profileNames.compactMap { name in config.profile(named: name).map { (name, $0) } } }
        let selection = ProfileSelection.select(flag: flag, environment: environment)
        guard let profile = config.profile(named: selection.name) else {
            throw ConfigError.profileNotFound(
                profile: selection.name, selectedBy: selection.selectedBy,
                files: [config.configPath, config.credentialsPath])
        }
        return [(selection.name, profile)]
    }

    /// The profile(s) as a table per profile (`KEY  VALUE  FROM`), nested keys as `block.name`;
    /// lines whose text after a section header was ignored are listed last.
    /// - Throws: `ConfigError.profileNotFound` as `profiles(flag:all:)`.
    public func text(profile flag: String?, all: Bool) throws -> String {
        var parts: [String] = []
        for (name, profile) in try profiles(flag: flag, all: all) {
            var rows: [[String]] = []
            let locations = profile.locations()
            for key in profile.values.keys.sorted() {
                let from = locations[key] ?? ""
                switch Shown(key, profile.values[key]!) {
                case .string(let value):
                    rows.append([key, value.replacingNewlines, from])
                case .nested(let block):
                    for inner in block.keys.sorted() {
                        rows.append(["\(key).\(inner)", block[inner]!.replacingNewlines, from])
                    }
                }
            }
            let title = "profile \(name) (\(profile.sources.joined(separator: ", ")))"
            parts.append(
                rows.isEmpty
                    ? title + "\n  (no keys)"
                    : title + "\n" + TableText.render(header: ["KEY", "VALUE", "FROM"], rows: rows))
        }
        let ignored = ignoredText()
        if !ignored.isEmpty {
            parts.append(
                ignored.map { "\($0): text after the section header's ']' is ignored" }.joined(separator: "\n"))
        }
        return parts.joined(separator: "\n\n")
    }

    /// The profile(s) as one JSON object: `{"configFile", "credentialsFile", "profiles": {NAME: {KEY:
    /// "value" or {NAME: "value"}}}, "from": {NAME: {KEY: "FILE:LINE"}}, "ssoSessions": {NAME: {KEY: …}},
    /// "services": {NAME: {KEY: …}}, "ignoredText": ["FILE:LINE"]}`; the sessions and services only
    /// with `all`.
    /// - Throws: `ConfigError.profileNotFound` as `profiles(flag:all:)`.
    public func json(profile flag: String?, all: Bool) throws -> String {
        var shown: [String: [String: Shown]] = [:]
        var from: [String: [String: String]] = [:]
        for (name, profile) in try profiles(flag: flag, all: all) {
            shown[name] = Shown.all(profile.values)
            from[name] = profile.locations()
        }
        return JSONOutput.compact(
            Document(
                configFile: config.configPath, credentialsFile: config.credentialsPath, profiles: shown, from: from,
                ssoSessions: all ? sections(kind: "sso-session") : [:],
                services: all ? sections(kind: "services") : [:],
                ignoredText: ignoredText()))
    }

    /// The config file's sections of `kind` (`sso-session`, `services`) by name, as botocore's
    /// `build_profile_map` collects them.
    func sections(kind: String) -> [String: [String: Shown]] {
        var found: [String: [String: Shown]] = [:]
        for name in config.sectionNames(kind: kind) {
            found[name] = config.section(kind: kind, named: name).map(Shown.all)
        }
        return found
    }

    /// `FILE:LINE` of each section header whose trailing text was ignored.
    func ignoredText() -> [String] {
        config.config.ignoredText.map { "\(config.configPath):\($0)" }
            + config.credentials.ignoredText.map { "\(config.credentialsPath):\($0)" }
    }

    /// `value`, or its redaction when `key` holds a secret.
    static func shown(_ key: String, _ value: String) -> String {
        guard secretKeys.contains(key.lowercased()) else { return value }
        return "<redacted sha256:\(Crypto.hex(Crypto.sha256(Array(value.utf8))).prefix(12))>"
    }

    struct Document: Encodable {
        var configFile: String
        var credentialsFile: String
        var profiles: [String: [String: Shown]]
        var from: [String: [String: String]]
        var ssoSessions: [String: [String: Shown]]
        var services: [String: [String: Shown]]
        var ignoredText: [String]
    }

    /// A value as shown: secrets redacted, in a nested block too.
    enum Shown: Encodable {
        case string(String)
        case nested([String: String])

        init(_ key: String, _ value: INIFile.Value) {
            switch value {
            case .string(let text): self = .string(ConfigReport.shown(key, text))
            case .nested(let block):
                self = .nested(Dictionary(uniqueKeysWithValues: block.map { ($0, ConfigReport.shown($0, $1)) }))
            }
        }

        /// Every key of a section or profile, shown.
        static func all(_ values: [String: INIFile.Value]) -> [String: Shown] {
            Dictionary(uniqueKeysWithValues: values.map { ($0, Shown($0, $1)) })
        }

        func encode(to encoder: Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .string(let value): try container.encode(value)
            case .nested(let block): try container.encode(block)
            }
        }
    }
}

extension String {
    /// The text on one line: each line end written as `\n`.
    fileprivate var replacingNewlines: String {
        split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\\n")
    }
}
