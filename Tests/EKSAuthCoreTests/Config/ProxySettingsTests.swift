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

    @Test("credentials in the proxy URL are percent-decoded")
    func credentials() throws {
        let proxy = try ProxySettings.forRequest(
            toHost: "sts.amazonaws.com", scheme: "https", environment: ["HTTPS_PROXY": "http://us%40er:p%3Ass@p:1"])
        #expect(proxy?.username == "us@er")
        #expect(proxy?.password == "p:ss")
        #expect(proxy?.port == 1)
    }

    @Test(
        "NO_PROXY exempts exact hosts, domain suffixes, ports and the wildcard",
        arguments: [
            ("sts.eu-west-1.amazonaws.com", "localhost,.amazonaws.com", true),
            ("sts.eu-west-1.amazonaws.com", "amazonaws.com", true),
            ("sts.eu-west-1.amazonaws.com", "*.amazonaws.com", true),
            ("notamazonaws.com", "amazonaws.com", false),
            ("127.0.0.1", "127.0.0.1:5000", true),
            ("[::1]", "::1", true),
            ("anything", "*", true),
            ("sts.amazonaws.com", "example.com, other.org", false),
        ])
    func noProxy(host: String, noProxy: String, bypassed: Bool) throws {
        let proxy = try ProxySettings.forRequest(
            toHost: host, scheme: "https", environment: ["HTTPS_PROXY": "http://p:1", "NO_PROXY": noProxy])
        #expect((proxy == nil) == bypassed)
    }

    @Test("an https:// or unreadable proxy URL is a clear error without the URL's secrets")
    func badProxy() {
        #expect(throws: ConfigError.self) {
            try ProxySettings.forRequest(
                toHost: "x", scheme: "https", environment: ["HTTPS_PROXY": "socks5://u:secret@p:1"])
        }
        do {
            _ = try ProxySettings.forRequest(
                toHost: "x", scheme: "https", environment: ["HTTPS_PROXY": "http://u:secret@:bad"])
            Issue.record("expected an error")
        } catch let error as ConfigError {
            #expect(!error.message.contains("secret"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
