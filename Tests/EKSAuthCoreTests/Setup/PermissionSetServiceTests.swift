import EKSAuthTestSupport
import Foundation
import Synchronization
import Testing

@testable import AWSConfiguration
@testable import AWSSigning
@testable import AWSTransport
@testable import EKSAuthCore
@testable import EKSAuthSystem

@Suite("Setup with a permission set")
struct PermissionSetServiceTests {
    static let live = PermissionSetPlanTests.live
    static let old = PermissionSetPlanTests.old
    static let cluster = "dev.my-eks-cluster"

    /// A fake AWS: IAM lists `roles`; EKS keeps access entries (starting with `entries`, each
    /// principal mapped to its groups) and lists them.
    final class FakeAWS: Sendable {
        /// The access entries: each principal with its groups.
        final class Entries: Sendable {
            let list: Mutex<[(String, [String])]>
            init(_ list: [(String, [String])]) { self.list = Mutex(list) }
            func withLock<T>(_ body: (inout [(String, [String])]) -> T) -> T { list.withLock { body(&$0) } }
        }

        let entries: Entries
        let roles: [String]
        let http: FakeHTTPClient

        init(roles: [String], entries: [(String, [String])] = []) {
            self.roles = roles
            let store = Entries(entries)
            self.entries = store
            self.http = FakeHTTPClient { request, _ in
                if request.url.hasPrefix("https://iam.amazonaws.com/") {
                    return PermissionSetRoleTests.listRoles(roles)
                }
                if request.method == "POST", request.url.hasSuffix("/access-entries") {
                    let body = try #require(JSONValue.parse(String(decoding: request.body, as: UTF8.self)))
                    guard case .object(let fields) = body, case .string(let principal)? = fields["principalArn"] else {
                        return HTTPResponse(status: 400, body: [])
                    }
                    return store.withLock { entries in
                        if entries.contains(where: { $0.0 == principal }) { return AccessEntryTests.inUse() }
                        entries.append((principal, [PermissionSetPlanTests.group]))
                        return HTTPResponse(status: 200, body: Array("{}".utf8))
                    }
                }
                if request.url.contains("/access-entries/") {
                    let found = store.withLock { $0.first { request.url.contains(SigV4Signer.uriEncode($0.0)) } }
                    let groups = (found?.1 ?? []).map { "\"\($0)\"" }.joined(separator: ",")
                    return HTTPResponse(
                        status: 200,
                        body: Array(
                            #"{"accessEntry":{"principalArn":"\#(found?.0 ?? "")","kubernetesGroups":[\#(groups)]}}"#
                                .utf8))
                }
                let arns = store.withLock { $0.map { "\"\($0.0)\"" } }.joined(separator: ",")
                return HTTPResponse(status: 200, body: Array(#"{"accessEntries":[\#(arns)]}"#.utf8))
            }
        }
    }

    static func system(_ aws: FakeAWS, files: InMemoryFileSystem = InMemoryFileSystem()) -> SystemContext {
        SystemContext(
            environment: Environment([
                "HOME": "/home/who", "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret",
                "AWS_REGION": "eu-west-1",
            ]), clock: .fixed(Fixtures.sigV4SuiteDate), fileSystem: files, http: { aws.http })
    }

    static func run(
        _ aws: FakeAWS, set: String = "Dev_Ops", apply: Bool = false, accessEntry: Bool = false,
        awsAuth: SetupService.AWSAuthSource? = nil, files: InMemoryFileSystem = InMemoryFileSystem(),
        progress: Recorder<String> = Recorder()
    ) throws -> PermissionSetResult {
        try SetupService(system: system(aws, files: files)).runPermissionSet(
            account: "123456789012", clusterName: cluster, permissionSet: set, clusterRole: .view, namespace: nil,
            identityCenterRegion: nil, regionFlag: nil, profileFlag: nil, directory: "/out", apply: apply,
            accessEntry: accessEntry, awsAuth: awsAuth, progress: { progress.append($0) })
    }

    @Test("without --apply it lists the roles (and calls nothing else), then writes the files naming the real role")
    func planOnly() throws {
        let aws = FakeAWS(roles: [Self.live])
        let files = InMemoryFileSystem()
        let progress = Recorder<String>()
        let result = try Self.run(aws, files: files, progress: progress)
        #expect(aws.http.actions == ["ListRoles"])
        #expect(result.plan.role.arn == Self.live)
        #expect(result.files.count == 7)
        #expect(files.text(of: "/out/access-entry.sh")?.contains(Self.live) == true)
        #expect(files.text(of: "/out/aws-auth-mapRoles.yaml")?.contains(PermissionSetPlanTests.livePathless) == true)
        #expect(
            progress.all == [
                "found AWSReservedSSO_Dev_Ops_1111111111111111 for permission set Dev_Ops: \(Self.live)",
                "wrote 7 files to /out (see README.md there)",
            ])
        #expect(result.stale.isEmpty)
    }

