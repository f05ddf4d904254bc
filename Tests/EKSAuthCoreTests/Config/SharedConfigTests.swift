import EKSAuthTestSupport
import Testing

@testable import AWSConfiguration
@testable import AWSSigning
@testable import AWSTransport
@testable import EKSAuthCore
@testable import EKSAuthSystem

@Suite("SharedConfig")
struct SharedConfigTests {
    static let home = "/home/u"
    static let configPath = "/home/u/.aws/config"
    static let credentialsPath = "/home/u/.aws/credentials"

    @Test("reads ~/.aws/config and ~/.aws/credentials under HOME by default")
    func defaultPaths() throws {
        let files = InMemoryFileSystem([
            Self.configPath: "[default]\nregion = us-west-2\n",
            Self.credentialsPath: "[default]\naws_access_key_id = AKIDEXAMPLE\n",
        ])
        let shared = try SharedConfig.load(environment: ["HOME": Self.home], fileSystem: files)
        #expect(shared.configPath == Self.configPath)
        #expect(shared.credentialsPath == Self.credentialsPath)
        #expect(shared.config.sections["default"]?["region"] == .string("us-west-2"))
        #expect(shared.credentials.sections["default"]?["aws_access_key_id"] == .string("AKIDEXAMPLE"))
    }

    @Test("takes the paths from AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE")
    func pathsFromEnvironment() throws {
        let files = InMemoryFileSystem([
            "/etc/aws/config": "[profile dev]\nregion = eu-west-1\n",
            "/srv/creds": "[dev]\naws_access_key_id = AKIDEXAMPLE\n",
            Self.configPath: "[profile dev]\nregion = us-east-2\n",
        ])
        let environment: Environment = [
            "HOME": Self.home, "AWS_CONFIG_FILE": "/etc/aws/config", "AWS_SHARED_CREDENTIALS_FILE": "/srv/creds",
        ]
        let shared = try SharedConfig.load(environment: environment, fileSystem: files)
        #expect(shared.configPath == "/etc/aws/config")
        #expect(shared.credentialsPath == "/srv/creds")
        #expect(shared.profile(named: "dev")?["region"] == "eu-west-1")
        #expect(shared.profile(named: "dev")?["aws_access_key_id"] == "AKIDEXAMPLE")
    }

    @Test("expands a leading ~ in the environment-given paths")
    func tildeExpansion() throws {
        let environment: Environment = [
            "HOME": "/root", "AWS_CONFIG_FILE": "~/cfg/aws", "AWS_SHARED_CREDENTIALS_FILE": "~/cfg/creds",
        ]
        let shared = try SharedConfig.load(environment: environment, fileSystem: InMemoryFileSystem())
        #expect(shared.configPath == "/root/cfg/aws")
        #expect(shared.credentialsPath == "/root/cfg/creds")
    }

    @Test("expands only a leading ~ followed by a slash")
    func tildeOnlyAtStart() {
        let environment: Environment = ["HOME": "/home/u"]
        #expect(environment.expandingTilde("~") == "/home/u")
        #expect(environment.expandingTilde("~/x") == "/home/u/x")
        #expect(environment.expandingTilde("~other/x") == "~other/x")
        #expect(environment.expandingTilde("/a/~/b") == "/a/~/b")
        // Without any home, never a path relative to the working directory (HomeDirectoryTests).
        #expect(Environment([:]).expandingTilde("~/x") == "/nonexistent/x")
    }

    @Test("treats an empty variable as unset")
    func emptyVariables() throws {
        let environment: Environment = ["HOME": Self.home, "AWS_CONFIG_FILE": "", "AWS_SHARED_CREDENTIALS_FILE": ""]
        let shared = try SharedConfig.load(environment: environment, fileSystem: InMemoryFileSystem())
        #expect(shared.configPath == Self.configPath)
        #expect(shared.credentialsPath == Self.credentialsPath)
    }

    @Test("reads missing files as empty")
    func missingFiles() throws {
        let shared = try SharedConfig.load(environment: ["HOME": Self.home], fileSystem: InMemoryFileSystem())
        #expect(shared.config == INIFile())
        #expect(shared.credentials == INIFile())
        #expect(shared.profile(named: "default") == nil)
    }

    @Test("overlays the credentials file's profile on the config file's, credentials-file keys winning")
    func profileMerge() throws {
        let files = InMemoryFileSystem([
            Self.configPath: """
            [profile dev]
            region = eu-west-1
            aws_access_key_id = AKIDFROMCONFIG
            output = json
            """,
            Self.credentialsPath: """
            [dev]
            aws_access_key_id = AKIDEXAMPLE
            aws_secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
            """,
        ])
        let shared = try SharedConfig.load(environment: ["HOME": Self.home], fileSystem: files)
        let profile = try #require(shared.profile(named: "dev"))
        #expect(profile.name == "dev")
        #expect(profile["aws_access_key_id"] == "AKIDEXAMPLE")
        #expect(profile["aws_secret_access_key"] == "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
        #expect(profile["region"] == "eu-west-1")
        #expect(profile["output"] == "json")
        #expect(profile.sources == [Self.configPath, Self.credentialsPath])
    }

