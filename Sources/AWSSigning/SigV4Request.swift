import EKSAuthSystem

/// An HTTP request in the form SigV4 signs: method, endpoint, path, query, headers and body.
public struct SigV4Request: Sendable, Equatable {
    /// Upper-case HTTP method, e.g. `GET` or `POST`.
    public var method: String
    /// Where the request goes.
    public var endpoint: Endpoint
    /// Query parameters in the order they are to appear in a URL.
    public var query: [(name: String, value: String)]
    /// Header names and values; names compare case-insensitively when signing.
    public var headers: [(name: String, value: String)]
    /// The request body.
    public var body: [UInt8]

    /// A request with the given parts; `headers` and `body` default to empty.
    public init(
        method: String, endpoint: Endpoint, query: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)] = [], body: [UInt8] = []
    ) {
        self.method = method
        self.endpoint = endpoint
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// The value of header `name`, compared case-insensitively.
    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.name.lowercased() == lower }?.value
    }

    public static func == (lhs: SigV4Request, rhs: SigV4Request) -> Bool {
        lhs.method == rhs.method && lhs.endpoint == rhs.endpoint
            && lhs.query.map { [$0.name, $0.value] } == rhs.query.map { [$0.name, $0.value] }
            && lhs.headers.map { [$0.name, $0.value] } == rhs.headers.map { [$0.name, $0.value] }
            && lhs.body == rhs.body
    }
}
