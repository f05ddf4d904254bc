import EKSAuthTestSupport
import Foundation
import Synchronization
import Testing

@testable import AWSConfiguration
@testable import AWSSigning
@testable import AWSTransport
@testable import EKSAuthCore
@testable import EKSAuthSystem

/// Everything the token path asked of the world: file-system calls (by kind and path), clock
/// readings and network clients made.
private final class Footprint: Sendable {
    private struct State {
        var fileCalls: [String] = []
        var clockReadings = 0
        var httpClients = 0
    }

    private let state = Mutex(State())

    var fileCalls: [String] { state.withLock { $0.fileCalls } }
    var clockReadings: Int { state.withLock { $0.clockReadings } }
    var httpClients: Int { state.withLock { $0.httpClients } }

    func recordFileCall(_ call: String) { state.withLock { $0.fileCalls.append(call) } }
    func recordClockReading() { state.withLock { $0.clockReadings += 1 } }
    func recordHTTPClient() { state.withLock { $0.httpClients += 1 } }
}

/// A file system that records every call before passing it to an in-memory one.
private struct RecordingFileSystem: FileSystem {
    let base: InMemoryFileSystem
    let footprint: Footprint

    var currentUserID: UInt32 { base.currentUserID }

    func read(_ path: String) throws -> [UInt8]? {
        footprint.recordFileCall("read \(path)")
        return try base.read(path)
    }

    func status(of path: String) throws -> FileStatus? {
        footprint.recordFileCall("status \(path)")
        return try base.status(of: path)
    }

    func createDirectory(_ path: String, mode: UInt16) throws {
        footprint.recordFileCall("createDirectory \(path)")
        try base.createDirectory(path, mode: mode)
    }

    func writeAtomically(_ bytes: [UInt8], to path: String, mode: UInt16) throws {
        footprint.recordFileCall("write \(path)")
        try base.writeAtomically(bytes, to: path, mode: mode)
    }

    func remove(_ path: String) throws {
        footprint.recordFileCall("remove \(path)")
        try base.remove(path)
    }

    func contents(of directory: String) throws -> [String] {
        footprint.recordFileCall("contents \(directory)")
        return try base.contents(of: directory)
    }

    func withExclusiveLock<T>(_ lockPath: String, timeout: Double, _ body: () throws -> T) throws -> T? {
        footprint.recordFileCall("lock \(lockPath)")
        return try base.withExclusiveLock(lockPath, timeout: timeout, body)
    }
}

/// kubectl runs `eks-auth token` on every command, so the static-key path must touch nothing it does not
/// need: the environment, the two shared files, the clock, and never the network.
@Suite("TokenService footprint on the static-key path")
struct TokenServiceFootprintTests {
    static let environment: Environment = [
        "HOME": "/home/u", "AWS_ACCESS_KEY_ID": Fixtures.accessKeyID,
        "AWS_SECRET_ACCESS_KEY": Fixtures.secretAccessKey, "AWS_REGION": "eu-west-1",
    ]

    private static func system(
        _ footprint: Footprint, environment: Environment = environment, files: [String: String] = [:]
    ) -> SystemContext {
        SystemContext(
            environment: environment,
            clock: WallClock {
                footprint.recordClockReading()
                return Fixtures.tokenVectorDate
            },
            fileSystem: RecordingFileSystem(base: InMemoryFileSystem(files), footprint: footprint),
            http: {
                footprint.recordHTTPClient()
                return NoNetwork()
            })
    }

    @Test("reads only ~/.aws/config and ~/.aws/credentials and the clock, and makes no HTTP client")
    func staticKeysTouchOnlyTheSharedFiles() throws {
        let footprint = Footprint()
        let result = try TokenService(system: Self.system(footprint)).token(for: TokenRequest(clusterID: "dev"))
        #expect(result.credentialSource == "environment variables")
        #expect(footprint.httpClients == 0)
        #expect(footprint.clockReadings >= 1)
        #expect(
            Set(footprint.fileCalls).isSubset(of: ["read /home/u/.aws/config", "read /home/u/.aws/credentials"]),
            "unexpected file-system calls: \(footprint.fileCalls)")
        #expect(footprint.fileCalls.count == Set(footprint.fileCalls).count, "a file was read twice")
    }

    @Test("with a profile of static keys in the credentials file, still only the two shared files")
    func staticProfileTouchesOnlyTheSharedFiles() throws {
        let footprint = Footprint()
        let environment: Environment = ["HOME": "/home/u", "AWS_PROFILE": "static"]
        let files = [
            "/home/u/.aws/config": "[profile static]\nregion = eu-west-1\n",
            "/home/u/.aws/credentials":
                "[static]\naws_access_key_id = \(Fixtures.accessKeyID)\n"
                + "aws_secret_access_key = \(Fixtures.secretAccessKey)\n",
        ]
        let result = try TokenService(system: Self.system(footprint, environment: environment, files: files))
            .token(for: TokenRequest(clusterID: "dev"))
        #expect(result.accessKeyID == Fixtures.accessKeyID)
        #expect(footprint.httpClients == 0)
        #expect(footprint.clockReadings >= 1)
        #expect(
            Set(footprint.fileCalls).isSubset(of: ["read /home/u/.aws/config", "read /home/u/.aws/credentials"]),
            "unexpected file-system calls: \(footprint.fileCalls)")
    }
}
