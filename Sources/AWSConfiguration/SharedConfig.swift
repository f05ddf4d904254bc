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
        guard isUTF8(bytes) else {
            throw ConfigError.unreadableFile(path: path, reason: "not UTF-8 text")
        }
        return try INIFile(parsing: bytes, path: path)
    }

    /// Whether `bytes` are UTF-8. The usual all-ASCII file is checked 32 bytes at a time, without
    /// the copy that `String(validating:)` makes (about 0.4 M instructions on a 290 KB config).
    static func isUTF8(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            var index = 0
            let highs: UInt64 = 0x8080_8080_8080_8080
            while index + 32 <= raw.count {
                let words = (0..<4).reduce(UInt64(0)) {
                    $0 | raw.loadUnaligned(fromByteOffset: index + 8 * $1, as: UInt64.self)
                }
                if words & highs != 0 { break }
                index += 32
            }
            while index < raw.count, raw[index] < 0x80 { index += 1 }
            // Every byte before `index` is ASCII, so a character starts there.
            return index == raw.count
                || String(validating: UnsafeRawBufferPointer(rebasing: raw[index...]), as: UTF8.self) != nil
        }
    }

    /// The profile `name` from both files, credentials-file keys winning; nil when neither has it.
    ///
    /// Config file sections are `[default]`, `[profile NAME]` (also `[profile "NAME"]`); the credentials
    /// file uses `[NAME]`. Like botocore, `[profile default]` is the default profile too.
    public func profile(named name: String) -> Profile? {
        var keys: [String: INIFile.Value] = [:]
        var sources: [String] = []
        let isDefault = name == "default"
        let profileHeader = SectionMatcher(kind: "profile", name: name)
        let sections = config.sectionNames { header in
            (isDefault && header.bytes.elementsEqual("default".utf8)) || profileHeader.matches(header)
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
        let matcher = SectionMatcher(kind: kind, name: name)
        guard let first = config.sectionNames(where: matcher.matches).first else { return nil }
        return config.keys(ofSection: first)
    }

    /// Whether a section header names `kind` and `name` (`profile dev`, `sso-session org`), as botocore
    /// splits headers (`shlex.split`, two words).
    ///
    /// A generated config has thousands of profile headers and every `token` call looks through them
    /// all, so a header without quotes or backslashes (the INI reader notes which have them) is
    /// compared on its bytes, from the end, where generated names differ: about 20 instructions a
    /// header instead of 700 for the generic comparisons this replaced. The shell-word splitter
    /// (about 16 K instructions a header) runs only for headers with quoting.
    struct SectionMatcher {
        let kind: String
        let name: String
        private let kindBytes: [UInt8]
        private let nameBytes: [UInt8]
        private let nameIsOneWord: Bool

        init(kind: String, name: String) {
            self.kind = kind
            self.name = name
            self.kindBytes = Array(kind.utf8)
            self.nameBytes = Array(name.utf8)
            self.nameIsOneWord = !nameBytes.isEmpty && !nameBytes.contains(where: Self.isBlank)
        }

        static func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }

        func matches(_ header: INIFile.SectionName) -> Bool {
            let bytes = header.bytes
            if header.hasQuoting {
                return sectionWords(String(decoding: bytes, as: UTF8.self)) == [kind, name]
            }
            // `kind`, blanks, then exactly `name` (which then holds no blank: two words).
            guard nameIsOneWord, bytes.count > kindBytes.count + nameBytes.count, let base = bytes.baseAddress
            else { return false }
            let nameStart = bytes.count - nameBytes.count
            let same =
                nameBytes.withUnsafeBufferPointer { INIFile.same(base + nameStart, $0) }
                && kindBytes.withUnsafeBufferPointer { INIFile.same(base, $0) }
            guard same else { return false }
            for index in kindBytes.count..<nameStart where !Self.isBlank(base[index]) { return false }
            return true
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
