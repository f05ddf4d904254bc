import EKSAuthTestSupport
import Foundation
import Testing

@testable import AWSConfiguration
@testable import AWSSigning
@testable import EKSAuthCore
@testable import EKSAuthSystem

@Suite("Credential cache entries and listing")
struct CredentialCacheTests {
    static let directory = "/home/u/.kube/cache/eks-auth"
    static let now = Date(timeIntervalSince1970: 1_704_164_645)  // 2024-01-02T03:04:05Z

    static func system(_ files: InMemoryFileSystem) -> SystemContext {
        SystemContext(environment: Environment(["HOME": "/home/u"]), clock: .fixed(now), fileSystem: files)
    }

    /// A file as the first format (every kind stored as a role) wrote it.
    static func formatOne(role: String, session: String, profile: String, expiration: String) -> String {
        """
        {"accessKeyId":"ASIAOLD","assumedRoleArn":"\(session)","expiration":"\(expiration)",\
        "obtained":"2024-01-02T02:04:05Z","profile":"\(profile)","roleArn":"\(role)",\
        "secretAccessKey":"old-secret","sessionToken":"old-token","version":1}
        """
    }

    @Test(
        "reads first-format files, telling the other sources from roles by their role field",
        arguments: [
            (
                "arn:aws:iam::1:role/r", "arn:aws:sts::1:assumed-role/r/s",
                CachedSession.assumedRole(
                    roleARN: "arn:aws:iam::1:role/r", assumedRoleARN: "arn:aws:sts::1:assumed-role/r/s")
            ),
            ("sso:123456789012:Admin", "", .identityCenter(accountID: "123456789012", roleName: "Admin")),
            ("credential_process", "", .process),
        ])
    func formatOneSessions(role: String, session: String, expected: CachedSession) throws {
        let text = Self.formatOne(role: role, session: session, profile: "dev", expiration: "2024-01-02T04:04:05Z")
        let entry = try JSONDecoder().decode(CacheEntry.self, from: Data(text.utf8))
        // The start-up path's own reader answers, and as the decoder does.
        let members = try #require(JSONText.parse(Array(text.utf8))?.object)
        #expect(CacheEntry(members: members) == entry)
        #expect(CacheEntry.decoding(Array(text.utf8)) == entry)
        #expect(entry.session == expected)
        #expect(entry.session.roleLabel == role)
        #expect((entry.session.assumedRoleARN ?? "") == session)
        let cached = try #require(entry.cached)
        #expect(cached.credentials.accessKeyID == "ASIAOLD")
        #expect(cached.credentials.sessionToken == "old-token")
    }

    @Test(
        "writes the kind and only what identifies the session, and reads it back",
        arguments: [
            CachedSession.assumedRole(
                roleARN: "arn:aws:iam::1:role/r", assumedRoleARN: "arn:aws:sts::1:assumed-role/r/s"),
            .webIdentity(roleARN: "arn:aws:iam::1:role/w", assumedRoleARN: "arn:aws:sts::1:assumed-role/w/s"),
            .identityCenter(accountID: "123456789012", roleName: "Admin"),
            .process,
        ])
    func roundTrip(session: CachedSession) throws {
        let credentials = AWSCredentials(
            accessKeyID: "ASIANEW", secretAccessKey: "s", sessionToken: "t", expiration: Self.now.addingTimeInterval(60)
        )
        let entry = CacheEntry(
            CachedCredentials(credentials: credentials, session: session), profile: "dev", obtained: Self.now)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let text = String(decoding: try encoder.encode(entry), as: UTF8.self)
        #expect(text.contains("\"version\":1"))
        #expect(text.contains("\"kind\":"))
        // An earlier eks-auth (rollback, or a second version on the same cache) reads every entry:
        // its decoder wanted these fields, all strings, and ignored the rest.
        struct FirstFormat: Decodable {
            var version: Int
            var roleArn, assumedRoleArn, profile, accessKeyId, secretAccessKey, sessionToken, expiration,
                obtained: String
        }
        let old = try JSONDecoder().decode(FirstFormat.self, from: Data(text.utf8))
        #expect(old.version == 1 && old.accessKeyId == "ASIANEW")
        let legacy = CachedSession.legacy(roleARN: old.roleArn, assumedRoleARN: old.assumedRoleArn)
        if case .webIdentity(let role, let assumed) = session {
            // The first format kept web identity sessions as assumed roles.
            #expect(legacy == .assumedRole(roleARN: role, assumedRoleARN: assumed))
        } else {
            #expect(legacy == session)
        }
        let back = try JSONDecoder().decode(CacheEntry.self, from: Data(text.utf8))
        #expect(back == entry)
        #expect(CacheEntry(members: try #require(JSONText.parse(Array(text.utf8))?.object)) == entry)
        #expect(CacheEntry.decoding(Array(text.utf8)) == entry)
        #expect(back.cached == CachedCredentials(credentials: credentials, session: session))
    }

