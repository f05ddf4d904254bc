import AWSSigning
import EKSAuthSystem

/// An HTTP proxy to send a request through, from `https_proxy`/`HTTPS_PROXY` or `http_proxy`/`HTTP_PROXY`,
/// unless `no_proxy`/`NO_PROXY` exempts the destination. Shapes: `http://[user[:password]@]host[:port]` and
/// `https://…` (TLS to the proxy itself, as urllib3 does for botocore); the scheme may be left out.
public struct ProxySettings: Sendable, Hashable {
    /// `http` or `https`: how the connection to the proxy itself is made.
    public var scheme: String
    /// The proxy host (IPv6 literals without brackets).
    public var host: String
    /// The proxy port: as written, else 80 for `http` and 443 for `https` (urllib3's defaults).
    public var port: Int
    /// Basic-auth user name from the proxy URL, percent-decoded, if any.
    public var username: String?
    /// Basic-auth password from the proxy URL, percent-decoded, if any.
    public var password: String?
    /// The variable it came from (`HTTPS_PROXY`, `http_proxy`…), for errors and `--verbose`.
    public var source: String

    /// A proxy from parts.
    public init(
        scheme: String = "http", host: String, port: Int, username: String? = nil, password: String? = nil,
        source: String
    ) {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.source = source
    }

    /// The proxy URL with its credentials masked as botocore's `mask_proxy_url` does:
    /// `http://***:***@proxy.corp:3128`.
    public var redactedURL: String {
        let credentials = username == nil ? "" : (password == nil ? "***@" : "***:***@")
        let literal = host.contains(":") ? "[\(host)]" : host
        return "\(scheme)://\(credentials)\(literal):\(port)"
    }

    /// How errors and traces name it: `proxy http://***:***@proxy.corp:3128 (from HTTPS_PROXY)`.
    public var named: String { "proxy \(redactedURL) (from \(source))" }

    /// The proxy for a request to `host` (`port`, default for `scheme` when nil) over `scheme`: the
    /// lower-case variable first, an empty one meaning none (urllib's `getproxies_environment`, which
    /// botocore reads), and none when `no_proxy`/`NO_PROXY` exempts the destination (`bypasses`).
    /// `ALL_PROXY` is not read, as by botocore; `HTTP_PROXY` is, as by botocore (curl reads only `http_proxy`).
    /// - Throws: `ConfigError.invalidSetting` for a proxy URL that cannot be read (its credentials left out).
    public static func forRequest(toHost host: String, port: Int? = nil, scheme: String, environment: Environment)
        throws -> ProxySettings?
    {
        let lower = scheme == "https" ? "https_proxy" : "http_proxy"
        guard let (name, value) = lowerCaseFirst(lower, in: environment), !value.trimmingWhitespace().isEmpty else {
            return nil
        }
        let defaultPort = scheme == "https" ? 443 : 80
        let noProxy = lowerCaseFirst("no_proxy", in: environment)?.value
        if bypasses(host: host, port: port ?? defaultPort, noProxy: noProxy) { return nil }
        return try parse(value, source: name)
    }

    /// The `NO_PROXY` (or `no_proxy`) entries that name nothing, so never match: not a host, domain,
    /// `host:port`, IP address or CIDR range (`10.0.0.0/33`, `a:b:c`, `[::1`), with the variable's
    /// name; for a `--verbose` line (urllib and curl ignore such entries silently too).
    public static func ignoredNoProxyEntries(environment: Environment) -> (variable: String, entries: [String])? {
        guard let (name, value) = lowerCaseFirst("no_proxy", in: environment), value != "*" else { return nil }
        let ignored = value.split(separator: ",").map { $0.trimmingWhitespace() }.filter {
            !$0.isEmpty && NoProxyEntry($0.lowercased()) == nil
        }
        return ignored.isEmpty ? nil : (name, ignored)
    }

    /// The lower-case variable when it is set, even to nothing, else the upper-case one: an empty
    /// `https_proxy` or `no_proxy` hides `HTTPS_PROXY` or `NO_PROXY` for urllib (`getproxies_environment`)
    /// and curl alike. Read from `variables`, since the subscript takes an empty value for an unset one.
    private static func lowerCaseFirst(_ lower: String, in environment: Environment) -> (name: String, value: String)? {
        if let value = environment.variables[lower] { return (lower, value) }
        let upper = lower.uppercased()
        return environment.variables[upper].map { (upper, $0) }
    }

