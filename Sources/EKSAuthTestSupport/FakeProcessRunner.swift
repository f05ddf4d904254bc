import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthCore
import EKSAuthSystem
import Synchronization

/// A `ProcessRunner` double backed by a closure; it records every request it is asked to run.
package final class FakeProcessRunner: ProcessRunner, Sendable {
    package typealias Handler = @Sendable (ProcessRequest) throws -> ProcessResult
    private let handler: Handler
    private let log = Mutex<[ProcessRequest]>([])

    /// A fake answering each request with `handler(request)`.
    package init(_ handler: @escaping Handler) {
        self.handler = handler
    }

    /// A fake whose command exits 0 after printing `stdout`.
    package convenience init(printing stdout: String) {
        self.init { _ in ProcessResult(status: 0, stdout: Array(stdout.utf8)) }
    }

    /// The requests run so far, oldest first.
    package var requests: [ProcessRequest] { log.withLock { $0 } }

    package func run(_ request: ProcessRequest) throws -> ProcessResult {
        log.withLock { $0.append(request) }
        return try handler(request)
    }
}
