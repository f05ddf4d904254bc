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

/// The network: direct requests through AsyncHTTPClient, proxied ones through `ProxiedExchange`
/// (absolute form for http, CONNECT for https, TLS to an https:// proxy). TLS is verified against the
/// system trust store (or `AWS_CA_BUNDLE`); connect and total timeouts; no redirects. Nothing is started
/// until the first request, so a token that needs no call pays nothing for it.
final class LiveHTTPClient: AWSTransport.HTTPClient, Sendable {
    private let environment: Environment
    private let tracer: Tracer
    private let direct = Mutex<AsyncHTTPClient.HTTPClient?>(nil)
    private let proxyTLS = Mutex<NIOSSLContext?>(nil)

    init(environment: Environment, tracer: Tracer = .silent) {
        self.environment = environment
        self.tracer = tracer
    }

    /// The largest reply body read: STS, IAM, EKS, IAM Identity Center, container and instance
    /// metadata answers are kilobytes. (A 100 MB STS error once took 41 s and 433 MB to read and print.)
    static let maximumBodySize = 1 << 20

    func send(_ request: HTTPRequest) throws -> HTTPResponse {
        guard let endpoint = Endpoint(url: String(request.url.prefix { $0 != "?" })) else {
            throw HTTPTransportError.connectionFailed("invalid URL")
        }
        if request.usesProxy, let (variable, ignored) = ProxySettings.ignoredNoProxyEntries(environment: environment) {
            tracer(
                "proxy: \(variable) entries that name no host, address or range are ignored: \(ignored.joined(separator: ", "))"
            )
        }
        // A bad proxy variable is a configuration error, reported as such and never retried.
        let proxy =
            request.usesProxy
            ? try ProxySettings.forRequest(
                toHost: endpoint.host, port: endpoint.port, scheme: endpoint.scheme, environment: environment)
            : nil
        // A request trusting only given certificates (a cluster's CA, for `doctor`) gets a TLS context and
        // a client of its own, made for it and shut down after it: no other request shares that trust.
        let trusted = try request.trustedCertificates.map(Self.tlsConfiguration(trusting:))
        if let proxy {
            tracer("\(request.method) \(endpoint) via \(proxy.named)")
            var exchange = ProxiedExchange(
                proxy: proxy, tls: try proxyTLSContext(), group: MultiThreadedEventLoopGroup.singleton,
                maximumBodySize: Self.maximumBodySize)
            if let trusted { exchange.destinationTLS = try Self.context(trusted) }
            return try exchange.send(request, to: endpoint)
        }
        let client = trusted.map(Self.client(tls:)) ?? self.client()
        defer { if trusted != nil { try? client.syncShutdown() } }
        var headers = HTTPHeaders()
        for header in request.headers { headers.add(name: header.name, value: header.value) }
        let outgoing: AsyncHTTPClient.HTTPClient.Request
        do {
            outgoing = try .init(
                url: request.url, method: HTTPMethod(rawValue: request.method), headers: headers,
                body: request.body.isEmpty ? nil : .bytes(request.body))
        } catch {
            throw HTTPTransportError.connectionFailed("invalid request: \(Self.describe(error))")
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
                throw HTTPTransportError.connectionFailed(Self.describe(error))
            }
        } catch {
            throw HTTPTransportError.connectionFailed(Self.describe(error))
        }
    }

    /// The TLS settings of every connection: the system store, or `AWS_CA_BUNDLE` alone.
    private func tlsConfiguration() -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let bundle = environment["AWS_CA_BUNDLE"] {
            tls.trustRoots = .file(environment.expandingTilde(bundle))
        }
        return tls
    }

    /// TLS that trusts only the certificates of `pem`.
    /// - Throws: `HTTPTransportError.connectionFailed` when `pem` holds no readable certificate.
    static func tlsConfiguration(trusting pem: [UInt8]) throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        do {
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(pem))
        } catch {
            throw HTTPTransportError.connectionFailed("the trusted certificates are not readable PEM")
        }
        return tls
    }

    /// A TLS context of `configuration`.
    /// - Throws: `HTTPTransportError.connectionFailed`.
    static func context(_ configuration: TLSConfiguration) throws -> NIOSSLContext {
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw HTTPTransportError.connectionFailed("cannot load the trusted certificates: \(describe(error))")
        }
    }

    /// The TLS context of proxied connections (to an https:// proxy and inside CONNECT tunnels).
    private func proxyTLSContext() throws -> NIOSSLContext {
        try proxyTLS.withLock { made in
            if let made { return made }
            do {
                let context = try NIOSSLContext(configuration: tlsConfiguration())
                made = context
                return context
            } catch {
                throw HTTPTransportError.connectionFailed(
                    "cannot load the trusted certificates: \(Self.describe(error))")
            }
        }
    }

    /// The client of direct requests, made on the first one.
    private func client() -> AsyncHTTPClient.HTTPClient {
        direct.withLock { made in
            if let made { return made }
            let client = Self.client(tls: tlsConfiguration())
            made = client
            return client
        }
    }

    /// A client of direct requests verifying servers with `tls`.
    private static func client(tls: TLSConfiguration) -> AsyncHTTPClient.HTTPClient {
        // Each request's own deadline bounds it (1 s for instance metadata, 10 s for STS); the
        // client's timeouts only cap what no deadline should allow, so one client serves all.
        var configuration = AsyncHTTPClient.HTTPClient.Configuration(
            tlsConfiguration: tls, redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(3), read: .seconds(60)))
        // A refused connection fails at once: the callers retry with their own policies (STS, the
        // container endpoint, instance metadata), and AHC's own retries would spend the whole deadline.
        configuration.connectionPool.retryConnectionEstablishment = false
        return AsyncHTTPClient.HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    func shutdown() {
        let client = direct.withLock { made in
            defer { made = nil }
            return made
        }
        try? client?.syncShutdown()
    }

    static func describe(_ error: Error) -> String {
        // "connection refused", not NIO's "connection reset (error set): Connection refused) (errno: 111)".
        if let io = error as? IOError { return String(cString: strerror(io.errnoCode)).lowercased() }
        if let connect = error as? NIOConnectionError {
            if let first = connect.connectionErrors.first { return describe(first.error) }
            if connect.dnsAError != nil || connect.dnsAAAAError != nil { return "cannot resolve \(connect.host)" }
        }
        let text = "\(error)"
        // The client's own error names the header values it refused, which may be a credential: never shown.
        if text.contains("invalidHeaderField") { return "a header name or value holds a character HTTP forbids" }
        // A TLS failure: BoringSSL's reason (`CERTIFICATE_VERIFY_FAILED`, …), not the library's dump of
        // its error stack with its build paths.
        if error is NIOSSLError || error is BoringSSLError || text.contains("handshakeFailed") {
            guard let marker = text.firstRange(of: "OPENSSL_internal:") else { return "TLS handshake failed" }
            let reason = text[marker.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "_" }
            return reason == "CERTIFICATE_VERIFY_FAILED"
                ? HTTPTransportError.untrustedCertificate : "TLS handshake failed (\(reason))"
        }
        return text.count > 200 ? String(text.prefix(200)) + "…" : text
    }
}
