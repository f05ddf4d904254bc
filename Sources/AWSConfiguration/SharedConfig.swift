import AWSSigning
import EKSAuthSystem

/// The AWS shared config (`~/.aws/config`) and credentials (`~/.aws/credentials`) files, read once.
public struct SharedConfig: Sendable, Equatable {
    /// Where the config file is (after `AWS_CONFIG_FILE` and `~` expansion), for messages.
    public var configPath: String
    /// Where the credentials file is (after `AWS_SHARED_CREDENTIALS_FILE`), for messages.
    public var credentialsPath: String
    /// The config file's contents (empty when it does not exist).
    public var config: INIFile
    /// The credentials file's contents (empty when it does not exist).
    public var credentials: INIFile

    /// Files from already-parsed contents.
    public init(configPath: String, credentialsPath: String, config: INIFile, credentials: INIFile) {
        self.configPath = configPath
        self.credentialsPath = credentialsPath
        self.config = config
        self.credentials = credentials
    }

    /// Reads both files from their default or environment-given paths; a missing file is empty.
    /// - Throws: `ConfigError.unreadableFile` or `.malformedFile`.
    public static func load(environment: Environment, fileSystem: FileSystem) throws -> SharedConfig {
        let home = environment.home ?? "~"
        let configPath = environment.expandingTilde(environment["AWS_CONFIG_FILE"] ?? "\(home)/.aws/config")
        let credentialsPath = environment.expandingTilde(
            environment["AWS_SHARED_CREDENTIALS_FILE"] ?? "\(home)/.aws/credentials")
        return SharedConfig(
            configPath: configPath, credentialsPath: credentialsPath,
            config: try parse(configPath, fileSystem),
            credentials: try parse(credentialsPath, fileSystem))
    }

    private static func parse(_ path: String, _ fileSystem: FileSystem) throws -> INIFile {
        let bytes: [UInt8]?
        do {
            bytes = try fileSystem.read(path)
        } catch let error as FileSystemError {
            throw ConfigError.unreadableFile(path: path, reason: error.reason)
        }
        guard let bytes else { return INIFile() }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ConfigError.unreadableFile(path: path, reason: "not UTF-8 text")
        }
        return try INIFile(parsing: text, path: path)
    }

    /// The profile `name` from both files, credentials-file keys winning; nil when neither has it.
    ///
    /// Config file sections are `[default]`, `[profile NAME]` (also `[profile "NAME"]`); the credentials
    /// file uses `[NAME]`. Like botocore, `[profile default]` is the default profile too.
    public func profile(named name: String) -> Profile? {
        var keys: [String: INIFile.Value] = [:]
        var sources: [String] = []
        var found = false
        for section in config.sectionOrder {
            guard Self.profileName(ofConfigSection: section) == name else { continue }
            keys.merge(config.sections[section]!) { _, new in new }
            found = true
            if !sources.contains(configPath) { sources.append(configPath) }
        }
        if let section = credentials.sections[name] {
            keys.merge(section) { _, new in new }
            found = true
            sources.append(credentialsPath)
        }
        return found ? Profile(name: name, values: keys, sources: sources) : nil
    }

    /// A section of the config file other than a profile, e.g. `[sso-session x]` or `[services x]`.
    public func section(kind: String, named name: String) -> [String: INIFile.Value]? {
        for section in config.sectionOrder {
            let words = Self.sectionWords(section)
            if words.count == 2, words[0] == kind, words[1] == name { return config.sections[section] }
        }
        return nil
    }

    /// The profile a config-file section header names, or nil for other sections.
    static func profileName(ofConfigSection section: String) -> String? {
        if section == "default" { return "default" }
        let words = sectionWords(section)
        guard words.count == 2, words[0] == "profile" else { return nil }
        return words[1]
    }

    /// The words of a section header, split as botocore splits it (`shlex.split`): `profile "a b"` is
    /// `["profile", "a b"]`. A header with an unclosed quote has no words, so botocore and we skip it.
    static func sectionWords(_ section: String) -> [String] {
        (try? ShellWords.split(section)) ?? []
    }
}

/// One named profile, merged from the config and credentials files.
public struct Profile: Sendable, Equatable {
    /// The profile name.
    public var name: String
    /// Its keys, lower-cased.
    public var values: [String: INIFile.Value]
    /// The files it was read from, for messages.
    public var sources: [String]

    /// A profile from parts.
    public init(name: String, values: [String: INIFile.Value], sources: [String] = []) {
        self.name = name
        self.values = values
        self.sources = sources
    }

    /// The non-empty string value of `key`.
    public subscript(_ key: String) -> String? {
        guard let value = values[key]?.string, !value.isEmpty else { return nil }
        return value
    }

    /// The nested block under `key`, e.g. `s3` or `sts` inside a services section.
    public func nested(_ key: String) -> [String: String]? {
        if case .nested(let block) = values[key] { return block }
        return nil
    }
}

extension Environment {
    /// A setting from `variable`, else from `key` of `profile`, with where it came from (`AWS_X` or
    /// `key in profile 'p'`, for messages); nil when neither has it.
    public func setting(_ variable: String, key: String, profile: Profile?) -> (value: String, source: String)? {
        if let value = self[variable] { return (value, variable) }
        if let profile, let value = profile[key] { return (value, "\(key) in profile '\(profile.name)'") }
        return nil
    }
}
