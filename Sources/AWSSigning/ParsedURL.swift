/// A URL split into its RFC 3986 parts, the one URL reader of the project: endpoints
/// (`AWS_ENDPOINT_URL*`, `endpoint_url`, container and instance-metadata URLs), proxy URLs and the
/// presigned URL inside a token all go through it, each then applying its own rules.
///
/// Hand-written rather than Foundation's `URLComponents`: it is on the start-up path of `token`
/// (endpoint variables), where FoundationEssentials has no URL parser and full Foundation costs
/// milliseconds to load; and the token checks need the raw, undecoded parts the EKS authenticator
/// compares (Go's `url.Parse` keeps `Host` with its port).
public struct ParsedURL: Sendable, Equatable {
    /// The scheme, lower-cased (`https`).
    public var scheme: String
    /// Everything between `://` and the path: `[userinfo@]host[:port]`, as written.
    public var authority: String
    /// The part of the authority before its last `@`, as written (percent-encoded), if any.
    public var userInfo: String?
    /// The authority without its user info: `host[:port]`, as written.
    public var hostAndPort: String
    /// The path as written, `""` when there is none.
    public var path: String
    /// The text after `?` and before `#`, as written; nil without a `?`.
    public var query: String?
    /// The text after `#`; nil without a `#`.
    public var fragment: String?

    /// Splits `text` (`scheme://authority[/path][?query][#fragment]`); nil without `scheme://` or
    /// with a scheme that is not letters, digits, `+`, `-` or `.` starting with a letter.
    public init?(_ text: String) {
        guard let schemeEnd = text.firstRange(of: "://") else { return nil }
        let scheme = text[..<schemeEnd.lowerBound]
        guard let first = scheme.first, first.isASCII, first.isLetter,
            scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) })
        else { return nil }
        self.scheme = scheme.lowercased()
        var rest = text[schemeEnd.upperBound...]
        if let hash = rest.firstIndex(of: "#") {
            fragment = String(rest[rest.index(after: hash)...])
            rest = rest[..<hash]
        }
        if let question = rest.firstIndex(of: "?") {
            query = String(rest[rest.index(after: question)...])
            rest = rest[..<question]
        }
        if let slash = rest.firstIndex(of: "/") {
            path = String(rest[slash...])
            rest = rest[..<slash]
        } else {
            path = ""
        }
        authority = String(rest)
        if let at = rest.lastIndex(of: "@") {
            userInfo = String(rest[..<at])
            hostAndPort = String(rest[rest.index(after: at)...])
        } else {
            hostAndPort = authority
        }
    }

    /// The host (lower-cased; an IPv6 literal keeps its brackets) and the port when one is written;
    /// nil when the port is not a number from 1 to 65535, a bracket is unclosed, or the host is empty.
    public var hostPort: (host: String, port: Int?)? {
        var host = hostAndPort
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
        guard !host.isEmpty else { return nil }
        return (host.lowercased(), port)
    }

    /// The query's `name=value` pairs in order, as written (a pair without `=` has an empty value).
    public var rawQueryItems: [(name: String, value: String)] {
        guard let query else { return [] }
        return query.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
        }
    }

    /// The query's pairs with `%XX` escapes decoded (`+` stays `+`, as in AWS query strings).
    public var queryItems: [(name: String, value: String)] {
        rawQueryItems.map { (Self.percentDecoded($0.name), Self.percentDecoded($0.value)) }
    }

    /// `text` with each `%XX` escape replaced by its byte; malformed escapes are kept as written,
    /// and invalid UTF-8 becomes U+FFFD.
    public static func percentDecoded(_ text: String) -> String {
        decoded(text, plusIsSpace: false, strict: false)!
    }

    /// `text` with `%XX` escapes decoded (and `+` as a space when `plusIsSpace`); nil when a `%` is not
    /// followed by two hex digits, as Go's `url.QueryUnescape` and `url.PathUnescape` refuse it.
    public static func strictlyPercentDecoded<S: StringProtocol>(_ text: S, plusIsSpace: Bool) -> String? {
        decoded(text, plusIsSpace: plusIsSpace, strict: true)
    }

    static func decoded<S: StringProtocol>(_ text: S, plusIsSpace: Bool, strict: Bool) -> String? {
        var bytes: [UInt8] = []
        var rest = Array(text.utf8)[...]
        while let byte = rest.popFirst() {
            if byte == UInt8(ascii: "%"), rest.count >= 2, let high = hexValue(rest[rest.startIndex]),
                let low = hexValue(rest[rest.startIndex + 1])
            {
                bytes.append(high << 4 | low)
                rest = rest.dropFirst(2)
            } else if byte == UInt8(ascii: "%"), strict {
                return nil
            } else {
                bytes.append(plusIsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The value of one ASCII hex digit, else nil (so `%+5` is not read as an escape).
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
