import EKSAuthSystem

/// A service endpoint: scheme, host, optional port and base path, as parsed from a URL.
public struct Endpoint: Sendable, Equatable, CustomStringConvertible {
    /// `https` or `http`.
    public var scheme: String
    /// Host name or IP literal, lower-cased (IPv6 literals keep their brackets).
    public var host: String
    /// Port when it was written in the URL.
    public var port: Int?
    /// Path; `/` when the URL had none.
    public var path: String

    /// An endpoint from parts.
    public init(scheme: String = "https", host: String, port: Int? = nil, path: String = "/") {
        self.scheme = scheme
        self.host = host.lowercased()
        self.port = port
        self.path = path.isEmpty ? "/" : path
    }

    /// Parses `http(s)://host[:port][/path]` (through `ParsedURL`); nil for anything else (query
    /// strings, fragments and user info included).
    public init?(url: String) {
        guard let parsed = ParsedURL(url.trimmingWhitespace()), parsed.scheme == "https" || parsed.scheme == "http",
            parsed.userInfo == nil, parsed.query == nil, parsed.fragment == nil, let (host, port) = parsed.hostPort,
            host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-._[]:".contains($0)) })
        else { return nil }
        self.init(scheme: parsed.scheme, host: host, port: port, path: parsed.path)
    }

    /// The `Host` header value: the host, plus the port only when it is not the scheme's default.
    public var hostHeader: String {
        guard let port, port != (scheme == "https" ? 443 : 80) else { return host }
        return "\(host):\(port)"
    }

    /// `scheme://host[:port]` followed by the path.
    public var description: String { "\(scheme)://\(hostHeader)\(path)" }
}
