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
        let home = environment.homeForFiles
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
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw ConfigError.unreadableFile(path: path, reason: "not UTF-8 text")
        }
        return try INIFile(parsing: bytes, path: path)
    }

    /// The profile `name` from both files, credentials-file keys winning; nil when neither has it.
    ///
    /// Config file sections are `[default]`, `[profile NAME]` (also `[profile "NAME"]`); the credentials
    /// file uses `[NAME]`. Like botocore, `[profile default]` is the default profile too.
    public func profile(named name: String) -> Profile? {
        var keys: [String: INIFile.Value] = [:]
        var sources: [String] = []
        let isDefault = name == "default"
        let sections = config.sectionNames { header in
            (isDefault && header.elementsEqual("default".utf8)) || Self.header(header, is: "profile", name)
        }
        for section in sections {
            keys.merge(config.keys(ofSection: section) ?? [:]) { _, new in new }
        }
        if !sections.isEmpty { sources.append(configPath) }
        if let section = credentials.keys(ofSection: name) {
            keys.merge(section) { _, new in new }
            sources.append(credentialsPath)
        }
        return sources.isEmpty ? nil : Profile(name: name, values: keys, sources: sources)
    }

    /// A section of the config file other than a profile, e.g. `[sso-session x]` or `[services x]`.
    public func section(kind: String, named name: String) -> [String: INIFile.Value]? {
        guard let first = config.sectionNames(where: { Self.header($0, is: kind, name) }).first else { return nil }
        return config.keys(ofSection: first)
    }

    /// Whether the section header `bytes` names `kind` and `name` (`profile dev`, `sso-session org`),
    /// as botocore splits headers (`shlex.split`, two words). A generated config has thousands of
    /// profile headers and every `token` call looks through them all, so the usual header without
    /// quotes or backslashes is compared on its bytes; the shell-word splitter, about 16 K
    /// instructions a header, runs only for the others.
    static func header(_ bytes: UnsafeBufferPointer<UInt8>, is kind: String, _ name: String) -> Bool {
        var (kindText, nameText) = (kind, name)
        return kindText.withUTF8 { kindBytes in
            nameText.withUTF8 { nameBytes in
                let isBlank = { (b: UInt8) in b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") }
                guard bytes.count > kindBytes.count, UnsafeBufferPointer(rebasing: bytes[..<kindBytes.count])
                    .elementsEqual(kindBytes), isBlank(bytes[kindBytes.count])
                else { return false }
                if bytes.contains(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "'") || $0 == UInt8(ascii: "\\") }) {
                    return sectionWords(String(decoding: bytes, as: UTF8.self)) == [kind, name]
                }
                // `kind`, blanks, then exactly `name` (which then holds no blank: two words).
                guard !nameBytes.isEmpty, bytes.count >= kindBytes.count + 1 + nameBytes.count,
                    UnsafeBufferPointer(rebasing: bytes[(bytes.count - nameBytes.count)...]).elementsEqual(nameBytes)
                else { return false }
                return bytes[kindBytes.count..<(bytes.count - nameBytes.count)].allSatisfy(isBlank)
                    && !nameBytes.contains(where: isBlank)
            }
        }
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
