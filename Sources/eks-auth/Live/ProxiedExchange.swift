import AWSConfiguration
import AWSSigning
import AWSTransport
import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOTLS
import Synchronization

/// One request through an HTTP proxy, on a connection of its own, the way urllib3 does it for botocore:
/// - an `http://` destination is sent to the proxy in absolute form (`GET http://host:port/path HTTP/1.1`,
///   RFC 9112 §3.2.2) with `Proxy-Authorization`;
/// - an `https://` destination goes through a `CONNECT host:port` tunnel (RFC 9110 §9.3.6), `Proxy-Authorization`
///   on the CONNECT only, then TLS to the destination inside it;
/// - an `https://` proxy gets TLS first, verified like any destination (`AWS_CA_BUNDLE` or the system store),
///   as urllib3 does when botocore sets no `proxy_ca_bundle`.
///
/// AsyncHTTPClient (1.37) cannot do the first or the last: it tunnels every proxied request with CONNECT
/// (Squid, the usual corporate proxy, refuses CONNECT to port 80 by default), has no TLS to the proxy, and
/// reports a refused CONNECT without its status. Direct requests stay with it.
struct ProxiedExchange {
    let proxy: ProxySettings
    let tls: NIOSSLContext
    let group: any EventLoopGroup
    let maximumBodySize: Int
    /// The TLS context inside the tunnel when the destination is trusted differently from the proxy
    /// (a cluster endpoint checked against the cluster's own CA); nil uses `tls` for both.
    var destinationTLS: NIOSSLContext? = nil

    /// Sends `request` to `endpoint` through the proxy.
    /// - Throws: `HTTPTransportError`; a failure before the destination is reached names the proxy.
    func send(_ request: HTTPRequest, to endpoint: Endpoint) throws -> HTTPResponse {
        let deadline = NIODeadline.now() + .milliseconds(Int64(request.timeout * 1000))
        let waited = "no answer within \(HTTPTransportError.seconds(request.timeout))"
        let channel = try connectToProxy(deadline: deadline, waited: waited)
        defer { channel.close(promise: nil) }
        let timedOut = TimeoutFlag()
        let timer = channel.eventLoop.scheduleTask(deadline: deadline) {
            timedOut.fired.store(true, ordering: .relaxed)
            channel.close(promise: nil)
        }
        defer { timer.cancel() }
        // Whom a timeout is told about: the proxy until the tunnel is open, the destination after.
        var waitingFor = "\(proxy.named): \(waited)"
        do {
            let target = "\(endpoint.host):\(endpoint.port ?? (endpoint.scheme == "https" ? 443 : 80))"
            if endpoint.scheme == "https" {
                try openTunnel(on: channel, to: target)
                waitingFor = ""
                try addTLS(to: channel, serverHostname: endpoint.host)
                return try exchange(request, on: channel, target: Self.originForm(of: request.url), endpoint: endpoint)
            }
            waitingFor = "\(waited) through \(proxy.named)"
            return try exchange(request, on: channel, target: request.url, endpoint: endpoint)
        } catch {
            // The deadline closed the connection under whatever was waiting.
            if timedOut.fired.load(ordering: .relaxed) {
                throw waitingFor.isEmpty ? HTTPTransportError.timedOut : HTTPTransportError.connectionFailed(waitingFor)
            }
            if let error = error as? HTTPTransportError { throw error }
            throw HTTPTransportError.connectionFailed(LiveHTTPClient.describe(error))
        }
    }

    /// A connection to the proxy (with TLS for an `https://` proxy); connecting gets at most 3 s, as direct.
    private func connectToProxy(deadline: NIODeadline, waited: String) throws -> any Channel {
        let remaining = deadline - .now()
        let usesTLS = proxy.scheme == "https"
        let context = tls
        let serverHostname = Self.serverName(for: proxy.host)
        let handshake = group.any().makePromise(of: Void.self)
        let bootstrap = ClientBootstrap(group: handshake.futureResult.eventLoop)
            .connectTimeout(min(.seconds(3), max(remaining, .milliseconds(1))))
            .channelInitializer { channel in
                guard usesTLS else { return channel.eventLoop.makeSucceededVoidFuture() }
                return channel.eventLoop.makeCompletedFuture(
                    Result {
                        try channel.pipeline.syncOperations.addHandlers(
                            NIOSSLClientHandler(context: context, serverHostname: serverHostname),
                            TLSHandshakeWaiter(promise: handshake))
                    })
            }
        do {
            let channel = try bootstrap.connect(host: proxy.host, port: proxy.port).wait()
            guard usesTLS else {
                handshake.succeed()
                return channel
            }
            // The handshake has the rest of the request's deadline, like everything after it.
            let timer = channel.eventLoop.scheduleTask(deadline: deadline) { channel.close(promise: nil) }
            defer { timer.cancel() }
            do {
                try handshake.futureResult.wait()
            } catch {
                channel.close(promise: nil)
                throw NIODeadline.now() >= deadline
                    ? HTTPTransportError.connectionFailed("\(proxy.named): \(waited)") : error
            }
            return channel
        } catch let error as HTTPTransportError {
            throw error
        } catch ChannelError.connectTimeout(let limit) {
            let failure = HTTPTransportError.connectionFailed(
                "\(proxy.named): no connection within \(HTTPTransportError.seconds(Double(limit.nanoseconds) / 1e9))")
            handshake.fail(failure)
            throw failure
        } catch {
            handshake.fail(error)
            throw HTTPTransportError.connectionFailed("\(proxy.named): \(LiveHTTPClient.describe(error))")
        }
    }

