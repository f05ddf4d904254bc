import EKSAuthTestSupport
import Testing

@testable import AWSConfiguration
@testable import AWSSigning
@testable import EKSAuthCore
@testable import EKSAuthSystem

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `eks-auth config show` and `list-profiles`, the locations of keys, and the paths of the files as
/// botocore expands them.
@Suite("Config report")
struct ConfigReportTests {
    static let home = "/home/r"
    static let configPath = "/home/r/.aws/config"
    static let credentialsPath = "/home/r/.aws/credentials"

    static func report(_ config: String, _ credentials: String = "", _ variables: [String: String] = [:]) throws
        -> ConfigReport
    {
        let files = InMemoryFileSystem([Self.configPath: config, Self.credentialsPath: credentials])
        var environment = variables
        environment["HOME"] = Self.home
        return try ConfigReport(
            system: SystemContext(
                environment: Environment(environment), clock: .fixed(Date(timeIntervalSince1970: 0)), fileSystem: files)
        )
    }

    @Test(
        "expands $NAME and ${NAME} as os.path.expandvars does, leaving unset names as written",
        arguments: [
            ("$HOME/.aws/alt", "/home/r/.aws/alt"), ("${HOME}/x", "/home/r/x"), ("$UNSET/x", "$UNSET/x"),
            ("${UNSET}/x", "${UNSET}/x"), ("a$/b", "a$/b"), ("${}", "${}"), ("$EMPTY/x", "/x"),
            ("$HOME$HOME", "/home/r/home/r"), ("${HOME", "${HOME"), ("$HOME_X", "$HOME_X"), ("$$", "$$"),
        ])
    func variables(path: String, expanded: String) {
        let environment = Environment(["HOME": "/home/r", "EMPTY": ""])
        #expect(environment.expandingVariables(path) == expanded)
    }

    @Test("AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE expand variables, then ~")
    func expandedPaths() throws {
        let files = InMemoryFileSystem(["/data/team/config": "[profile t]\nregion = eu-west-1\n"])
        let environment = Environment([
            "HOME": Self.home, "TEAM": "team", "AWS_CONFIG_FILE": "/data/${TEAM}/config",
            "AWS_SHARED_CREDENTIALS_FILE": "~/$TEAM-credentials",
        ])
        let shared = try SharedConfig.load(environment: environment, fileSystem: files)
        #expect(shared.configPath == "/data/team/config")
        #expect(shared.credentialsPath == "/home/r/team-credentials")
        #expect(shared.profile(named: "t")?["region"] == "eu-west-1")
    }

    @Test("a key's location is the line of the file whose value won, [DEFAULT] included")
    func locations() throws {
        let shared = try Self.report(
            "[DEFAULT]\noutput = json\n[profile dev]\nregion = eu-west-1\n\n  # c\nRole_Arn = arn\n",
            "[dev]\n\nregion = us-east-1\n"
        ).config
        let profile = try #require(shared.profile(named: "dev"))
        #expect(profile.location(of: "region") == "\(Self.credentialsPath):3")
        #expect(profile.location(of: "role_arn") == "\(Self.configPath):7")
        #expect(profile.location(of: "output") == "\(Self.configPath):2")
        #expect(profile.location(of: "missing") == nil)
        #expect(profile.describe("role_arn") == "role_arn in profile 'dev' (\(Self.configPath):7)")
    }

    @Test("lists every profile once: config profiles in file order, then credentials-only sections")
    func list() throws {
        let report = try Self.report(
            "[default]\n[profile b]\n[sso-session s]\n[profile \"a c\"]\n[services x]\n[profile b ]\n[other]\n",
            "[b]\n[z]\n[DEFAULT]\n")
        #expect(report.profileList() == "default\nb\na c\nz")
    }

    @Test("shows values with FILE:LINE, nested blocks flattened, secrets only as a SHA-256 prefix")
    func text() throws {
        let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
        let report = try Self.report(
            "[profile dev]\nregion = eu-west-1\ns3 =\n  addressing_style = path\n",
            "[dev]\naws_secret_access_key = \(secret)\n")
        let text = try report.text(profile: "dev", all: false)
        #expect(!text.contains(secret))
        #expect(text.contains("<redacted sha256:\(Crypto.hex(Crypto.sha256(Array(secret.utf8))).prefix(12))>"))
        #expect(text.contains("region"))
        #expect(text.contains("\(Self.configPath):2"))
        #expect(text.contains("s3.addressing_style"))
        #expect(text.contains("\(Self.credentialsPath):2"))
        let json = try report.json(profile: nil, all: true)
        #expect(!json.contains(secret))
        #expect(json.contains(#""s3":{"addressing_style":"path"}"#))
    }

    @Test("a profile neither file has is an error naming what selected it")
    func missingProfile() throws {
        let report = try Self.report("[default]\n", "", ["AWS_PROFILE": "nope"])
        #expect(throws: ConfigError.self) { try report.text(profile: nil, all: false) }
        #expect(
            throws: ConfigError.profileNotFound(
                profile: "gone", selectedBy: "--profile", files: [Self.configPath, Self.credentialsPath])
        ) { try report.json(profile: "gone", all: false) }
    }

    @Test("a section of 20,000 keys is shown with every line, each key's line found in one pass")
    func largeSection() throws {
        let keys = (0..<20_000).map { "k\($0) = v\($0)\n" }.joined()
        let report = try Self.report("[profile big]\n\(keys)")
        let json = try report.json(profile: "big", all: false)
        #expect(json.contains(#""k19999":"\#(Self.configPath):20001""#))
        #expect(json.contains(#""k0":"\#(Self.configPath):2""#))
    }
}
