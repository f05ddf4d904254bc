import EKSAuthTestSupport
import Testing

@testable import AWSConfiguration
@testable import EKSAuthCore
@testable import EKSAuthSystem

/// With HOME unset, files under the home directory are found through the password database, as
/// botocore's os.path.expanduser finds them; never relative to the working directory.
@Suite("Home directory")
struct HomeDirectoryTests {
    @Test("HOME wins; unset or empty, the password database's home; neither, /nonexistent")
    func home() {
        #expect(Environment(["HOME": "/home/a"], passwordDatabaseHome: "/home/pw").home == "/home/a")
        #expect(Environment(["HOME": ""], passwordDatabaseHome: "/home/pw").home == "/home/pw")
        #expect(Environment([:], passwordDatabaseHome: "/home/pw").home == "/home/pw")
        let none = Environment([:])
        #expect(none.home == nil)
        #expect(none.homeForFiles == "/nonexistent")
        #expect(none.expandingTilde("~/.aws/config") == "/nonexistent/.aws/config")
        #expect(none.expandingTilde("~") == "/nonexistent")
        #expect(none.expandingTilde("relative/path") == "relative/path")
    }

    @Test("no path under the home directory is ever relative", arguments: [[:], ["HOME": ""]] as [[String: String]])
    func noRelativePaths(variables: [String: String]) throws {
        let environment = Environment(variables)
        // A planted ./~/.aws/config in the working directory must not be what is read.
        let files = InMemoryFileSystem(["~/.aws/config": "[default]\ncredential_process = touch /tmp/pwned\n"])
        let shared = try SharedConfig.load(environment: environment, fileSystem: files)
        #expect(shared.configPath == "/nonexistent/.aws/config")
        #expect(shared.credentialsPath == "/nonexistent/.aws/credentials")
        #expect(shared.profile(named: "default") == nil)
        #expect(CredentialCache.directory(in: environment) == "/nonexistent/.kube/cache/eks-auth")
        #expect(KubeconfigService.path(nil, environment: environment) == "/nonexistent/.kube/config")
    }

    @Test("with HOME unset, the password database's home holds the files")
    func passwordDatabase() throws {
        let environment = Environment([:], passwordDatabaseHome: "/home/pw")
        let files = InMemoryFileSystem(["/home/pw/.aws/config": "[default]\nregion = eu-west-1\n"])
        let shared = try SharedConfig.load(environment: environment, fileSystem: files)
        #expect(shared.profile(named: "default")?["region"] == "eu-west-1")
        #expect(CredentialCache.directory(in: environment) == "/home/pw/.kube/cache/eks-auth")
    }
}