    /// Sends `CONNECT target` and waits for a 2xx head; then takes the HTTP handlers off again.
    private func openTunnel(on channel: any Channel, to target: String) throws {
        var headers = HTTPHeaders([("Host", target)])
        if let authorization = Self.authorization(proxy) {
            headers.add(name: "Proxy-Authorization", value: authorization)
        }
        let head: HTTPResponseHead
        do {
            head = try roundTrip(
                HTTPRequestHead(version: .http1_1, method: .CONNECT, uri: target, headers: headers), body: [],
                on: channel, headOnly: true
            ).head
        } catch let error as HTTPTransportError {
            throw error
        } catch {
            throw HTTPTransportError.connectionFailed("\(proxy.named): \(LiveHTTPClient.describe(error))")
        }
        guard (200..<300).contains(head.status.code) else {
            throw HTTPTransportError.connectionFailed(
                "\(proxy.named) refused the tunnel to \(target): \(head.status.code) \(head.status.reasonPhrase)")
        }
        for name in Self.handlerNames { try channel.pipeline.removeHandler(name: name).wait() }
    }

    private func addTLS(to channel: any Channel, serverHostname host: String) throws {
        let context = destinationTLS ?? tls
        let serverHostname = Self.serverName(for: host)
        let handshake = channel.eventLoop.makePromise(of: Void.self)
        do {
            try channel.eventLoop.submit {
                try channel.pipeline.syncOperations.addHandlers(
                    NIOSSLClientHandler(context: context, serverHostname: serverHostname),
                    TLSHandshakeWaiter(promise: handshake))
            }.wait()
            try handshake.futureResult.wait()
        } catch {
            handshake.fail(error)
            throw HTTPTransportError.connectionFailed(LiveHTTPClient.describe(error))
        }
    }

    /// Sends the request with `target` as its request-target and reads the whole answer. Through a
    /// tunnel, failures are the destination's and read as direct ones; in absolute form they are the proxy's.
    private func exchange(_ request: HTTPRequest, on channel: any Channel, target: String, endpoint: Endpoint) throws
        -> HTTPResponse
    {
        let absoluteForm = target == request.url
        var headers = HTTPHeaders()
        if request.header("Host") == nil { headers.add(name: "Host", value: endpoint.hostHeader) }
        for header in request.headers { headers.add(name: header.name, value: header.value) }
        if !request.body.isEmpty || request.method == "POST" || request.method == "PUT" {
            headers.add(name: "Content-Length", value: String(request.body.count))
        }
        if absoluteForm, let authorization = Self.authorization(proxy) {
            headers.add(name: "Proxy-Authorization", value: authorization)
        }
        headers.add(name: "Connection", value: "close")
        let answer: (head: HTTPResponseHead, body: [UInt8])
        do {
            answer = try roundTrip(
                HTTPRequestHead(
                    version: .http1_1, method: HTTPMethod(rawValue: request.method), uri: target, headers: headers),
                body: request.body, on: channel, headOnly: false)
        } catch let error as HTTPTransportError {
            throw error
        } catch {
            let why = LiveHTTPClient.describe(error)
            throw HTTPTransportError.connectionFailed(absoluteForm ? "\(proxy.named): \(why)" : why)
        }
        // 407 comes only from a proxy (RFC 9110 §15.5.8): in absolute form it is not the destination's answer.
        if absoluteForm, answer.head.status.code == 407 {
            throw HTTPTransportError.connectionFailed(
                "\(proxy.named) answered \(answer.head.status.code) \(answer.head.status.reasonPhrase)")
        }
        return HTTPResponse(
            status: Int(answer.head.status.code),
            headers: answer.head.headers.map { HTTPHeader(name: $0.name, value: $0.value) }, body: answer.body)
    }

    private static let handlerNames = ["proxy-http-encoder", "proxy-http-decoder", "proxy-http-collector"]

