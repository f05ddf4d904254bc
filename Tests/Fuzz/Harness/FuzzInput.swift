import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthCore
import EKSAuthSystem
import EKSAuthTestSupport
import Foundation

/// What every harness shares: turning libFuzzer's buffer into values and a network made of fuzz bytes.
///
/// A harness never prints. A thrown Swift error is a normal outcome; a crash, a trap, a hang or a
/// sanitizer report is a finding, and so is a broken property a harness checks with `FuzzInput.expect`.
public enum FuzzInput {
    /// The fixed instant every harness signs and compares expiries at (the token test vector's).
    public static let now = Fixtures.tokenVectorDate

    /// The `size` bytes at `data` (none for a null pointer).
    public static func bytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
        guard let data, size > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: size))
    }

    /// The status a reply's first byte selects: mostly success, and the error statuses the clients branch on.
    static let statuses = [200, 200, 200, 400, 403, 404, 409, 500]

    /// `bytes` cut at each NUL into replies: each reply's first byte picks its status, the rest is its body.
    /// Request n gets reply n (the last one again once they run out), so one input can drive a
    /// multi-call exchange such as an IAM get-then-create.
    static func replies(_ bytes: [UInt8]) -> [HTTPResponse] {
        let parts = bytes.split(separator: 0, omittingEmptySubsequences: false)
        return parts.map { part in
            guard let first = part.first else { return HTTPResponse(status: 200) }
            return HTTPResponse(status: statuses[Int(first) % statuses.count], body: Array(part.dropFirst()))
        }
    }

    /// A network answering request n with `replies[n - 1]` (the last reply after that).
    static func network(_ replies: [HTTPResponse]) -> FakeHTTPClient {
        FakeHTTPClient { _, attempt in replies[min(attempt, replies.count) - 1] }
    }

    /// A network answering every request with `status` and `body`.
    static func network(status: Int, body: [UInt8]) -> FakeHTTPClient {
        FakeHTTPClient { _, _ in HTTPResponse(status: status, body: body) }
    }

    /// A retry policy that never sleeps and tries at most twice (a retried reply is still parsed).
    static let retry = RetryPolicy(maxAttempts: 2, sleep: { _ in }, random: { 0 })

    /// A context at `now` with `environment`, `files`, the network `http` and no commands or sleeps.
    static func system(
        _ environment: [String: String], files: InMemoryFileSystem, http: FakeHTTPClient,
        processes: ProcessRunner = NoProcesses()
    ) -> SystemContext {
        SystemContext(
            environment: Environment(environment), clock: .fixed(now), fileSystem: files, http: { http },
            processes: processes)
    }

    /// Traps with `property` when `holds` is false: a property a harness checks is broken.
    static func expect(_ holds: Bool, _ property: @autoclosure () -> String) {
        if !holds { fatalError("fuzz property broken: \(property())") }
    }
}
