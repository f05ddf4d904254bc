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
    /// - Throws: `ConfigError.unreadableFile`, `.malformedFile` or `.duplicateInFile`.
    public static func load(environment: Environment, fileSystem: FileSystem) throws -> SharedConfig {
        let (configPath, credentialsPath) = paths(in: environment)
        return SharedConfig(
            configPath: configPath, credentialsPath: credentialsPath,
            config: try parse(configPath, fileSystem),
            credentials: try parse(credentialsPath, fileSystem))
    }

    /// The paths of the config and credentials files: `AWS_CONFIG_FILE` and `AWS_SHARED_CREDENTIALS_FILE`,
    /// else `~/.aws/config` and `~/.aws/credentials`.
    public static func paths(in environment: Environment) -> (config: String, credentials: String) {
        let home = environment.homeForFiles
        // botocore expands variables, then `~` (`os.path.expandvars`, then `expanduser`).
        return (
            environment.expandingTilde(
                environment.expandingVariables(environment["AWS_CONFIG_FILE"] ?? "\(home)/.aws/config")),
            environment.expandingTilde(
                environment.expandingVariables(
                    environment["AWS_SHARED_CREDENTIALS_FILE"] ?? "\(home)/.aws/credentials"))
        )
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
    /// As botocore's `build_profile_map` and `Session.full_config` read them: in the config file,
    /// `[default]` and every section whose name starts with `profile` and splits (`shlex.split`) into
    /// two words, the second being the name (`[profile dev]`, `[profile "a b"]`, `[profile default]`);
    /// when several sections name one profile, the last in the file is the profile, not a merge of
    /// them. In the credentials file, the section named exactly `name`, whose keys win.
    public func profile(named name: String) -> Profile? {
        var keys: [String: INIFile.Value] = [:]
        var origins: [Profile.Origin] = []
        let isDefault = name == "default"
        let profileHeader = SectionMatcher(kind: "profile", name: name)
        let section = config.sectionNames { header in
            (isDefault && header.bytes.elementsEqual("default".utf8)) || profileHeader.matches(header)
        }.last
        if let section, let found = config.keys(ofSection: section) {
            keys = found
            origins.append(Profile.Origin(path: configPath, file: config, section: section))
        }
        if let found = credentials.keys(ofSection: name) {
            keys.merge(found) { _, new in new }
            origins.append(Profile.Origin(path: credentialsPath, file: credentials, section: name))
        }
        return origins.isEmpty ? nil : Profile(name: name, values: keys, origins: origins)
    }

    /// Every profile name of both files, each once: config-file profiles in file order, then
    /// credentials-file sections not already named.
    public var profileNames: [String] {
        var names: [String] = []
        for section in config.sectionOrder {
            guard let name = Self.profileName(ofConfigSection: section), !names.contains(name) else { continue }
            names.append(name)
        }
        for section in credentials.sectionOrder where !names.contains(section) { names.append(section) }
        return names
    }

    /// A section of the config file other than a profile, e.g. `[sso-session x]` or `[services x]`:
    /// the last section whose name starts with `kind` and splits into two words, the second `name`.
    public func section(kind: String, named name: String) -> [String: INIFile.Value]? {
        let matcher = SectionMatcher(kind: kind, name: name)
        guard let last = config.sectionNames(where: matcher.matches).last else { return nil }
        return config.keys(ofSection: last)
    }

    /// Whether a section header names `kind` and `name` (`profile dev`, `sso-session org`) as
    /// botocore's `_parse_section` decides it: the header starts with `kind` (so `[profiles x]` names
    /// profile `x` too) and splits (`shlex.split`) into exactly two words, the second being `name`.
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

        /// shlex's whitespace (`' \t\r\n'`).
        static func isBlank(_ byte: UInt8) -> Bool {
            byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
                || byte == UInt8(ascii: "\n")
        }

        func matches(_ header: INIFile.SectionName) -> Bool {
            let bytes = header.bytes
            guard bytes.count > kindBytes.count, let base = bytes.baseAddress,
                kindBytes.withUnsafeBufferPointer({ INIFile.same(base, $0) })
            else { return false }
            if header.hasQuoting {
                let words = sectionWords(String(decoding: bytes, as: UTF8.self))
                return words.count == 2 && words[1] == name
            }
            // The rest of the first word, blanks, exactly `name` (so one word), then only blanks.
            guard nameIsOneWord else { return false }
            var end = bytes.count
            while end > 0, Self.isBlank(base[end - 1]) { end -= 1 }
            let nameStart = end - nameBytes.count
            guard nameStart > kindBytes.count, Self.isBlank(base[nameStart - 1]),
                nameBytes.withUnsafeBufferPointer({ INIFile.same(base + nameStart, $0) })
            else { return false }
            var index = kindBytes.count
            while index < nameStart, !Self.isBlank(base[index]) { index += 1 }
            while index < nameStart, Self.isBlank(base[index]) { index += 1 }
            return index == nameStart
        }
    }

    /// The profile a config-file section header names (botocore's `build_profile_map`), or nil for
    /// other sections.
    static func profileName(ofConfigSection section: String) -> String? {
        section == "default" ? "default" : name(ofHeader: section, kind: "profile")
    }

    /// The name a config-file header gives a section of `kind` (`profile`, `sso-session`, `services`),
    /// as botocore's `_parse_section` reads it: the header starts with `kind` and splits into two
    /// shell words, the second being the name; nil otherwise.
    static func name(ofHeader header: String, kind: String) -> String? {
        guard header.hasPrefix(kind) else { return nil }
        let words = sectionWords(header)
        return words.count == 2 ? words[1] : nil
    }

    /// The names of the config file's sections of `kind` (`sso-session`, `services`), each once, in
    /// file order.
    public func sectionNames(kind: String) -> [String] {
        var names: [String] = []
        for header in config.sectionOrder {
            guard let name = Self.name(ofHeader: header, kind: kind), !names.contains(name) else { continue }
            names.append(name)
        }
        return names
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
    public var sources: [String] { origins.map(\.path) }
    /// The sections it was read from, in the order their keys were merged (credentials file last).
    public var origins: [Origin]

    /// A section a profile was read from: the file's path, its contents and the section's name.
    public struct Origin: Sendable, Equatable {
        public var path: String
        public var file: INIFile
        public var section: String

        public init(path: String, file: INIFile, section: String) {
            self.path = path
            self.file = file
            self.section = section
        }
    }

    /// A profile from parts; `sources` names files it came from, with no lines to point at.
    public init(name: String, values: [String: INIFile.Value], sources: [String] = []) {
        self.init(name: name, values: values, origins: sources.map { Origin(path: $0, file: INIFile(), section: name) })
    }

    /// A profile read from `origins`.
    public init(name: String, values: [String: INIFile.Value], origins: [Origin]) {
        self.name = name
        self.values = values
        self.origins = origins
    }

    /// Where `key`'s value was read: `FILE:LINE` of the file whose value won, or the files when no
    /// line is known (a profile built in a test); nil for a key the profile does not have.
    public func location(of key: String) -> String? {
        if let found = locations()[INIFile.lowercased(key)] { return found }
        return values[key] == nil || origins.isEmpty ? nil : sources.joined(separator: ", ")
    }

    /// `FILE:LINE` of every key's value (the file whose value won), in one pass over each section;
    /// `location(of:)` for all keys at once.
    public func locations() -> [String: String] {
        var found: [String: String] = [:]
        for origin in origins {
            for (key, line) in origin.file.keyLines(ofSection: origin.section) ?? [:] {
                found[key] = "\(origin.path):\(line)"
            }
        }
        return found
    }

    /// Profiles are equal when their names, values and source files are.
    public static func == (lhs: Profile, rhs: Profile) -> Bool {
        lhs.name == rhs.name && lhs.values == rhs.values && lhs.sources == rhs.sources
    }

    /// `profile 'NAME' (FILE:LINE)`, where `key` was read, for messages about its value.
    public func origin(of key: String) -> String {
        "profile '\(name)'" + (location(of: key).map { " (\($0))" } ?? "")
    }

    /// `KEY in profile 'NAME' (FILE:LINE)`, the wording of messages about a bad value.
    public func describe(_ key: String) -> String {
        "\(key) in \(origin(of: key))"
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
    /// `key in profile 'p' (FILE:LINE)`, for messages); nil when neither has it.
    public func setting(_ variable: String, key: String, profile: Profile?) -> (value: String, source: String)? {
        if let value = self[variable] { return (value, variable) }
        if let profile, let value = profile[key] { return (value, profile.describe(key)) }
        return nil
    }
}
