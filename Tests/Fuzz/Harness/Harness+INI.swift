import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthCore
import EKSAuthSystem
import EKSAuthTestSupport

extension FuzzInput {
    /// `fuzz-ini`: the bytes as both shared files. Every section, every profile look-up, the settings
    /// and the credential chain (no network, no commands) are read from them. The loader's own UTF-8
    /// check must agree with the standard library's, and every section a file lists must have keys.
    public static func ini(_ bytes: [UInt8]) {
        let files = InMemoryFileSystem()
        try? files.writeAtomically(bytes, to: "/fuzz/config", mode: 0o600)
        try? files.writeAtomically(bytes, to: "/fuzz/credentials", mode: 0o600)
        let environment = [
            "HOME": "/home/fuzz", "AWS_CONFIG_FILE": "/fuzz/config", "AWS_SHARED_CREDENTIALS_FILE": "/fuzz/credentials",
        ]
        let isUTF8 = String(validating: bytes, as: UTF8.self) != nil
        do {
            _ = try SharedConfig.load(environment: Environment(environment), fileSystem: files)
            expect(isUTF8, "a file that is not UTF-8 is refused")
        } catch let error as ConfigError {
            let refused = error == .unreadableFile(path: "/fuzz/config", reason: "not UTF-8 text")
            expect(refused == !isUTF8, "only a file that is not UTF-8 is refused as such")
        } catch {
            expect(false, "loading throws only ConfigError, not \(error)")
        }
        // The loader refuses what is not UTF-8 before parsing; the parser still must not crash on it.
        guard let file = try? INIFile(parsing: bytes, path: "/fuzz/config"), isUTF8 else { return }
        var profiles = ["default"]
        for name in file.sectionOrder {
            expect(file.keys(ofSection: name) != nil, "a listed section [\(name)] has keys")
            let words = name.split(separator: " ", maxSplits: 1)
            if words.count == 2 { profiles.append(String(words[1])) }
            profiles.append(name)
        }
        _ = file.sections
        let config = SharedConfig(
            configPath: "/fuzz/config", credentialsPath: "/fuzz/credentials", config: file, credentials: file)
        for name in profiles.prefix(16) {
            _ = config.profile(named: name)
            _ = config.section(kind: "sso-session", named: name)
            _ = config.section(kind: "services", named: name)
        }
        let http = network(status: 403, body: [])
        for name in profiles.prefix(4) {
            var selected = environment
            selected["AWS_PROFILE"] = name
            let system = system(selected, files: files, http: http)
            guard
                let settings = try? AWSSettings.resolve(
                    profileFlag: nil, regionFlag: nil, environment: system.environment, fileSystem: files)
            else { continue }
            _ = try? CredentialChain(settings: settings, system: system).resolve()
        }
    }
}
