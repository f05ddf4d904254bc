import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem
import EKSAuthCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import EKSAuthPlatform

/// The real environment, clock, disk, network and terminal; the only code that reads them.
struct LiveSystem {
    let environment: Environment
    let reporter: Reporter
    let context: SystemContext
    private let http: LiveHTTPClient

    init(verbose: Bool) {
        let environment = Environment(ProcessInfo.processInfo.environment)
        let reporter = Reporter(verbose: verbose)
        let http = LiveHTTPClient(environment: environment)
        self.environment = environment
        self.reporter = reporter
        self.http = http
        self.context = SystemContext(
            environment: environment, clock: WallClock { Date() }, fileSystem: LiveFileSystem(),
            tracer: reporter.tracer, warn: { reporter.warn($0) }, http: { http },
            terminal: Terminal(stdinIsTerminal: isatty(STDIN_FILENO) == 1) { prompt in
                LiveSystem.write(prompt, to: STDERR_FILENO)
                return Swift.readLine(strippingNewline: true)
            },
            sleep: { seconds in usleep(useconds_t(max(0, min(seconds, 60)) * 1_000_000)) },
            random: { Double.random(in: 0..<1) }, processes: LiveProcessRunner())
    }

    /// Releases the network client, if one was started.
    func shutdown() {
        http.shutdown()
    }

    /// Writes `text` and a newline to stdout.
    func writeStdout(_ text: String) {
        Self.write(text + "\n", to: STDOUT_FILENO)
    }

    /// Writes all of `text` to file descriptor `fd`, retrying short writes and EINTR.
    static func write(_ text: String, to fd: Int32) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { posixWrite(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            bytes = bytes.dropFirst(written)
        }
    }
}
