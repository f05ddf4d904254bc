import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthCore
import EKSAuthSystem
import EKSAuthTestSupport
import Foundation

extension FuzzInput {
    static let ssoConfig = """
        [profile sso]
        sso_session = org
        sso_account_id = 123456789012
        sso_role_name = Admin
        [sso-session org]
        sso_start_url = https://example.awsapps.com/start
        sso_region = eu-west-1
        """
    /// A cached Identity Center token: fresh (valid two more hours) or due for a refresh.
    static func ssoToken(fresh: Bool) -> String {
        let expiry = fresh ? "2024-01-02T05:04:05Z" : "2024-01-02T03:00:00Z"
        return """
            {"accessToken": "sso-access-token", "expiresAt": "\(expiry)", "refreshToken": "sso-refresh",
             "clientId": "client", "clientSecret": "secret", "region": "eu-west-1",
             "startUrl": "https://example.awsapps.com/start"}
            """
    }
    static let roleCredentialsReply = HTTPResponse(
        status: 200,
        body: Array(
            """
            {"roleCredentials": {"accessKeyId": "ASIASSO", "secretAccessKey": "sso/secret", "sessionToken": "t",
             "expiration": 1704171845000}}
            """.utf8))

    /// `fuzz-credentials-json`: the JSON replies of the HTTP and command credential sources. The first
    /// byte picks the source; the rest is (0) the container endpoint's replies, (1) the Identity Center
    /// token cache file, (2) GetRoleCredentials replies after a fresh token, (3) the token refresh and
    /// GetRoleCredentials replies after an expired one, (4) a `credential_process` command's stdout.
    public static func credentialsJSON(_ bytes: [UInt8]) {
        guard let selector = bytes.first else { return }
        let rest = Array(bytes.dropFirst())
        let files = InMemoryFileSystem()
        switch selector % 5 {
        case 0:
            let system = system(
                ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/fuzz"], files: files,
                http: network(replies(rest)))
            _ = try? ContainerCredentialProvider(system: system).credentials()
        case 1:
            sso(tokenFile: rest, replies: [roleCredentialsReply], files: files)
        case 2:
            sso(tokenFile: Array(ssoToken(fresh: true).utf8), replies: replies(rest), files: files)
        case 3:
            sso(tokenFile: Array(ssoToken(fresh: false).utf8), replies: replies(rest), files: files)
        default:
            let runner = FakeProcessRunner { _ in ProcessResult(status: 0, stdout: rest) }
            let system = system([:], files: files, http: network(status: 500, body: []), processes: runner)
            _ = try? ProcessCredentialProvider(command: "credential-helper --fuzz", profileName: "p", system: system)
                .credentials()
        }
    }

    static func sso(tokenFile: [UInt8], replies: [HTTPResponse], files: InMemoryFileSystem) {
        guard let ini = try? INIFile(parsing: ssoConfig, path: "/fuzz/config") else { return }
        let config = SharedConfig(
            configPath: "/fuzz/config", credentialsPath: "/fuzz/credentials", config: ini, credentials: INIFile())
        guard let profile = config.profile(named: "sso"), let role = try? SSORole(profile: profile, config: config)
        else { return }
        try? files.writeAtomically(tokenFile, to: role.tokenPath(home: "/home/fuzz"), mode: 0o600)
        let system = system(["HOME": "/home/fuzz"], files: files, http: network(replies))
        _ = try? SSOCredentialProvider(profile: profile, config: config, system: system).credentials()
    }

    /// `fuzz-cache-entry`: the bytes as a session cache file. The start-up path's JSON reader must
    /// agree with `JSONDecoder` wherever it answers, and the hand-written string quoting must read back.
    public static func cacheEntry(_ bytes: [UInt8]) {
        _ = CacheEntry.decoding(bytes)
        if let value = JSONText.parse(bytes) {
            let decoded = try? JSONDecoder().decode(JSONValue.self, from: Data(bytes))
            expect(decoded != nil, "JSONDecoder reads what the start-up reader reads")
            if let decoded { expect(same(value, decoded), "the same value") }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { return }
        let quoted = JSONText.quote(text)
        expect(
            JSONText.parse(Array("{\"k\":\(quoted)}".utf8)) == .object(["k": .string(text)]),
            "the start-up reader reads a quoted string back")
        expect(
            (try? JSONDecoder().decode([String].self, from: Data("[\(quoted)]".utf8))) == [text],
            "JSONDecoder reads a quoted string back")
    }

    /// Whether the start-up reader's value and the decoder's are the same JSON.
    static func same(_ value: JSONText.Value, _ decoded: JSONValue) -> Bool {
        switch (value, decoded) {
        case (.string(let a), .string(let b)): return a == b
        case (.integer(let a), .number(let b)): return Double(a) == b
        case (.bool(let a), .bool(let b)): return a == b
        case (.null, .null): return true
        case (.array(let a), .array(let b)): return a.count == b.count && zip(a, b).allSatisfy { same($0, $1) }
        case (.object(let a), .object(let b)):
            return a.members.count == b.count
                && a.members.allSatisfy { member in b[member.key].map { same(member.value, $0) } ?? false }
        default: return false
        }
    }

    /// `fuzz-exec-info`: the text as `KUBERNETES_EXEC_INFO`, and as the token of the ExecCredential
    /// answered in the version it asks for, which must be JSON holding that token.
    public static func execInfo(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        let info = ExecInfo.parse(text)
        let answer = ExecCredential(apiVersion: info.apiVersion, token: text, expiration: now).json()
        struct Wire: Decodable {
            struct Status: Decodable { var token: String }
            var status: Status
        }
        let read = try? JSONDecoder().decode(Wire.self, from: Data(answer.utf8))
        expect(read?.status.token == text, "the ExecCredential is JSON holding the token")
    }
}
