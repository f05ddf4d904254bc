import AWSConfiguration
import AWSSigning
import EKSAuthSystem

/// An HTTP request as the core hands it to the transport.
public struct HTTPRequest: Sendable, Equatable {
    /// Upper-case method.
    public var method: String
    /// The absolute URL, query included.
    public var url: String
    /// Headers to send (the transport adds Host and Content-Length).
    public var headers: [HTTPHeader]
    /// The body.
    public var body: [UInt8]
    /// The most the whole exchange may take, in seconds.
    public var timeout: Double
    /// Whether `HTTP_PROXY`/`HTTPS_PROXY` (and `NO_PROXY`) apply. False for the container credentials
    /// endpoint, which botocore never sends through a proxy (`ContainerMetadataFetcher` makes its
    /// session without proxies): it is on the host or a link-local address. True for everything else,
    /// instance metadata included: botocore's `IMDSFetcher` takes `get_environ_proxies(base_url)`, so
    /// `HTTP_PROXY` applies to it unless `NO_PROXY` lists `169.254.169.254` (botocore 1.43.11 `utils.py`).
    public var usesProxy: Bool
    /// PEM certificates the server's certificate must chain to, instead of the system store or
    /// `AWS_CA_BUNDLE`: a cluster's own CA (DescribeCluster's `certificateAuthority.data`), which
    /// `doctor` checks the cluster endpoint against as kubectl does. Nil for the usual trust.
    public var trustedCertificates: [UInt8]?

    /// A request from parts.
    public init(
        method: String, url: String, headers: [HTTPHeader] = [], body: [UInt8] = [], timeout: Double,
        usesProxy: Bool = true
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.usesProxy = usesProxy
    }

    /// The request a signed `SigV4Request` describes.
    public init(_ signed: SigV4Request, timeout: Double) {
        let query = signed.query.map { "\(SigV4Signer.uriEncode($0.name))=\(SigV4Signer.uriEncode($0.value))" }
            .joined(separator: "&")
        let e = signed.endpoint
        self.init(
            method: signed.method,
            url: "\(e.scheme)://\(e.hostHeader)\(e.path)\(query.isEmpty ? "" : "?" + query)",
            headers: signed.headers.map { HTTPHeader(name: $0.name, value: $0.value) }, body: signed.body,
            timeout: timeout)
    }

    /// The value of header `name`, compared case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// One header line.
public struct HTTPHeader: Sendable, Equatable {
    /// The header name as sent.
    public var name: String
    /// Its value.
    public var value: String

    /// A header.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// An HTTP response.
public struct HTTPResponse: Sendable, Equatable {
    /// The status code.
    public var status: Int
    /// Response headers.
    public var headers: [HTTPHeader]
    /// The body.
    public var body: [UInt8]

    /// A response from parts.
    public init(status: Int, headers: [HTTPHeader] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The body as UTF-8 text.
    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The longest excerpt of a body that is not an AWS error document (a proxy's or load balancer's HTML
    /// page), in characters.
    public static let maximumExcerptLength = 160

    /// `HTTP 502: <html><head><title>502 Bad Gateway</title>…`: the status and the start of the body, its
    /// whitespace runs collapsed, sanitised for a terminal and cut to `maximumExcerptLength` (saying how
    /// much was left out); just `HTTP 502` when the body is empty. What a reply that is not AWS's says.
    public var statusWithExcerpt: String {
        bodyExcerpt.map { "HTTP \(status): \($0)" } ?? "HTTP \(status)"
    }

    /// The start of the body as `statusWithExcerpt` shows it; nil when the body is empty or blank.
    public var bodyExcerpt: String? {
        let words = text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        return words.isEmpty ? nil : TerminalText.line(words, limit: Self.maximumExcerptLength)
    }

    /// The value of header `name`, compared case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// Why a request got no response.
public enum HTTPTransportError: Error, Equatable, Sendable {
    /// No response within the request's timeout.
    case timedOut
    /// The connection could not be made or broke (DNS, refused, TLS, proxy…), in words.
    case connectionFailed(String)

    /// The words of a TLS handshake that failed because the peer's certificate is not trusted (the
    /// hint then names `AWS_CA_BUNDLE`).
    public static let untrustedCertificate =
        "TLS handshake failed: the certificate is not trusted (CERTIFICATE_VERIFY_FAILED)"

    /// `seconds` as a person writes it: `1 s`, `2.5 s`.
    package static func seconds(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? "\(Int(seconds)) s" : "\(seconds) s"
    }

    /// The failure in words, for a request that was allowed `timeout` seconds.
    public func reason(timeout: Double) -> String {
        switch self {
        case .timedOut:
            return "no answer within \(Self.seconds(timeout))"
        case .connectionFailed(let why): return why
        }
    }
}

/// The transport: sends one request, waits for its response. Synchronous, so that the token path
/// never starts the concurrency runtime; the live client blocks on its own event loop.
public protocol HTTPClient: Sendable {
    /// Sends `request`.
    /// - Throws: `HTTPTransportError` when no response arrived.
    func send(_ request: HTTPRequest) throws -> HTTPResponse
}
