import EKSAuthTestSupport
import Testing

@testable import AWSConfiguration
@testable import AWSSigning
@testable import AWSTransport
@testable import EKSAuthCore
@testable import EKSAuthSystem

@Suite("Proxy settings")
struct ProxySettingsTests {
    @Test("HTTPS_PROXY applies to https, HTTP_PROXY to http, lower case first")
    func schemes() throws {
        let env: Environment = [
            "HTTPS_PROXY": "http://upper:3128", "https_proxy": "http://proxy.corp:8080", "HTTP_PROXY": "plain:3129",
        ]
        let https = try ProxySettings.forRequest(
            toHost: "sts.eu-west-1.amazonaws.com", scheme: "https", environment: env)
        #expect(https == ProxySettings(host: "proxy.corp", port: 8080, source: "https_proxy"))
        let http = try ProxySettings.forRequest(toHost: "127.0.0.1", scheme: "http", environment: env)
        #expect(http == ProxySettings(host: "plain", port: 3129, source: "HTTP_PROXY"))
        #expect(try ProxySettings.forRequest(toHost: "x", scheme: "https", environment: [:]) == nil)
    }

    @Test("an empty lower-case variable means no proxy, even with the upper-case one set (urllib)")
    func emptyMeansNone() throws {
        let env: Environment = ["https_proxy": "", "HTTPS_PROXY": "http://p:1", "HTTP_PROXY": " "]
        #expect(try ProxySettings.forRequest(toHost: "x", scheme: "https", environment: env) == nil)
        #expect(try ProxySettings.forRequest(toHost: "x", scheme: "http", environment: env) == nil)
    }