    /// Whether `noProxy` exempts `host` at `port`. The rules of urllib's `proxy_bypass_environment`
    /// (botocore's) and curl's `Curl_check_noproxy`, with what each adds:
    /// - the whole value `*` exempts every host (both; a `*` among other entries is no wildcard);
    /// - entries are split at commas, trimmed, compared case-insensitively, leading dots ignored
    ///   (both): `example.com` and `.example.com` match `example.com` and every `*.example.com`;
    ///   `*.example.com` is read as `.example.com` (Go's `httpproxy`; neither peer matches it);
    /// - `host:port` and `[v6]:port` match only that port, the scheme's default when the URL has none
    ///   (urllib matches only a port written in the URL; curl never matches an entry with a port);
    /// - IP literals are compared as addresses, brackets optional (`::1` matches `[::1]`; urllib
    ///   compares text with the brackets kept);
    /// - `10.0.0.0/8`, `::1/128`: CIDR ranges for IP literal hosts, never resolved (curl 7.86;
    ///   urllib has none, so botocore would proxy).
    static func bypasses(host: String, port: Int, noProxy: String?) -> Bool {
        guard let noProxy else { return false }
        if noProxy == "*" { return true }  // exactly, as urllib: " * " is not the wildcard
        let name = host.lowercased().trimmingCharacters(in: "[]")
        let address = IPAddressLiteral(name)
        for rawEntry in noProxy.split(separator: ",") {
            guard let entry = NoProxyEntry(rawEntry.trimmingWhitespace().lowercased()) else { continue }
            if let entryPort = entry.port, entryPort != port { continue }
            if let (network, prefix) = entry.range {
                if let address, address.isIn(network: network, prefixLength: prefix) { return true }
                continue
            }
            if let address, let other = IPAddressLiteral(entry.name) {
                if address == other { return true }
                continue
            }
            if name == entry.name || name.hasSuffix("." + entry.name) { return true }
        }
        return false
    }

    /// `text` with any `user:password@` shown as `***:***@`, for messages.
    static func masked(_ text: String) -> String {
        guard let at = text.lastIndex(of: "@") else { return text }
        let start = text.firstRange(of: "://")?.upperBound ?? text.startIndex
        guard start <= at else { return text }
        return String(text[..<start]) + "***:***" + String(text[at...])
    }

    /// What is wrong with an unreadable proxy value, in words: no host, or a port that is not a
    /// number from 1 to 65535.
    static func problem(in text: String) -> String {
        var rest = Substring(text)
        if let scheme = rest.firstRange(of: "://") { rest = rest[scheme.upperBound...] }
        if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return "an IPv6 address without its ']'" }
            rest = rest[rest.index(after: close)...]
            if rest.isEmpty { return "unreadable host" }
            guard rest.hasPrefix(":") else { return "text after the IPv6 address" }
            rest = "x" + rest
        }
        guard let colon = rest.lastIndex(of: ":") else { return rest.isEmpty ? "no host" : "unreadable host" }
        if rest[..<colon].isEmpty { return "no host" }
        let port = rest[rest.index(after: colon)...]
        guard let number = Int(port), (1...65_535).contains(number) else {
            return "the port '\(port)' is not a number from 1 to 65535"
        }
        return "unreadable host"
    }

    /// Reads `[http[s]:][//][user[:password]@]host[:port]`; a path is ignored, as by urllib3.
    static func parse(_ value: String, source: String) throws -> ProxySettings {
        let text = value.trimmingWhitespace()
        let unreadable = ConfigError.invalidSetting(
            name: source, value: masked(text), source: "the environment",
            expected: "http://[user:password@]host[:port] or https://… (\(problem(in: text)))")
        // Without a scheme it is http, `//host:port` included (botocore's `_fix_proxy_url`).
        let url = text.contains("://") ? text : (text.hasPrefix("//") ? "http:" : "http://") + text
        guard let parsed = ParsedURL(url) else { throw unreadable }
        guard parsed.scheme == "http" || parsed.scheme == "https" else {
            throw ConfigError.invalidSetting(
                name: source, value: "\(parsed.scheme)://…", source: "the environment",
                expected: "an http:// or https:// proxy URL")
        }
        var username: String?
        var password: String?
        if let userInfo = parsed.userInfo {
            let parts = userInfo.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            username = parts.first.map { ParsedURL.percentDecoded(String($0)) }
            password = parts.count > 1 ? ParsedURL.percentDecoded(String(parts[1])) : nil
        }
        guard let endpoint = Endpoint(url: "\(parsed.scheme)://\(parsed.hostAndPort)"), !endpoint.host.isEmpty else {
            throw unreadable
        }
        return ProxySettings(
            scheme: parsed.scheme, host: endpoint.host.trimmingCharacters(in: "[]"),
            port: endpoint.port ?? (parsed.scheme == "https" ? 443 : 80), username: username, password: password,
            source: source)
    }
}

/// One `NO_PROXY` entry: a name (leading `.` or `*.` taken off), an optional port, or a CIDR range.
private struct NoProxyEntry {
    var name: String
    var port: Int?
    var range: (network: IPAddressLiteral, prefix: Int)?

    init?(_ text: String) {
        var rest = Substring(text)
        // `[::1]:8080`, `[::1]`, `host:8080`; a bare IPv6 literal (`::1`, `fd00::/8`) has more than one colon.
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") {
                guard let port = Int(after.dropFirst()) else { return nil }
                self.port = port
            } else if !after.isEmpty {
                return nil
            }
            rest = rest[rest.index(after: rest.startIndex)..<close]
        } else if rest.filter({ $0 == ":" }).count == 1, let colon = rest.firstIndex(of: ":") {
            guard let port = Int(rest[rest.index(after: colon)...]) else { return nil }
            self.port = port
            rest = rest[..<colon]
        }
        if let slash = rest.firstIndex(of: "/") {
            guard let network = IPAddressLiteral(String(rest[..<slash])),
                let prefix = Int(rest[rest.index(after: slash)...]), (0...network.bytes.count * 8).contains(prefix)
            else { return nil }
            range = (network, prefix)
        }
        if rest.hasPrefix("*.") { rest = rest.dropFirst() }
        while rest.hasPrefix(".") { rest = rest.dropFirst() }
        if rest.isEmpty { return nil }
        name = String(rest)
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