    /// Adds the HTTP/1.1 handlers, writes `head` and `body`, and waits for the answer.
    private func roundTrip(_ head: HTTPRequestHead, body: [UInt8], on channel: any Channel, headOnly: Bool) throws
        -> (head: HTTPResponseHead, body: [UInt8])
    {
        let promise = channel.eventLoop.makePromise(of: ResponseCollector.Answer.self)
        let limit = maximumBodySize
        try channel.eventLoop.submit {
            let names = Self.handlerNames
            let sync = channel.pipeline.syncOperations
            try sync.addHandler(HTTPRequestEncoder(), name: names[0])
            // After the encoder, so that it sees the request's method (a CONNECT answer has no body).
            try sync.addHandler(
                ByteToMessageHandler(HTTPResponseDecoder(leftOverBytesStrategy: .dropBytes)), name: names[1])
            try sync.addHandler(ResponseCollector(promise: promise, headOnly: headOnly, limit: limit), name: names[2])
        }.wait()
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        if !body.isEmpty {
            channel.write(HTTPClientRequestPart.body(.byteBuffer(ByteBuffer(bytes: body))), promise: nil)
        }
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        do {
            let answer = try promise.futureResult.wait()
            return (answer.head, answer.body)
        } catch is ResponseCollector.TooBig {
            throw HTTPTransportError.connectionFailed("the reply is larger than \(maximumBodySize >> 20) MiB")
        }
    }

    /// `Basic base64(user:password)` (RFC 7617) when the proxy URL has a user name; curl sends it
    /// with an empty password too, botocore only with both.
    static func authorization(_ proxy: ProxySettings) -> String? {
        proxy.username.map {
            AsyncHTTPClient.HTTPClient.Authorization.basic(username: $0, password: proxy.password ?? "").headerValue
        }
    }

    /// The path and query of an absolute URL (`/` when it has none).
    static func originForm(of url: String) -> String {
        let scheme = url.prefix { $0 != ":" }
        let afterAuthority = url.dropFirst(scheme.count + 3).drop { $0 != "/" && $0 != "?" }
        return afterAuthority.hasPrefix("/") ? String(afterAuthority) : "/" + afterAuthority
    }

    /// The TLS server name for `host`: none for an IP literal (SNI carries names only, RFC 6066 §3);
    /// NIOSSL then checks the certificate against the connected address.
    static func serverName(for host: String) -> String? {
        let bare = host.filter { $0 != "[" && $0 != "]" }
        return bare.contains(":") || bare.allSatisfy({ $0.isNumber || $0 == "." }) ? nil : bare
    }
}

/// Completes `promise` when the TLS handshake before it in the pipeline is done (or failed), then
/// leaves the pipeline: without it, a handshake error would reach no one and the request would wait.
private final class TLSHandshakeWaiter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let promise: EventLoopPromise<Void>

    init(promise: EventLoopPromise<Void>) {
        self.promise = promise
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted = event {
            promise.succeed()
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        promise.fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(ResponseCollector.ClosedEarly())
        context.fireChannelInactive()
    }
}

/// Set when a request's deadline passed and its connection was closed for it.
private final class TimeoutFlag: Sendable {
    let fired = Atomic(false)
}

/// Collects one answer: the head alone for CONNECT, head and body (at most `limit` bytes) otherwise.
private final class ResponseCollector: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart

    struct Answer: Sendable {
        var head: HTTPResponseHead
        var body: [UInt8]
    }
    struct TooBig: Error {}
    struct ClosedEarly: Error, CustomStringConvertible {
        var description: String { "the connection closed before a complete answer" }
    }

    private let promise: EventLoopPromise<Answer>
    private let headOnly: Bool
    private let limit: Int
    private var head: HTTPResponseHead?
    private var body: [UInt8] = []
    private var done = false

    init(promise: EventLoopPromise<Answer>, headOnly: Bool, limit: Int) {
        self.promise = promise
        self.headOnly = headOnly
        self.limit = limit
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head) where head.status.code < 200 && head.status.code != 101:
            return  // an interim answer (100 Continue); the final one follows
        case .head(let head):
            self.head = head
            if headOnly { finish(.success(Answer(head: head, body: []))) }
        case .body(var buffer):
            body += buffer.readBytes(length: buffer.readableBytes) ?? []
            if body.count > limit {
                finish(.failure(TooBig()))
                context.close(promise: nil)
            }
        case .end:
            if let head { finish(.success(Answer(head: head, body: body))) }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        finish(.failure(error))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.failure(ClosedEarly()))
        context.fireChannelInactive()
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if !context.channel.isActive { finish(.failure(ClosedEarly())) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        finish(.failure(ClosedEarly()))
    }

    private func finish(_ result: Result<Answer, Error>) {
        guard !done else { return }
        done = true
        promise.completeWith(result)
    }
}