    @Test("an https:// proxy is TLS to the proxy, port 443 unless written; http:// defaults to 80")
    func httpsProxy() throws {
        let https = try ProxySettings.parse("https://proxy.corp", source: "HTTPS_PROXY")
        #expect(https == ProxySettings(scheme: "https", host: "proxy.corp", port: 443, source: "HTTPS_PROXY"))
        let http = try ProxySettings.parse("http://[::1]/", source: "HTTP_PROXY")
        #expect(http == ProxySettings(scheme: "http", host: "::1", port: 80, source: "HTTP_PROXY"))
        #expect(http.redactedURL == "http://[::1]:80")
        #expect(try ProxySettings.parse("//p:3128", source: "HTTP_PROXY").port == 3128)
        #expect(
            try ProxySettings.parse("p", source: "HTTP_PROXY")
                == ProxySettings(host: "p", port: 80, source: "HTTP_PROXY"))
    }

    @Test("credentials in the proxy URL are percent-decoded and never shown")
    func credentials() throws {
        let proxy = try #require(
            try ProxySettings.forRequest(
                toHost: "sts.amazonaws.com", scheme: "https",
                environment: ["HTTPS_PROXY": "http://us%40er:p%3Ass@p:1"]))
        #expect(proxy.username == "us@er")
        #expect(proxy.password == "p:ss")
        #expect(proxy.port == 1)
        #expect(proxy.named == "proxy http://***:***@p:1 (from HTTPS_PROXY)")
        let userOnly = try ProxySettings.parse("https://token@p:2", source: "https_proxy")
        #expect(userOnly.username == "token" && userOnly.password == nil)
        #expect(userOnly.named == "proxy https://***@p:2 (from https_proxy)")
    }

    @Test(
        "NO_PROXY: the whole value *, names and domain suffixes, case-insensitive, whitespace around commas",
        arguments: [
            ("sts.eu-west-1.amazonaws.com", "localhost,.amazonaws.com", true),
            ("sts.eu-west-1.amazonaws.com", "amazonaws.com", true),
            ("amazonaws.com", ".amazonaws.com", true),
            ("sts.eu-west-1.amazonaws.com", "*.amazonaws.com", true),
            ("STS.Amazonaws.COM", " example.com ,  AMAZONAWS.com ", true),
            ("notamazonaws.com", "amazonaws.com", false),
            ("sts.amazonaws.com", "example.com, other.org", false),
            ("anything", "*", true),
            ("anything", " * ", false), ("anything", "*", true),
            // A `*` among other entries is no wildcard, for urllib and curl alike.
            ("anything", "localhost,*", false),
            ("anything", "", false),
        ])
    func noProxyNames(host: String, noProxy: String, bypassed: Bool) {
        #expect(ProxySettings.bypasses(host: host, port: 443, noProxy: noProxy) == bypassed)
    }

    @Test(
        "NO_PROXY: host:port entries match only that port, the scheme's default when the URL has none",
        arguments: [
            ("127.0.0.1", 5000, "127.0.0.1:5000", true),
            ("127.0.0.1", 5001, "127.0.0.1:5000", false),
            ("sts.amazonaws.com", 443, "sts.amazonaws.com:443", true),
            ("sts.amazonaws.com", 443, ".amazonaws.com:8443", false),
            ("[::1]", 8080, "[::1]:8080", true),
            ("[::1]", 8081, "[::1]:8080", false),
        ])
    func noProxyPorts(host: String, port: Int, noProxy: String, bypassed: Bool) {
        #expect(ProxySettings.bypasses(host: host, port: port, noProxy: noProxy) == bypassed)
    }

    @Test(
        "NO_PROXY: IP literals compare as addresses; CIDR ranges match IP hosts only (curl 7.86)",
        arguments: [
            ("[::1]", "::1", true),
            ("[0:0::1]", "[::1]", true),
            ("10.1.2.3", "10.0.0.0/8", true),
            ("11.1.2.3", "10.0.0.0/8", false),
            ("169.254.169.254", "169.254.0.0/16", true),
            ("192.168.1.7", "192.168.1.7/32", true),
            ("192.168.1.8", "192.168.1.7/32", false),
            ("[::1]", "::1/128", true),
            ("[::2]", "::1/128", false),
            ("[fd00:ec2::254]", "fd00::/8", true),
            ("[fe80::1]", "fd00::/8", false),
            ("[::ffff:10.0.0.1]", "::ffff:10.0.0.0/104", true),
            ("0.0.0.0", "0.0.0.0/0", true),
            // A v4 range never matches a v6 host, and names are never resolved to match a range.
            ("[::1]", "0.0.0.0/0", false),
            ("localhost", "127.0.0.0/8", false),
            // Not addresses: a dotted name with a leading zero octet is a name, not 10.0.0.1.
            ("10.0.0.1", "010.0.0.1", false),
        ])
    func noProxyAddresses(host: String, noProxy: String, bypassed: Bool) {
        #expect(ProxySettings.bypasses(host: host, port: 443, noProxy: noProxy) == bypassed)
    }

    @Test("NO_PROXY is read lower case first, and exempts from the request's own port")
    func noProxyVariable() throws {
        let env: Environment = [
            "HTTP_PROXY": "http://p:1", "no_proxy": "127.0.0.1:5000", "NO_PROXY": "*",
        ]
        #expect(try ProxySettings.forRequest(toHost: "127.0.0.1", port: 5000, scheme: "http", environment: env) == nil)
        #expect(try ProxySettings.forRequest(toHost: "127.0.0.1", port: 5001, scheme: "http", environment: env) != nil)
        #expect(try ProxySettings.forRequest(toHost: "127.0.0.1", scheme: "http", environment: env) != nil)
        let emptied: Environment = ["HTTP_PROXY": "http://p:1", "no_proxy": "", "NO_PROXY": "*"]
        #expect(try ProxySettings.forRequest(toHost: "x", scheme: "http", environment: emptied) != nil)
    }

    static let zeros: [UInt8] = Array(repeating: 0, count: 16)
    static let addressVectors: [(String, [UInt8])] = [
        ("::", zeros),
        ("::1", Array(zeros.prefix(15)) + [1]),
        ("1::", [0, 1] + Array(zeros.prefix(14))),
        ("fd00:ec2::254", [0xfd, 0, 0x0e, 0xc2] + Array(zeros.prefix(10)) + [0x02, 0x54]),
        ("::ffff:1.2.3.4", Array(zeros.prefix(10)) + [0xff, 0xff, 1, 2, 3, 4]),
        ("1:2:3:4:5:6:7:8", [0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8]),
        ("[fe80::1%eth0]", [0xfe, 0x80] + Array(zeros.prefix(13)) + [1]),
        ("255.0.10.1", [255, 0, 10, 1]),
    ]

    @Test("IP literals: RFC 4291 text forms and dotted quads", arguments: addressVectors)
    func addresses(text: String, bytes: [UInt8]) {
        #expect(IPAddressLiteral(text)?.bytes == bytes)
    }

    @Test(
        "not IP literals",
        arguments: [
            "", "1.2.3", "1.2.3.4.5", "256.0.0.1", "01.2.3.4", "1::2::3", "1:2:3:4:5:6:7:8:9", "12345::", ":::",
            "1:2:3:4:5:6:7::8:9", "localhost", "g::1", "1.2.3.4::",
        ])
    func notAddresses(text: String) {
        #expect(IPAddressLiteral(text) == nil)
    }

    @Test("a SOCKS or unreadable proxy URL is a clear error naming the variable, without the URL's secrets")
    func badProxy() {
        #expect(throws: ConfigError.self) {
            try ProxySettings.forRequest(
                toHost: "x", scheme: "https", environment: ["HTTPS_PROXY": "socks5://u:secret@p:1"])
        }
        for value in ["http://u:secret@:bad", "http://u:secret@/"] {
            do {
                _ = try ProxySettings.forRequest(toHost: "x", scheme: "https", environment: ["https_proxy": value])
                Issue.record("expected an error for \(value)")
            } catch let error as ConfigError {
                #expect(!error.message.contains("secret"))
                #expect(error.message.contains("https_proxy"))
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
    }

    @Test("NO_PROXY entries that can never match are listed for --verbose, and a CIDR prefix past the address is one")
    func ignoredEntries() {
        let environment = Environment(["NO_PROXY": "127.0.0.0/33, good.example,10.0.0.0/8,::1/129, ,fd00::/8,1.2.3.4/x"]
        )
        let ignored = ProxySettings.ignoredNoProxyEntries(environment: environment)
        #expect(ignored?.variable == "NO_PROXY")
        #expect(ignored?.entries == ["127.0.0.0/33", "::1/129", "1.2.3.4/x"])
        #expect(ProxySettings.ignoredNoProxyEntries(environment: Environment(["no_proxy": "*"])) == nil)
        #expect(
            ProxySettings.ignoredNoProxyEntries(environment: Environment(["NO_PROXY": "a.example,10.0.0.0/8"])) == nil)
        #expect(!ProxySettings.bypasses(host: "127.0.0.1", port: 80, noProxy: "127.0.0.0/33"))
    }
}
