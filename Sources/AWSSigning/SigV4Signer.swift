import EKSAuthSystem

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// AWS Signature Version 4, in the stages of the AWS documentation:
/// canonical request → string to sign → signing key → signature.
///
/// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
public struct SigV4Signer: Sendable {
    /// `AWS4-HMAC-SHA256`, the only algorithm SigV4 (non-asymmetric) names.
    public static let algorithm = "AWS4-HMAC-SHA256"
    /// Hex SHA-256 of the empty body.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// The credentials that sign.
    public let credentials: AWSCredentials
    /// The signing region, e.g. `us-west-2` (`us-east-1` for the global STS endpoint).
    public let region: String
    /// The signing name of the service, e.g. `sts` or `eks`.
    public let service: String

    /// A signer for one credential, region and service.
    public init(credentials: AWSCredentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    // MARK: Presigning (query authentication)

    /// The request's URL with the SigV4 authentication parameters in the query.
    ///
    /// Headers of `request` are signed (and must be sent with the URL); `X-Amz-Security-Token` is
    /// part of the signed query when the credentials carry a session token.
    /// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html#create-canonical-request
    public func presign(_ request: SigV4Request, expiresIn seconds: Int, at date: Date) -> String {
        let timestamp = Timestamp.sigV4(date)
        let headers = canonicalHeaderList(of: request)
        let signedHeaders = headers.map(\.name).joined(separator: ";")
        var query = request.query
        query.append(("X-Amz-Algorithm", Self.algorithm))
        query.append(("X-Amz-Credential", "\(credentials.accessKeyID)/\(scope(timestamp))"))
        query.append(("X-Amz-Date", timestamp))
        query.append(("X-Amz-Expires", String(seconds)))
        query.append(("X-Amz-SignedHeaders", signedHeaders))
        if let token = credentials.sessionToken {
            query.append(("X-Amz-Security-Token", token))
        }
        let canonical = canonicalRequest(
            method: request.method, path: request.endpoint.path, query: query, headers: headers,
            payloadHash: Crypto.hex(Crypto.sha256(request.body)))
        let sig = signature(of: stringToSign(canonicalRequest: canonical, timestamp: timestamp), timestamp: timestamp)
        query.append(("X-Amz-Signature", sig))
        // The URL's query uses the same encoding as the canonical query, in insertion order
        // (botocore's order: operation parameters first, then the X-Amz-* parameters).
        let queryString = query.map { "\(Self.uriEncode($0.name))=\(Self.uriEncode($0.value))" }
            .joined(separator: "&")
        return "\(request.endpoint.scheme)://\(request.endpoint.hostHeader)\(request.endpoint.path)?\(queryString)"
    }

    // MARK: Header signing

    /// `request` with `X-Amz-Date`, `X-Amz-Security-Token` (when present) and `Authorization` added.
    /// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html#add-signature-to-request
    public func signHeaders(of request: SigV4Request, at date: Date) -> SigV4Request {
        var signed = request
        let timestamp = Timestamp.sigV4(date)
        signed.headers.removeAll {
            ["authorization", "x-amz-date", "x-amz-security-token"].contains($0.name.lowercased())
        }
        signed.headers.append(("X-Amz-Date", timestamp))
        if let token = credentials.sessionToken {
            signed.headers.append(("X-Amz-Security-Token", token))
        }
        let headers = canonicalHeaderList(of: signed)
        let signedHeaders = headers.map(\.name).joined(separator: ";")
        let canonical = canonicalRequest(
            method: signed.method, path: signed.endpoint.path, query: signed.query, headers: headers,
            payloadHash: Crypto.hex(Crypto.sha256(signed.body)))
        let sig = signature(of: stringToSign(canonicalRequest: canonical, timestamp: timestamp), timestamp: timestamp)
        signed.headers.append(
            (
                "Authorization",
                "\(Self.algorithm) Credential=\(credentials.accessKeyID)/\(scope(timestamp)), "
                    + "SignedHeaders=\(signedHeaders), Signature=\(sig)"
            ))
        return signed
    }

    // MARK: Stages

    /// Task 1: the canonical request, six parts joined by newlines.
    /// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html#create-canonical-request
    public func canonicalRequest(
        method: String, path: String, query: [(name: String, value: String)],
        headers: [(name: String, value: String)], payloadHash: String
    ) -> String {
        let encoded: [(key: String, value: String)] = query.filter { $0.name != "X-Amz-Signature" }
            .map { (key: Self.uriEncode($0.name), value: Self.uriEncode($0.value)) }
        let sorted = encoded.sorted { lhs, rhs in
            lhs.key == rhs.key ? lhs.value < rhs.value : lhs.key < rhs.key
        }
        let canonicalQuery: String = sorted.map { "\($0.key)=\($0.value)" }.joined(separator: "&")
        let headerBlock: String = headers.map { "\($0.name):\($0.value)\n" }.joined()
        let signedHeaders: String = headers.map(\.name).joined(separator: ";")
        let parts: [String] = [
            method.uppercased(), Self.canonicalPath(path), canonicalQuery, headerBlock, signedHeaders, payloadHash,
        ]
        return parts.joined(separator: "\n")
    }

    /// Task 2: the string to sign: algorithm, timestamp, scope, hash of the canonical request.
    /// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html#create-string-to-sign
    public func stringToSign(canonicalRequest: String, timestamp: String) -> String {
        [
            Self.algorithm, timestamp, scope(timestamp),
            Crypto.hex(Crypto.sha256(Array(canonicalRequest.utf8))),
        ].joined(separator: "\n")
    }

    /// Task 3: the signing key, HMAC chained over date, region, service and `aws4_request`.
    /// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html#derive-signing-key
    public func signingKey(shortDate: String) -> [UInt8] {
        var key = Crypto.hmacSHA256(key: Array("AWS4\(credentials.secretAccessKey)".utf8), data: Array(shortDate.utf8))
        for part in [region, service, "aws4_request"] {
            key = Crypto.hmacSHA256(key: key, data: Array(part.utf8))
        }
        return key
    }

    /// Task 4: the hex signature of `stringToSign`.
    /// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html#calculate-signature
    public func signature(of stringToSign: String, timestamp: String) -> String {
        Crypto.hex(
            Crypto.hmacSHA256(key: signingKey(shortDate: String(timestamp.prefix(8))), data: Array(stringToSign.utf8)))
    }

    /// `YYYYMMDD/region/service/aws4_request`.
    public func scope(_ timestamp: String) -> String {
        "\(timestamp.prefix(8))/\(region)/\(service)/aws4_request"
    }

    // MARK: Encoding

    /// Header names SigV4 clients never sign because proxies may change them (botocore's list). An
    /// array: a `Set` of Strings is built by hashing at run time, on the start-up path of every token.
    static let unsignedHeaders = [
        "connection", "expect", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
        "transfer-encoding", "upgrade", "user-agent", "x-amzn-trace-id", "authorization",
    ]

    /// Lower-case names with trimmed, space-collapsed values, sorted by name; `host` always included;
    /// the values of a repeated name joined by `,` in the order given.
    ///
    /// An insertion into a sorted array rather than a `[String: [String]]` then `sorted()`, `map` and
    /// `joined`: a request has a handful of headers, and those generic calls cost about 0.4 M
    /// instructions at run time on every token (callgrind).
    func canonicalHeaderList(of request: SigV4Request) -> [(name: String, value: String)] {
        var list: [(name: String, value: String)] = []
        func add(_ name: String, _ value: String) {
            var index = 0
            while index < list.count, list[index].name < name { index += 1 }
            if index < list.count, list[index].name == name {
                list[index].value += "," + value
            } else {
                list.insert((name, value), at: index)
            }
        }
        for header in request.headers {
            let name = header.name.lowercased()
            guard !Self.unsignedHeaders.contains(name) else { continue }
            add(name, Self.collapsingBlanks(header.value))
        }
        if !list.contains(where: { $0.name == "host" }) { add("host", request.endpoint.hostHeader) }
        return list
    }

    /// `value` without leading or trailing spaces and tabs, each inner run of them made one space. Written out
    /// rather than `split(whereSeparator:).joined(separator:)`: the generic `joined` over substrings looks
    /// its associated types up at run time, about 0.37 M instructions on every token (measured with callgrind).
    static func collapsingBlanks(_ value: String) -> String {
        var result = ""
        result.reserveCapacity(value.utf8.count)
        var blankPending = false
        for character in value {
            if character == " " || character == "\t" {
                blankPending = !result.isEmpty
                continue
            }
            if blankPending {
                result.append(" ")
                blankPending = false
            }
            result.append(character)
        }
        return result
    }

    /// The path with empty and dot segments removed, each segment URI-encoded.
    static func canonicalPath(_ path: String) -> String {
        var segments: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            if segment == "." { continue }
            if segment == ".." {
                _ = segments.popLast()
                continue
            }
            segments.append(segment)
        }
        let encoded = "/" + segments.map { uriEncode(String($0)) }.joined(separator: "/")
        return path.hasSuffix("/") && !segments.isEmpty ? encoded + "/" : encoded
    }

    /// RFC 3986 encoding as SigV4 defines it: everything but `A-Z a-z 0-9 - _ . ~` as upper-case `%XX`.
    public static func uriEncode(_ text: String) -> String {
        // Written straight into the String's storage (at most three bytes out per byte in): appending
        // to an array byte by byte cost about 40 instructions a byte, and a session token is 1 KB.
        var text = text
        return text.withUTF8 { input in
            String(unsafeUninitializedCapacity: input.count * 3) { out in
                let hex: StaticString = "0123456789ABCDEF"
                let digits = hex.utf8Start
                var count = 0
                for byte in input {
                    switch byte {
                    case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                        UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"),
                        UInt8(ascii: "."), UInt8(ascii: "~"):
                        out[count] = byte
                        count += 1
                    default:
                        out[count] = UInt8(ascii: "%")
                        out[count + 1] = digits[Int(byte >> 4)]
                        out[count + 2] = digits[Int(byte & 0x0f)]
                        count += 3
                    }
                }
                return count
            }
        }
    }
}