    @Test("finds a profile that is only in one of the files and names that file")
    func profileInOneFile() throws {
        let files = InMemoryFileSystem([
            Self.configPath: "[profile cfg]\nregion = eu-west-1\n",
            Self.credentialsPath: "[creds]\naws_access_key_id = AKIDEXAMPLE\n",
        ])
        let shared = try SharedConfig.load(environment: ["HOME": Self.home], fileSystem: files)
        #expect(shared.profile(named: "cfg")?.sources == [Self.configPath])
        #expect(shared.profile(named: "creds")?.sources == [Self.credentialsPath])
        #expect(shared.profile(named: "other") == nil)
    }

    @Test("reads [default] and [profile default] as the default profile, the later section winning whole (botocore)")
    func defaultProfileSpellings() throws {
        let files = InMemoryFileSystem([
            Self.configPath: "[default]\nregion = us-west-2\n[profile default]\noutput = json\n"
        ])
        let shared = try SharedConfig.load(environment: ["HOME": Self.home], fileSystem: files)
        let profile = try #require(shared.profile(named: "default"))
        #expect(profile["region"] == nil)
        #expect(profile["output"] == "json")
        #expect(profile.sources == [Self.configPath])
    }

    @Test("ignores config-file sections without the profile prefix, and finds quoted names")
    func configSectionNames() throws {
        let files = InMemoryFileSystem([
            Self.configPath: """
            [dev]
            region = eu-west-1
            [profile "my team"]
            region = ap-south-1
            [profile a b]
            region = sa-east-1
            """
        ])
        let shared = try SharedConfig.load(environment: ["HOME": Self.home], fileSystem: files)
        #expect(shared.profile(named: "dev") == nil)
        #expect(shared.profile(named: "my team")?["region"] == "ap-south-1")
        #expect(shared.profile(named: "a b") == nil)
        #expect(shared.profile(named: "a") == nil)
    }

    @Test("finds [services NAME] and [sso-session NAME] sections")
    func otherSections() throws {
        let files = InMemoryFileSystem([
            Self.configPath: """
            [services local]
            sts =
              endpoint_url = http://localhost:4566
            [sso-session corp]
            sso_region = us-east-1
            """
        ])
        let shared = try SharedConfig.load(environment: ["HOME": Self.home], fileSystem: files)
        #expect(
            shared.section(kind: "services", named: "local")?["sts"]
                == .nested(["endpoint_url": "http://localhost:4566"]))
        #expect(shared.section(kind: "sso-session", named: "corp")?["sso_region"] == .string("us-east-1"))
        #expect(shared.section(kind: "services", named: "corp") == nil)
    }

    @Test("reports a file that exists but cannot be read, with its path")
    func unreadableFile() throws {
        let files = InMemoryFileSystem([Self.configPath: "[default]\n"])
        files.makeUnreadable(Self.credentialsPath)
        #expect(throws: ConfigError.unreadableFile(path: Self.credentialsPath, reason: "Permission denied")) {
            try SharedConfig.load(environment: ["HOME": Self.home], fileSystem: files)
        }
        #expect(ConfigError.unreadableFile(path: "/x", reason: "Permission denied").kind == .badInput)
    }

    @Test("refuses a file that is not UTF-8 text")
    func nonUTF8File() throws {
        let files = InMemoryFileSystem()
        try files.writeAtomically(
            [0x5B, 0x64, 0x65, 0x66, 0x5D, 0x0A, 0xFF, 0xFE, 0x0A], to: Self.configPath, mode: 0o600)
        #expect(throws: ConfigError.unreadableFile(path: Self.configPath, reason: "not UTF-8 text")) {
            try SharedConfig.load(environment: ["HOME": Self.home], fileSystem: files)
        }
    }

    @Test("passes a malformed line up with the path of the file it is in")
    func malformedFile() throws {
        let files = InMemoryFileSystem([Self.credentialsPath: "[default]\naws_access_key_id = AKIDEXAMPLE\noops\n"])
        let error = #expect(throws: ConfigError.self) {
            try SharedConfig.load(environment: ["HOME": Self.home], fileSystem: files)
        }
        guard case .malformedFile(let path, let line, _) = error else {
            Issue.record("expected malformedFile, got \(String(describing: error))")
            return
        }
        #expect(path == Self.credentialsPath)
        #expect(line == 3)
    }
}