    @Test("a first-format file is served from the cache, and a fresh write uses the new format")
    func formatOneServed() throws {
        let files = InMemoryFileSystem()
        let system = Self.system(files)
        let key = CacheKey(
            baseAccessKeyID: "credential-process:get-creds", profile: "dev", roleARN: "credential_process",
            externalID: nil, sessionName: nil, serialNumber: nil, durationSeconds: 0, endpoint: "", kind: .process)
        let cache = CredentialCache(directory: Self.directory, fileSystem: files, warn: { _ in })
        files.write(
            Self.formatOne(role: "credential_process", session: "", profile: "dev", expiration: "2024-01-02T05:04:05Z"),
            to: cache.path(for: key))
        let hit = try CredentialCache.through(key, system: system, label: "test") {
            Issue.record("fetched although the cache held a fresh entry")
            return CachedCredentials(
                credentials: AWSCredentials(accessKeyID: "x", secretAccessKey: "y"), session: .process)
        }
        #expect(hit.credentials.accessKeyID == "ASIAOLD")
        #expect(hit.session == .process)

        files.write("{\"version\":1}", to: cache.path(for: key))
        let fetched = try CredentialCache.through(key, system: system, label: "test") {
            CachedCredentials(
                credentials: AWSCredentials(
                    accessKeyID: "ASIANEW", secretAccessKey: "s", sessionToken: "t",
                    expiration: Self.now.addingTimeInterval(3600)),
                session: .process)
        }
        #expect(fetched.credentials.accessKeyID == "ASIANEW")
        let written = try #require(files.text(of: cache.path(for: key)))
        #expect(written.contains("\"kind\":\"process\""))
        #expect(written.contains("\"version\":1"))
    }

