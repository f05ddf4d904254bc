import Testing

@testable import AWSConfiguration
@testable import AWSSigning

@Suite("ParsedURL: the one URL reader")
struct ParsedURLTests {
    @Test("splits every part and keeps them as written")
    func parts() throws {
        let url = try #require(ParsedURL("HTTPS://u%40x:p@Sts.Example.com:8443/a/b?x=1&y=%2F#frag"))
        #expect(url.scheme == "https")
        #expect(url.authority == "u%40x:p@Sts.Example.com:8443")
        #expect(url.userInfo == "u%40x:p")
        #expect(url.hostAndPort == "Sts.Example.com:8443")
        #expect(url.path == "/a/b")
        #expect(url.query == "x=1&y=%2F")
        #expect(url.fragment == "frag")
        #expect(url.hostPort?.host == "sts.example.com")
        #expect(url.hostPort?.port == 8443)
        #expect(url.queryItems.map(\.value) == ["1", "/"])
        #expect(url.rawQueryItems.map(\.value) == ["1", "%2F"])
    }

    @Test(
        "host and port, IPv6 literals keep their brackets",
        arguments: [
            ("http://127.0.0.1:5056", "127.0.0.1", 5056),
            ("http://[fd00:ec2::254]/latest", "[fd00:ec2::254]", nil),
            ("http://[::1]:80", "[::1]", 80),
            ("https://host", "host", nil),
        ] as [(String, String, Int?)])
    func hostPort(url: String, host: String, port: Int?) throws {
        let parsed = try #require(ParsedURL(url)?.hostPort)
        #expect(parsed.host == host)
        #expect(parsed.port == port)
    }

    @Test(
        "refuses what is not a URL, or a port that is not one",
        arguments: ["sts.amazonaws.com", "://host", "1http://host", "ht tp://host"])
    func notURLs(text: String) {
        #expect(ParsedURL(text) == nil)
    }

    @Test(
        "an unusable port or bracket gives no host",
        arguments: ["http://h:0", "http://h:65536", "http://h:x", "http://[::1"])
    func badHostPort(url: String) {
        #expect(ParsedURL(url)?.hostPort == nil)
    }

    @Test(
        "percent-decoding: escapes become bytes, malformed ones stay, + stays",
        arguments: [
            ("a%2Fb", "a/b"), ("%e2%9c%93", "✓"), ("100%", "100%"), ("%zz", "%zz"), ("%+5", "%+5"), ("a+b", "a+b"),
        ])
    func decoding(text: String, decoded: String) {
        #expect(ParsedURL.percentDecoded(text) == decoded)
    }

    @Test("every reader goes through it: endpoints, proxies and the token URL agree on the parts")
    func readers() throws {
        #expect(Endpoint(url: "https://user@host/") == nil)
        #expect(Endpoint(url: "https://host/?x=1") == nil)
        #expect(Endpoint(url: "https://host/#f") == nil)
        #expect(Endpoint(url: " https://Host:444/p ") == Endpoint(scheme: "https", host: "host", port: 444, path: "/p"))
        let proxy = try ProxySettings.parse("http://us%3Aer:p%40ss@proxy:3128/", source: "HTTPS_PROXY")
        #expect(proxy.username == "us:er")
        #expect(proxy.password == "p@ss")
        #expect(proxy.host == "proxy" && proxy.port == 3128)
    }
}
