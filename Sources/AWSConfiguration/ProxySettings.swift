import AWSSigning
import EKSAuthSystem

/// An HTTP proxy to send a request through, from `HTTPS_PROXY` / `HTTP_PROXY` and `NO_PROXY`.
public struct ProxySettings: Sendable, Hashable {
    /// The proxy host.
    public var host: String
    /// The proxy port.
    public var port: Int
    /// Basic-auth user name from the proxy URL, if any.
    public var username: String?
    /// Basic-auth password from the proxy URL, if any.
    public var password: String?
    /// The variable it came from, for `--verbose`.
    public var source: String

    /// A proxy from parts.
    public init(host: String, port: Int, username: String? = nil, password: String? = nil, source: String) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.source = source
    }

    /// The proxy for a request to `host` over `scheme`, as curl and the AWS SDKs read the variables
    /// (lower-case spellings first): none when `NO_PROXY` matches the host (`*`, a name, or a
    /// domain suffix with or without its leading dot).
    /// - Throws: `ConfigError.invalidEndpoint` for a proxy URL that cannot be read.
    public static func forRequest(toHost host: String, scheme: String, environment: Environment) throws
        -> ProxySettings?
    {
        let names = scheme == "https" ? ["https_proxy", "HTTPS_PROXY"] : ["http_proxy", "HTTP_PROXY"]
        guard let (name, value) = names.lazy.compactMap({ n in environment[n].map { (n, $0) } }).first else {
            return nil
        }
        if bypasses(host: host, noProxy: environment["no_proxy"] ?? environment["NO_PROXY"]) { return nil }
        return try parse(value, source: name)
    }

    /// Whether `noProxy` (comma-separated) exempts `host`.
    static func bypasses(host: String, noProxy: String?) -> Bool {
        guard let noProxy else { return false }
        let lowerHost = host.lowercased().trimmingCharacters(in: "[]")
        for rawEntry in noProxy.split(separator: ",") {
            var entry = rawEntry.trimmingWhitespace().lowercased()
            if entry == "*" { return true }
            if let colon = entry.lastIndex(of: ":"), !entry.contains("]"), entry.filter({ $0 == ":" }).count == 1 {
                entry = String(entry[..<colon])
            }
            entry = entry.trimmingCharacters(in: "[]")
            if entry.hasPrefix("*.") { entry.removeFirst() }
            let bare = entry.hasPrefix(".") ? String(entry.dropFirst()) : entry
            if bare.isEmpty { continue }
            if lowerHost == bare || lowerHost.hasSuffix("." + bare) { return true }
        }
        return false
    }

    /// Reads `http://[user:pass@]host[:port]` (the scheme may be left out; the port defaults to 80).
    static func parse(_ value: String, source: String) throws -> ProxySettings {
        let text = value.trimmingWhitespace()
        let unreadable = ConfigError.invalidSetting(
            name: source, value: "(unreadable)", source: "the environment", expected: "http://host:port")
        guard let parsed = ParsedURL(text.contains("://") ? text : "http://" + text) else { throw unreadable }
        guard parsed.scheme == "http" else {
            throw ConfigError.invalidSetting(
                name: source, value: "\(parsed.scheme)://…", source: "the environment", expected: "an http:// proxy URL"
            )
        }
        var username: String?
        var password: String?
        if let userInfo = parsed.userInfo {
            let parts = userInfo.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            username = parts.first.map { ParsedURL.percentDecoded(String($0)) }
            password = parts.count > 1 ? ParsedURL.percentDecoded(String(parts[1])) : nil
        }
        guard let endpoint = Endpoint(url: "http://\(parsed.hostAndPort)") else { throw unreadable }
        return ProxySettings(
            host: endpoint.host.trimmingCharacters(in: "[]"), port: endpoint.port ?? 80, username: username,
            password: password, source: source)
    }
}

extension String {
    /// The string without leading and trailing characters from `set`.
    func trimmingCharacters(in set: String) -> String {
        guard let first = firstIndex(where: { !set.contains($0) }) else { return "" }
        let last = lastIndex(where: { !set.contains($0) })!
        return String(self[first...last])
    }
}