    @Test("cache list prints the same table for first-format and new files")
    func listing() throws {
        let files = InMemoryFileSystem()
        let role = "arn:aws:iam::123456789012:role/admin"
        let session = "arn:aws:sts::123456789012:assumed-role/admin/alice"
        files.write(
            Self.formatOne(role: role, session: session, profile: "dev", expiration: "2024-01-02T04:04:05Z"),
            to: "\(Self.directory)/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.json")
        files.write(
            Self.formatOne(
                role: "credential_process", session: "", profile: "proc", expiration: "2024-01-02T03:00:00Z"),
            to: "\(Self.directory)/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.json")
        let sso = CacheEntry(
            CachedCredentials(
                credentials: AWSCredentials(
                    accessKeyID: "ASIASSO", secretAccessKey: "s", sessionToken: "t",
                    expiration: Self.now.addingTimeInterval(1830)),
                session: .identityCenter(accountID: "123456789012", roleName: "Admin")),
            profile: "sso", obtained: Self.now)
        files.write(
            String(decoding: try JSONEncoder().encode(sso), as: UTF8.self),
            to: "\(Self.directory)/cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc.json")
        files.write(
            "not json", to: "\(Self.directory)/dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd.json")
        files.write("", to: "\(Self.directory)/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.lock")

        let listing = try CacheService(system: Self.system(files)).list()
        // First-format files have no region: "-".
        let expected = TableText.render(
            header: ["KEY", "ROLE", "SESSION", "PROFILE", "REGION", "STATE"],
            rows: [
                ["aaaaaaaaaaaa", role, "alice", "dev", "-", "60 min left"],
                ["bbbbbbbbbbbb", "credential_process", "", "proc", "-", "expired"],
                ["cccccccccccc", "sso:123456789012:Admin", "", "sso", "-", "30 min left"],
            ])
        // The file that is not JSON is counted, not listed.
        #expect(
            listing == expected + "\n1 unreadable entry is not listed (corrupt or from another format); "
                + "'eks-auth cache clear' removes them")
        #expect(listing.hasPrefix("KEY            ROLE                                   SESSION   PROFILE   "))
        #expect(!listing.contains("secret") && !listing.contains("old-token"))
    }

    /// Stores an assumed-role session for `role` through the cache, as `token` does.
    static func store(
        _ files: InMemoryFileSystem, role: String, session: String, profile: String = "dev",
        endpoint: String = "https://sts.eu-west-1.amazonaws.com/ eu-west-1", minutes: Double = 50
    ) -> CacheKey {
        let cache = CredentialCache(directory: directory, fileSystem: files, warn: { _ in })
        let key = CacheKey(
            baseAccessKeyID: "AKIDBASE", profile: profile, roleARN: role, externalID: nil, sessionName: session,
            serialNumber: nil, durationSeconds: 3600, endpoint: endpoint)
        let credentials = AWSCredentials(
            accessKeyID: "ASIA\(session.uppercased())", secretAccessKey: "secret-\(session)",
            sessionToken: "token-\(session)", expiration: now.addingTimeInterval(minutes * 60))
        let arn = "arn:aws:sts::123456789012:assumed-role/\(role.split(separator: "/").last!)/\(session)"
        cache.store(
            CachedCredentials(credentials: credentials, session: .assumedRole(roleARN: role, assumedRoleARN: arn)),
            for: key, obtained: now)
        return key
    }

    @Test("cache list tells sessions apart by region and endpoint, and fits 120 columns")
    func listingApart() throws {
        let files = InMemoryFileSystem()
        let long = "arn:aws:iam::123456789012:role/platform/teams/payments/eks-payments-production-readonly-operators"
        _ = Self.store(files, role: long, session: "alice")
        _ = Self.store(files, role: long, session: "alice", endpoint: "https://sts.us-east-1.amazonaws.com/ us-east-1")
        _ = Self.store(
            files, role: long, session: "alice",
            endpoint: "https://sts-fips.us-east-1.amazonaws.com/ us-east-1")
        let listing = try CacheService(system: Self.system(files)).list()
        let lines = listing.split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines.allSatisfy { $0.count <= CacheService.maximumWidth }, "\(listing)")
        #expect(lines[0].contains("REGION") && lines[0].contains("ENDPOINT"))
        #expect(listing.contains("…") && listing.contains("readonly-operators   alice"))
        #expect(listing.contains("sts-fips.us-east-1.amazonaws.com"))
        #expect(listing.contains("eu-west-1") && listing.contains("us-east-1"))

        // Without a special endpoint, no ENDPOINT column.
        let plain = InMemoryFileSystem()
        _ = Self.store(plain, role: "arn:aws:iam::123456789012:role/dev", session: "bob")
        #expect(!(try CacheService(system: Self.system(plain)).list()).contains("ENDPOINT"))
    }

    @Test("cache list --output json has every field of every session and no secret")
    func listingJSON() throws {
        let files = InMemoryFileSystem()
        let key = Self.store(files, role: "arn:aws:iam::123456789012:role/dev", session: "bob", minutes: 42.5)
        let text = try CacheService(system: Self.system(files)).json()
        let array = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
        let item = try #require(array.first)
        #expect(array.count == 1)
        #expect(item["key"] as? String == key.digest)
        #expect(item["kind"] as? String == "assume-role")
        #expect(item["role"] as? String == "arn:aws:iam::123456789012:role/dev")
        #expect(item["session"] as? String == "bob")
        #expect(item["assumedRoleArn"] as? String == "arn:aws:sts::123456789012:assumed-role/dev/bob")
        #expect(item["profile"] as? String == "dev")
        #expect(item["region"] as? String == "eu-west-1")
        #expect(item["stsEndpoint"] as? String == "https://sts.eu-west-1.amazonaws.com/")
        #expect(item["expiration"] as? String == "2024-01-02T03:46:35Z")
        #expect(item["obtained"] as? String == "2024-01-02T03:04:05Z")
        #expect(item["minutesLeft"] as? Int == 42)
        #expect(!text.contains("secret-bob") && !text.contains("token-bob") && !text.contains("ASIABOB"))
    }

    @Test("cache clear with --role, --profile or --key removes only the matching sessions and their locks")
    func clearSelection() throws {
        let files = InMemoryFileSystem()
        let dev = Self.store(files, role: "arn:aws:iam::123456789012:role/dev", session: "a")
        let ops = Self.store(files, role: "arn:aws:iam::123456789012:role/ops", session: "b")
        let ci = Self.store(files, role: "arn:aws:iam::123456789012:role/ops", session: "c", profile: "ci")
        files.write("", to: "\(Self.directory)/\(ops.digest).lock")
        let service = CacheService(system: Self.system(files))
        let exists = { (key: CacheKey) in files.text(of: "\(Self.directory)/\(key.digest).json") != nil }

        #expect(
            try service.clear(.init(role: "arn:aws:iam::123456789012:role/ops", profile: "dev"))
                == "removed 1 cached session from \(Self.directory)")
        #expect(exists(dev) && !exists(ops) && exists(ci))
        #expect(files.text(of: "\(Self.directory)/\(ops.digest).lock") == nil)
        #expect(try service.clear(.init(keyPrefix: String(ci.digest.prefix(6)).uppercased())).hasPrefix("removed 1 "))
        #expect(exists(dev) && !exists(ci))
        #expect(try service.clear(.init(profile: "nobody")).hasPrefix("removed 0 cached sessions"))
        #expect(exists(dev))
    }

    @Test("a relative EKS_AUTH_CACHE_DIR is not used, saying so: kubectl runs the plugin from any directory")
    func relativeDirectory() throws {
        let files = InMemoryFileSystem()
        let warnings = Recorder<String>()
        let cache = CredentialCache(directory: "relative/dir", fileSystem: files, warn: { warnings.append($0) })
        #expect(!cache.directoryIsUsable(warn: { warnings.append($0) }))
        #expect(warnings.all == ["EKS_AUTH_CACHE_DIR 'relative/dir' is not an absolute path; not using the cache"])
        let key = Self.store(files, role: "arn:aws:iam::123456789012:role/dev", session: "x")
        #expect(files.text(of: "\(Self.directory)/\(key.digest).json") != nil, "an absolute directory is used")
        cache.store(
            CachedCredentials(
                credentials: AWSCredentials(
                    accessKeyID: "ASIA", secretAccessKey: "s", sessionToken: "t", expiration: Self.now + 3600),
                session: .process),
            for: key, obtained: Self.now)
        #expect(files.text(of: "relative/dir/\(key.digest).json") == nil)
    }

    @Test("cache list and clear say so when the cache is empty, and clear counts what it removed")
    func emptyAndClear() throws {
        let files = InMemoryFileSystem()
        let service = CacheService(system: Self.system(files))
        #expect(try service.list() == "no cached credentials in \(Self.directory)")
        let key = String(repeating: "a", count: 64)
        files.write("{}", to: "\(Self.directory)/\(key).json")
        files.write("", to: "\(Self.directory)/\(key).lock")
        files.write("", to: "\(Self.directory)/.eks-auth-tmp-Ab12Cd")
        #expect(try service.clear() == "removed 1 cached session from \(Self.directory)")
        #expect(try service.clear() == "removed 0 cached sessions from \(Self.directory)")
        #expect(files.text(of: "\(Self.directory)/\(key).lock") == nil)
        #expect(files.text(of: "\(Self.directory)/.eks-auth-tmp-Ab12Cd") == nil)
    }

    @Test("cache clear and list touch only files eks-auth writes, in a directory shared with others")
    func foreignFiles() throws {
        let files = InMemoryFileSystem()
        let service = CacheService(system: Self.system(files))
        let foreign = [
            "package.json", "build.lock", ".tmp-x", ".tmp-abcdef", ".eks-auth-tmp-x",
            String(repeating: "A", count: 64) + ".json",
            String(repeating: "a", count: 63) + ".json", String(repeating: "a", count: 64) + ".json.bak",
        ]
        for name in foreign { files.write("{}", to: "\(Self.directory)/\(name)") }
        #expect(try service.list() == "no cached credentials in \(Self.directory)")
        #expect(try service.clear() == "removed 0 cached sessions from \(Self.directory)")
        for name in foreign { #expect(files.text(of: "\(Self.directory)/\(name)") == "{}", "\(name) was removed") }
    }

    @Test(
        "reads what the hand-written reader declines through JSONDecoder, and rejects what neither reads",
        arguments: [
            // Spelled out by hand or by another tool: null kind, a float-free pretty print, escapes.
            (
                #"{"version":1,"kind":null,"roleArn":"arn:aws:iam::1:role/r","assumedRoleArn":"a","profile":"p","accessKeyId":"A","secretAccessKey":"s","sessionToken":"t","expiration":"2024-01-02T04:04:05Z","obtained":"2024-01-02T03:04:05Z"}"#,
                true
            ),
            (
                #"{"version":1,"kind":"assume-role","roleArn":"arn:aws:iam::1:role\/r","assumedRoleArn":"a","profile":"p","accessKeyId":"A","secretAccessKey":"s","sessionToken":"t","expiration":"2024-01-02T04:04:05Z","obtained":"2024-01-02T03:04:05Z","extra":{"x":[1]}}"#,
                true
            ),
            (
                #"{"version":"1","roleArn":"r","assumedRoleArn":"a","profile":"p","accessKeyId":"A","secretAccessKey":"s","sessionToken":"t","expiration":"e","obtained":"o"}"#,
                false
            ),
            (
                #"{"version":1,"kind":"unknown","roleArn":"r","assumedRoleArn":"a","profile":"p","accessKeyId":"A","secretAccessKey":"s","sessionToken":"t","expiration":"e","obtained":"o"}"#,
                false
            ),
            (
                #"{"version":1,"kind":"sso","roleArn":"r","assumedRoleArn":"a","profile":"p","accessKeyId":"A","secretAccessKey":"s","sessionToken":"t","expiration":"e","obtained":"o"}"#,
                false
            ),
            ("not json", false),
        ])
    func decodingAgreesWithTheDecoder(text: String, readable: Bool) {
        let decoded = try? JSONDecoder().decode(CacheEntry.self, from: Data(text.utf8))
        #expect((decoded != nil) == readable)
        #expect(CacheEntry.decoding(Array(text.utf8)) == decoded)
    }

    @Test("the cache key is the digest existing cache files are named by")
    func keyDigest() {
        let key = CacheKey(
            baseAccessKeyID: "AKIDEXAMPLE", profile: "dev", roleARN: "arn:aws:iam::123456789012:role/admin",
            externalID: nil, sessionName: "s\"1", serialNumber: nil, durationSeconds: 3600,
            endpoint: "https://sts.us-east-1.amazonaws.com us-east-1")
        #expect(key.digest == "e8321b3dd804ee079b2ed0f3e6dada669096395d37f9ff2c5817e105ac106ed2")
    }
}
