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
        // The rows the old command built from each file's roleArn and assumedRoleArn.
        let expected = TableText.render(
            header: ["KEY", "ROLE", "SESSION", "PROFILE", "EXPIRES", "STATE"],
            rows: [
                ["aaaaaaaaaaaa", role, session, "dev", "2024-01-02T04:04:05Z", "60 min left"],
                ["bbbbbbbbbbbb", "credential_process", "", "proc", "2024-01-02T03:00:00Z", "expired"],
                ["cccccccccccc", "sso:123456789012:Admin", "", "sso", "2024-01-02T03:34:35Z", "30 min left"],
            ])
        #expect(listing == expected)
        #expect(listing.hasPrefix("KEY            ROLE                                   SESSION   "))
        #expect(!listing.contains("secret") && !listing.contains("old-token"))
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
