import EKSAuthTestSupport
import Foundation
import Testing

@testable import AWSConfiguration
@testable import AWSSigning
@testable import AWSTransport
@testable import EKSAuthCore
@testable import EKSAuthSystem

@Suite("SigV4 signer")
struct SigV4SignerTests {
    struct SuiteCase: Sendable, CustomTestStringConvertible {
        var name: String
        var method: String
        var host: String
        var query: [String]
        var headers: [String]
        var service: String
        var signature: String
        var testDescription: String { name }
    }

    // The AWS SigV4 test suite (sig-v4-test-suite) and the IAM ListUsers example of the
    // "Create a signed AWS API request" guide, all at 20150830T123600Z with AKIDEXAMPLE.
    static let suiteCases: [SuiteCase] = [
        SuiteCase(
            name: "get-vanilla", method: "GET", host: "example.amazonaws.com", query: [], headers: [],
            service: "service", signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        SuiteCase(
            name: "get-vanilla-query-order-key-case", method: "GET", host: "example.amazonaws.com",
            query: ["Param2=value2", "Param1=value1"], headers: [], service: "service",
            signature: "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
        SuiteCase(
            name: "post-vanilla", method: "POST", host: "example.amazonaws.com", query: [], headers: [],
            service: "service", signature: "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
        SuiteCase(
            name: "iam ListUsers", method: "GET", host: "iam.amazonaws.com",
            query: ["Action=ListUsers", "Version=2010-05-08"],
            headers: ["Content-Type=application/x-www-form-urlencoded; charset=utf-8"], service: "iam",
            signature: "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"),
    ]

    static func pairs(_ items: [String]) -> [(name: String, value: String)] {
        items.map {
            let parts = $0.split(separator: "=", maxSplits: 1)
            return (String(parts[0]), String(parts[1]))
        }
    }

    @Test("header signing matches the published AWS examples", arguments: suiteCases)
    func publishedExamples(_ c: SuiteCase) {
        let signer = SigV4Signer(credentials: Fixtures.credentials, region: "us-east-1", service: c.service)
        let request = SigV4Request(
            method: c.method, endpoint: Endpoint(host: c.host), query: Self.pairs(c.query),
            headers: Self.pairs(c.headers))
        let signed = signer.signHeaders(of: request, at: Fixtures.sigV4SuiteDate)
        #expect(signed.header("X-Amz-Date") == "20150830T123600Z")
        let authorization = signed.header("Authorization") ?? ""
        #expect(
            authorization.hasPrefix(
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/\(c.service)/aws4_request, "))
        #expect(authorization.hasSuffix("Signature=\(c.signature)"))
    }

    @Test("the signing key chain gives the documented key for the IAM example")
    func signingKey() {
        let signer = SigV4Signer(credentials: Fixtures.credentials, region: "us-east-1", service: "iam")
        #expect(
            Crypto.hex(signer.signingKey(shortDate: "20150830"))
                == "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9")
    }

    @Test("the token vector's canonical request and signature are reproduced stage by stage")
    func tokenVectorStages() {
        let credentials = AWSCredentials(
            accessKeyID: Fixtures.accessKeyID, secretAccessKey: Fixtures.secretAccessKey,
            sessionToken: Fixtures.sessionToken)
        let signer = SigV4Signer(credentials: credentials, region: "us-west-2", service: "sts")
        let query: [(name: String, value: String)] = [
            ("Action", "GetCallerIdentity"), ("Version", "2011-06-15"), ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"),
            ("X-Amz-Credential", "AKIDEXAMPLE/20240102/us-west-2/sts/aws4_request"),
            ("X-Amz-Date", "20240102T030405Z"), ("X-Amz-Expires", "60"),
            ("X-Amz-SignedHeaders", "host;x-k8s-aws-id"), ("X-Amz-Security-Token", Fixtures.sessionToken),
        ]
        let canonical = signer.canonicalRequest(
            method: "GET", path: "/", query: query,
            headers: [("host", "sts.us-west-2.amazonaws.com"), ("x-k8s-aws-id", "my-cluster")],
            payloadHash: SigV4Signer.emptyPayloadHash)
        let expected = """
            GET
            /
            Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20240102%2Fus-west-2%2Fsts%2Faws4_request&X-Amz-Date=20240102T030405Z&X-Amz-Expires=60&X-Amz-Security-Token=FQoGZXIvYXdzEXAMPLE%2F%2Btoken%3D&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id
            host:sts.us-west-2.amazonaws.com
            x-k8s-aws-id:my-cluster

            host;x-k8s-aws-id
            e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            """
        #expect(canonical == expected)
        #expect(
            Crypto.hex(Crypto.sha256(Array(canonical.utf8)))
                == "a923f26cdc9c8db64b1399d87c78ce21112d95e0842fec166c8d54e9c697ea79")
        let toSign = signer.stringToSign(canonicalRequest: canonical, timestamp: "20240102T030405Z")
        #expect(
            signer.signature(of: toSign, timestamp: "20240102T030405Z")
                == "dce08e63e36c434e6d3cc8d32bd50ede2ed60f6485136a9cd5b0dec85369f370")
    }

    @Test("header signing adds the session token and signs it, but never signs User-Agent")
    func sessionTokenHeader() {
        let credentials = AWSCredentials(accessKeyID: "ASIAEXAMPLE", secretAccessKey: "s", sessionToken: "tok")
        let signer = SigV4Signer(credentials: credentials, region: "us-east-1", service: "sts")
        let request = SigV4Request(
            method: "POST", endpoint: Endpoint(host: "sts.us-east-1.amazonaws.com"),
            headers: [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"), ("User-Agent", "x")],
            body: Array("Action=GetCallerIdentity&Version=2011-06-15".utf8))
        let signed = signer.signHeaders(of: request, at: Fixtures.sigV4SuiteDate)
        #expect(signed.header("X-Amz-Security-Token") == "tok")
        #expect(
            signed.header("Authorization")?.contains(
                "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token,") == true)
    }

    @Test(
        "URI encoding leaves only unreserved characters and uses upper-case hex",
        arguments: [
            ("a-b_c.d~e", "a-b_c.d~e"), ("a b", "a%20b"), ("a/b+c=d", "a%2Fb%2Bc%3Dd"), ("é", "%C3%A9"),
            ("host;x-k8s-aws-id", "host%3Bx-k8s-aws-id"),
        ])
    func uriEncoding(input: String, expected: String) {
        #expect(SigV4Signer.uriEncode(input) == expected)
    }

    @Test("canonical paths drop dot and empty segments")
    func canonicalPaths() {
        #expect(SigV4Signer.canonicalPath("") == "/")
        #expect(SigV4Signer.canonicalPath("/") == "/")
        #expect(SigV4Signer.canonicalPath("/a/./b/../c//d") == "/a/c/d")
        #expect(SigV4Signer.canonicalPath("/clusters/my cluster") == "/clusters/my%20cluster")
    }

    @Test("the Host header carries a port only when it is not the scheme's default")
    func hostHeader() {
        #expect(Endpoint(url: "https://sts.amazonaws.com:443")?.hostHeader == "sts.amazonaws.com")
        #expect(Endpoint(url: "http://127.0.0.1:5000")?.hostHeader == "127.0.0.1:5000")
        #expect(Endpoint(url: "http://[::1]:8080/x")?.hostHeader == "[::1]:8080")
        #expect(Endpoint(url: "ftp://x") == nil)
        #expect(Endpoint(url: "https://user@host") == nil)
        #expect(Endpoint(url: "https://host:99999") == nil)
    }

    @Test("libcrypto digests match known values")
    func crypto() {
        #expect(Crypto.hex(Crypto.sha256([UInt8]())) == SigV4Signer.emptyPayloadHash)
        #expect(
            Crypto.hex(
                Crypto.hmacSHA256(
                    key: Array("key".utf8), data: Array("The quick brown fox jumps over the lazy dog".utf8)))
                == "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8")
    }
}
