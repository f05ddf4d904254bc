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

    /// Parses `http(s)://host[:port][/path]`; nil for anything else (query strings and user info included).
    public init?(url: String) {
        let text = url.trimmingWhitespace()
        let lower = text.lowercased()
        let scheme: String
        if lower.hasPrefix("https://") {
            scheme = "https"
        } else if lower.hasPrefix("http://") {
            scheme = "http"
        } else {
            return nil
        }
        var rest = text.dropFirst(scheme.count + 3)
        var path = "/"
        if let slash = rest.firstIndex(of: "/") {
            path = String(rest[slash...])
            rest = rest[..<slash]
        }
        guard !rest.isEmpty, !rest.contains("@"), !path.contains("?"), !path.contains("#") else { return nil }
        var host = String(rest)
        var port: Int?
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return nil }
            let after = host[host.index(after: close)...]
            if after.hasPrefix(":") {
                guard let p = Int(after.dropFirst()), (1...65535).contains(p) else { return nil }
                port = p
            } else if !after.isEmpty {
                return nil
            }
            host = String(host[...close])
        } else if let colon = host.lastIndex(of: ":") {
            guard let p = Int(host[host.index(after: colon)...]), (1...65535).contains(p) else { return nil }
            port = p
            host = String(host[..<colon])
        }
        guard !host.isEmpty,
            host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-._[]:".contains($0)) })
        else { return nil }
        self.init(scheme: scheme, host: host, port: port, path: path)
    }

    /// The `Host` header value: the host, plus the port only when it is not the scheme's default.
    public var hostHeader: String {
        guard let port, port != (scheme == "https" ? 443 : 80) else { return host }
        return "\(host):\(port)"
    }

    /// `scheme://host[:port]` followed by the path.
    public var description: String { "\(scheme)://\(hostHeader)\(path)" }
}