    @Test("--apply --access-entry creates the entry with the path-ful ARN, then reports the set's stale entries")
    func applyReportsStale() throws {
        let aws = FakeAWS(
            roles: [Self.live],
            entries: [(Self.old, ["eks-auth:sso:Dev_Ops"]), ("arn:aws:iam::123456789012:role/other", ["x"])])
        let progress = Recorder<String>()
        let result = try Self.run(aws, apply: true, accessEntry: true, progress: progress)
        let create = try #require(
            aws.http.requests.first { $0.url.hasSuffix("/access-entries") && $0.method == "POST" })
        let body = try #require(JSONValue.parse(String(decoding: create.body, as: UTF8.self)))
        #expect(
            body
                == .object([
                    "principalArn": .string(Self.live), "kubernetesGroups": .array([.string("eks-auth:sso:Dev_Ops")]),
                    "username": .string("sso:Dev_Ops:{{SessionName}}"), "type": .string("STANDARD"),
                ]))
        #expect(aws.entries.withLock { $0.map(\.0) }.contains(Self.live))
        #expect(result.stale.map(\.principalARN) == [Self.old])
        #expect(
            Array(progress.all.dropFirst(2)) == [
                "nothing to create in IAM: IAM Identity Center owns AWSReservedSSO_Dev_Ops_1111111111111111 and who "
                    + "may use it",
                "created access entry for AWSReservedSSO_Dev_Ops_1111111111111111 → eks-auth:sso:Dev_Ops",
                "access entry: stale AWSReservedSSO_Dev_Ops_0000000000000000 (the permission set's role is now "
                    + "AWSReservedSSO_Dev_Ops_1111111111111111); remove it with: aws eks delete-access-entry "
                    + "--region 'eu-west-1' --cluster-name 'dev.my-eks-cluster' --principal-arn '\(Self.old)'",
            ])
        // Nothing is ever deleted, and IAM is only read.
        #expect(!aws.http.requests.contains { $0.method == "DELETE" })
        #expect(aws.http.actions.filter { $0 != "ListRoles" && !$0.isEmpty }.allSatisfy { !$0.hasPrefix("Create") })
    }

    @Test("a second run finds the entry as planned and says unchanged")
    func applyTwice() throws {
        let aws = FakeAWS(roles: [Self.live])
        _ = try Self.run(aws, apply: true, accessEntry: true)
        let progress = Recorder<String>()
        let result = try Self.run(aws, apply: true, accessEntry: true, progress: progress)
        #expect(
            progress.all.contains(
                "unchanged access entry for AWSReservedSSO_Dev_Ops_1111111111111111 (already as planned)"))
        #expect(result.stale.isEmpty)
        #expect(aws.entries.withLock { $0.count } == 1)
    }

    @Test("an existing entry for the role with other groups is left alone and reported (exit 78)")
    func entryDiffers() throws {
        let aws = FakeAWS(roles: [Self.live], entries: [(Self.live, ["ops"])])
        #expect(
            throws: SetupError.accessEntryDiffers(
                cluster: Self.cluster, principalARN: Self.live, groups: ["ops"], planned: "eks-auth:sso:Dev_Ops")
        ) {
            try Self.run(aws, apply: true, accessEntry: true)
        }
    }

    @Test("a saved aws-auth is read for stale and missing entries, and never written")
    func awsAuthFile() throws {
        let aws = FakeAWS(roles: [Self.live])
        let text = """
            data:
              mapRoles: |
                - rolearn: arn:aws:iam::123456789012:role/AWSReservedSSO_Dev_Ops_0000000000000000
                  username: sso:Dev_Ops:{{SessionName}}
                  groups: [eks-auth:sso:Dev_Ops]
            """
        let files = InMemoryFileSystem(["/cfg/aws-auth.yaml": text])
        let result = try Self.run(aws, awsAuth: (text, "/cfg/aws-auth.yaml"), files: files)
        #expect(
            result.stale.map(\.principalARN) == [
                "arn:aws:iam::123456789012:role/AWSReservedSSO_Dev_Ops_0000000000000000"
            ])
        #expect(result.lines.count == 3)
        #expect(
            result.lines[2].hasPrefix(
                "/cfg/aws-auth.yaml: no mapRoles entry for AWSReservedSSO_Dev_Ops_1111111111111111"))
        #expect(files.text(of: "/cfg/aws-auth.yaml") == text)
    }

    @Test("refused input fails before any call: a bad name, --access-entry without --apply, an unreadable aws-auth")
    func failsEarly() throws {
        let aws = FakeAWS(roles: [Self.live])
        #expect(throws: PermissionSetError.invalidName("Dev Ops")) { try Self.run(aws, set: "Dev Ops") }
        #expect(throws: SetupError.requires(.accessEntry, .apply)) { try Self.run(aws, accessEntry: true) }
        #expect(throws: InspectError.self) { try Self.run(aws, awsAuth: ("[1, 2", "bad.yaml")) }
        #expect(aws.http.requests.isEmpty)
    }

    @Test("no role of the set: nothing is written")
    func notFoundWritesNothing() throws {
        let aws = FakeAWS(roles: [Self.old.replacingOccurrences(of: "Dev_Ops", with: "DevOps")])
        let files = InMemoryFileSystem()
        #expect(throws: PermissionSetError.self) { try Self.run(aws, files: files) }
        #expect(files.text(of: "/out/README.md") == nil)
    }
}

extension PermissionSetPlanTests {
    static let group = "eks-auth:sso:Dev_Ops"
}
