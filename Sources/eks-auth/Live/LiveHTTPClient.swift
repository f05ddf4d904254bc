import AWSConfiguration
import AWSSigning
import AWSTransport
import AsyncHTTPClient
import EKSAuthCore
import EKSAuthPlatform
import EKSAuthSystem
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// The network, through AsyncHTTPClient: TLS verified against the system trust store (or
/// `AWS_CA_BUNDLE`), `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY`, connect and total timeouts, no redirects.
/// Nothing is started until the first request, so a token that needs no call pays nothing for it.
final class LiveHTTPClient: AWSTransport.HTTPClient, Sendable {
    private let environment: Environment
    // One client per proxy choice, in a list rather than a dictionary: destroying a
    // `[ProxySettings?: HTTPClient]` instantiated its metadata, whose `Hashable` requirement scans every
    // conformance record in the binary (1.0 M instructions per run that made this object, measured with
    // callgrind); a run makes at most a couple of clients.
    private let clients = Mutex<[(proxy: ProxySettings?, client: AsyncHTTPClient.HTTPClient)]>([])

    init(environment: Environment) {
        self.environment = environment
    }

    /// The largest reply body read: STS, IAM, EKS, IAM Identity Center, container and instance
    /// metadata answers are kilobytes. (A 100 MB STS error once took 41 s and 433 MB to read and print.)
    static let maximumBodySize = 1 << 20

    func send(_ request: HTTPRequest) throws -> HTTPResponse {
        guard let endpoint = Endpoint(url: String(request.url.prefix { $0 != "?" })) else {
            throw HTTPTransportError.connectionFailed("invalid URL")
        }
        // A bad proxy variable is a configuration error, reported as such and never retried.
        let proxy =
            request.usesProxy
            ? try ProxySettings.forRequest(toHost: endpoint.host, scheme: endpoint.scheme, environment: environment)
            : nil
        let client = try self.client(for: proxy)
        var headers = HTTPHeaders()
        for header in request.headers { headers.add(name: header.name, value: header.value) }
        let outgoing: AsyncHTTPClient.HTTPClient.Request
        do {
            outgoing = try .init(
                url: request.url, method: HTTPMethod(rawValue: request.method), headers: headers,
                body: request.body.isEmpty ? nil : .bytes(request.body))
        } catch {
            throw HTTPTransportError.connectionFailed("invalid request: \(error)")
        }
        let deadline = NIODeadline.now() + .milliseconds(Int64(request.timeout * 1000))
        do {
            // Bounded: a reply larger than any AWS answer we read is cut off, not held in memory.
            let accumulator = ResponseAccumulator(request: outgoing, maxBodySize: Self.maximumBodySize)
            let response = try client.execute(request: outgoing, delegate: accumulator, deadline: deadline)
                .futureResult.wait()
            var body: [UInt8] = []
            if var buffer = response.body { body = buffer.readBytes(length: buffer.readableBytes) ?? [] }
            return HTTPResponse(
                status: Int(response.status.code),
                headers: response.headers.map { HTTPHeader(name: $0.name, value: $0.value) }, body: body)
        } catch is ResponseAccumulator.ResponseTooBigError {
            throw HTTPTransportError.connectionFailed("the reply is larger than \(Self.maximumBodySize >> 20) MiB")
        } catch let error as HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .connectTimeout, .tlsHandshakeTimeout, .httpProxyHandshakeTimeout:
                throw HTTPTransportError.timedOut
            default:
                throw HTTPTransportError.connectionFailed("\(error)")
            }
        } catch {
            throw HTTPTransportError.connectionFailed(Self.describe(error))
        }
    }

    /// One client per proxy choice (in practice one per run).
    private func client(for proxy: ProxySettings?) throws -> AsyncHTTPClient.HTTPClient {
        try clients.withLock { clients in
            if let existing = clients.first(where: { $0.proxy == proxy }) { return existing.client }
            var tls = TLSConfiguration.makeClientConfiguration()
            if let bundle = environment["AWS_CA_BUNDLE"] {
                tls.trustRoots = .file(environment.expandingTilde(bundle))
            }
            // Each request's own deadline bounds it (1 s for instance metadata, 10 s for STS); the
            // client's timeouts only cap what no deadline should allow, so clients can be shared.
            var configuration = AsyncHTTPClient.HTTPClient.Configuration(
                tlsConfiguration: tls, redirectConfiguration: .disallow,
                timeout: .init(connect: .seconds(3), read: .seconds(60)),
                proxy: proxy.map { settings in
                    .server(
                        host: settings.host, port: settings.port,
                        authorization: settings.username.map { .basic(username: $0, password: settings.password ?? "") }
                    )
                })
            // A refused connection fails at once: the callers retry with their own policies (STS, the
            // container endpoint, instance metadata), and AHC's own retries would spend the whole deadline.
            configuration.connectionPool.retryConnectionEstablishment = false
            let client = AsyncHTTPClient.HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            clients.append((proxy, client))
            return client
        }
    }

    func shutdown() {
        let all = clients.withLock { clients in
            defer { clients.removeAll() }
            return clients.map(\.client)
        }
        for client in all { try? client.syncShutdown() }
    }

    static func describe(_ error: Error) -> String {
        // "connection refused", not NIO's "connection reset (error set): Connection refused) (errno: 111)".
        if let io = error as? IOError { return String(cString: strerror(io.errnoCode)).lowercased() }
        if let connect = error as? NIOConnectionError, let first = connect.connectionErrors.first {
            return describe(first.error)
        }
        let text = "\(error)"
        return text.count > 200 ? String(text.prefix(200)) + "…" : text
    }
}
