import EKSAuthTestSupport
import Foundation
import Testing

@testable import AWSConfiguration
@testable import AWSSigning
@testable import AWSTransport
@testable import EKSAuthCore
@testable import EKSAuthSystem

@Suite("Container credentials")
struct ContainerCredentialProviderTests {
    static let secret = "container/secret+KEY"
    static let sessionToken = "container-session-token"
    static let authToken = "pod-identity-auth-token"
    static let reply = """
        {"AccessKeyId": "ASIACONTAINER", "SecretAccessKey": "\(secret)", "Token": "\(sessionToken)",
         "Expiration": "2024-01-02T09:04:05Z"}
        """

    /// A context with `environment`, `files`, the fake network, and sleeps recorded.
    static func context(
        _ environment: [String: String], files: InMemoryFileSystem = InMemoryFileSystem(), http: FakeHTTPClient,
        sleeps: Recorder<Double> = Recorder(), trace: Recorder<String> = Recorder()
    ) -> SystemContext {
        var system = SystemContext(
            environment: Environment(environment), clock: .fixed(Fixtures.tokenVectorDate), fileSystem: files,
            tracer: Tracer { trace.append($0) }, http: { http }, sleep: { sleeps.append($0) })
        system.notice = { line, _ in trace.append(line) }
        return system
    }

    static func answering(_ status: Int = 200, _ body: String = reply) -> FakeHTTPClient {
        FakeHTTPClient { _, _ in HTTPResponse(status: status, body: Array(body.utf8)) }
    }

    @Test("is not configured without either URI variable")
    func notConfigured() throws {
        let http = Self.answering()
        #expect(try ContainerCredentialProvider(system: Self.context([:], http: http)).credentials().resolved == nil)
        #expect(http.requests.isEmpty)
    }

    @Test(
        "asks the ECS agent at 169.254.170.2 for a relative URI",
        arguments: [
            ("/v2/credentials/abc", "http://169.254.170.2/v2/credentials/abc"),
            ("v2/credentials/abc", "http://169.254.170.2/v2/credentials/abc"),
        ])
    func relativeURI(relative: String, url: String) throws {
        let http = Self.answering()
        let system = Self.context(["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": relative], http: http)
        let found = try #require(try ContainerCredentialProvider(system: system).credentials().resolved)
        #expect(
            found.credentials
                == AWSCredentials(
                    accessKeyID: "ASIACONTAINER", secretAccessKey: Self.secret, sessionToken: Self.sessionToken,
                    expiration: Date(timeIntervalSince1970: 1_704_186_245)))
        #expect(found.source.description == "container credentials (\(url))")
        let request = try #require(http.requests.first)
        #expect(http.requests.count == 1)
        #expect(request.method == "GET")
        #expect(request.url == url)
        #expect(request.header("Accept") == "application/json")
        #expect(request.header("Authorization") == nil)
        #expect(request.timeout == 2)
        // Never through HTTP_PROXY/HTTPS_PROXY, as botocore's container fetcher.
        #expect(request.usesProxy == false)
    }

    @Test("prefers AWS_CONTAINER_CREDENTIALS_RELATIVE_URI over _FULL_URI")
    func relativeBeatsFull() throws {
        let http = Self.answering()
        let system = Self.context(
            [
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/rel",
                "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:9000/full",
            ], http: http)
        _ = try ContainerCredentialProvider(system: system).credentials()
        #expect(http.requests.map(\.url) == ["http://169.254.170.2/rel"])
    }

    @Test(
        "accepts a full URI over https to any host, or over http to loopback and the agents",
        arguments: [
            "https://creds.example.com/get",
            "https://203.0.113.9:8443/get",
            "http://127.0.0.1:8080/creds",
            "http://127.5.6.7/creds",
            "http://localhost:9911/creds",
            "http://LOCALHOST/creds",
            "http://[::1]:8080/creds",
            "http://169.254.170.2/v2/credentials",
            "http://169.254.170.23/v1/credentials",
            "http://[fd00:ec2::23]/v1/credentials",
            "http://127.0.0.1:8080/creds?role=x",
        ])
    func allowedFullURI(url: String) throws {
        let http = Self.answering()
        let system = Self.context(["AWS_CONTAINER_CREDENTIALS_FULL_URI": url], http: http)
        let found = try #require(try ContainerCredentialProvider(system: system).credentials().resolved)
        #expect(found.credentials.accessKeyID == "ASIACONTAINER")
        #expect(http.requests.map(\.url) == [url])
    }

    @Test(
        "refuses a plain-http full URI to any other host",
        arguments: [
            ("http://creds.example.com/get", "creds.example.com"),
            ("http://169.254.169.254/latest", "169.254.169.254"),
            ("http://10.0.0.1/creds", "10.0.0.1"),
            ("http://128.0.0.1/creds", "128.0.0.1"),
            ("http://127.0.0.1.nip.io/creds", "127.0.0.1.nip.io"),
            ("http://localhost.example.com/creds", "localhost.example.com"),
            ("http://127.0.0.256/creds", "127.0.0.256"),
            ("http://[fd00:ec2::254]/creds", "[fd00:ec2::254]"),
            ("http://169.254.170.22/creds", "169.254.170.22"),
        ])
    func refusedFullURI(url: String, host: String) throws {
        let http = Self.answering()
        let system = Self.context(["AWS_CONTAINER_CREDENTIALS_FULL_URI": url], http: http)
        let error = #expect(throws: CredentialError.self) {
            try ContainerCredentialProvider(system: system).credentials()
        }
        guard case .invalidValue(let name, let source, let expected)? = error else {
            Issue.record("expected invalidValue, got \(String(describing: error))")
            return
        }
        #expect(name == "AWS_CONTAINER_CREDENTIALS_FULL_URI")
        #expect(source == "the environment")
        #expect(expected.hasSuffix("(not \(host))"))
        #expect(error?.kind == .badInput)
        #expect(http.requests.isEmpty)
    }

    @Test("refuses a full URI that is not an http(s) URL", arguments: ["ftp://127.0.0.1/x", "127.0.0.1/x", "http://"])
    func notAURL(url: String) throws {
        let system = Self.context(["AWS_CONTAINER_CREDENTIALS_FULL_URI": url], http: Self.answering())
        #expect(
            throws: CredentialError.invalidValue(
                name: "AWS_CONTAINER_CREDENTIALS_FULL_URI", source: "the environment", expected: "an http(s) URL")
        ) { try ContainerCredentialProvider(system: system).credentials() }
    }

    @Test("sends AWS_CONTAINER_AUTHORIZATION_TOKEN as the Authorization header")
    func tokenFromVariable() throws {
        let http = Self.answering()
        let system = Self.context(
            [
                "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://169.254.170.23/v1/credentials",
                "AWS_CONTAINER_AUTHORIZATION_TOKEN": Self.authToken,
            ], http: http)
        _ = try ContainerCredentialProvider(system: system).credentials()
        #expect(http.requests.first?.header("Authorization") == Self.authToken)
    }

    @Test("takes the token from AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE over the variable, read on every call")
    func tokenFileWins() throws {
        let http = Self.answering()
        let files = InMemoryFileSystem(["/var/run/token": "file-token-one\n"])
        let system = Self.context(
            [
                "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://169.254.170.23/v1/credentials",
                "AWS_CONTAINER_AUTHORIZATION_TOKEN": "variable-token",
                "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": "/var/run/token",
            ], files: files, http: http)
        let provider = ContainerCredentialProvider(system: system)
        _ = try provider.credentials()
        files.write("file-token-two", to: "/var/run/token")
        _ = try provider.credentials()
        #expect(http.requests.map { $0.header("Authorization") } == ["file-token-one", "file-token-two"])
    }

    @Test("fails naming the token file when it is missing or unreadable")
    func tokenFileMissing() throws {
        let purpose = "the container authorization token file (AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE)"
        let files = InMemoryFileSystem(["/var/run/locked": "t"])
        files.makeUnreadable("/var/run/locked")
        for (path, reason) in [("/var/run/none", "no such file"), ("/var/run/locked", "Permission denied")] {
            let http = Self.answering()
            let system = Self.context(
                [
                    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/rel", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": path,
                ], files: files, http: http)
            let expected = CredentialError.unreadableFile(path: path, purpose: purpose, reason: reason)
            #expect(throws: expected) { try ContainerCredentialProvider(system: system).credentials() }
            #expect(expected.kind == .badInput)
            #expect(http.requests.isEmpty)
        }
    }

    @Test(
        "refuses an authorization token holding CR or LF, without showing it",
        arguments: [
            (["AWS_CONTAINER_AUTHORIZATION_TOKEN": "abc\r\nX-Injected: 1"], "", "AWS_CONTAINER_AUTHORIZATION_TOKEN"),
            (["AWS_CONTAINER_AUTHORIZATION_TOKEN": "abc\nX-Injected: 1"], "", "AWS_CONTAINER_AUTHORIZATION_TOKEN"),
            (["AWS_CONTAINER_AUTHORIZATION_TOKEN": "abc\rdef"], "", "AWS_CONTAINER_AUTHORIZATION_TOKEN"),
            (
                ["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": "/t", "AWS_CONTAINER_AUTHORIZATION_TOKEN": "fine"],
                "abc\nX-Injected: 1\n", "the file /t (AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE)"
            ),
        ])
    func tokenWithNewline(environment: [String: String], file: String, origin: String) throws {
        var env = environment
        env["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] = "/rel"
        let http = Self.answering()
        let system = Self.context(env, files: InMemoryFileSystem(["/t": file]), http: http)
        let expected = CredentialError.invalidValue(
            name: "container authorization token", source: origin, expected: "a single line")
        #expect(throws: expected) { try ContainerCredentialProvider(system: system).credentials() }
        #expect(!expected.message.contains("abc"))
        #expect(http.requests.isEmpty)
    }

    @Test("a token file's trailing newline is trimmed, not refused")
    func tokenFileTrimmed() throws {
        let http = Self.answering()
        let system = Self.context(
            ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/rel", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": "/t"],
            files: InMemoryFileSystem(["/t": "  token-value\r\n"]), http: http)
        _ = try ContainerCredentialProvider(system: system).credentials()
        #expect(http.requests.first?.header("Authorization") == "token-value")
    }

    @Test(
        "tries 3 times, a second apart, on server errors, transport errors and bad JSON, then fails as unavailable",
        arguments: [
            (
                { @Sendable () throws -> HTTPResponse in HTTPResponse(status: 500, body: Array("oops".utf8)) },
                "HTTP 500 (after 3 attempts)"
            ),
            ({ @Sendable () throws -> HTTPResponse in HTTPResponse(status: 503) }, "HTTP 503 (after 3 attempts)"),
            (
                { @Sendable () throws -> HTTPResponse in throw HTTPTransportError.timedOut },
                "no answer within 2 s (after 3 attempts)"
            ),
            (
                { @Sendable () throws -> HTTPResponse in throw HTTPTransportError.connectionFailed("connection refused")
                },
                "connection refused (after 3 attempts)"
            ),
            (
                { @Sendable () throws -> HTTPResponse in HTTPResponse(status: 200, body: Array("<html>".utf8)) },
                "the answer is not JSON credentials (after 3 attempts)"
            ),
            (
                { @Sendable () throws -> HTTPResponse in
                    HTTPResponse(status: 200, body: Array(#"{"SecretAccessKey": "container/secret+KEY"}"#.utf8))
                },
                "the answer is unusable: AccessKeyId is missing (after 3 attempts)"
            ),
            (
                { @Sendable () throws -> HTTPResponse in
                    HTTPResponse(status: 200, body: Array(#"{"AccessKeyId": "ASIA", "SecretAccessKey": ""}"#.utf8))
                },
                "the answer is unusable: SecretAccessKey is missing (after 3 attempts)"
            ),
            (
                { @Sendable () throws -> HTTPResponse in
                    HTTPResponse(
                        status: 200,
                        body: Array(
                            #"{"AccessKeyId": "ASIA", "SecretAccessKey": "container/secret+KEY", "Expiration": "soon"}"#
                                .utf8))
                },
                "the answer is unusable: Expiration is not an ISO 8601 time (after 3 attempts)"
            ),
        ])
    func retriesThenFails(answer: @escaping @Sendable () throws -> HTTPResponse, reason: String) throws {
        let http = FakeHTTPClient { _, _ in try answer() }
        let sleeps = Recorder<Double>()
        let trace = Recorder<String>()
        let system = Self.context(
            ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/rel", "AWS_CONTAINER_AUTHORIZATION_TOKEN": Self.authToken],
            http: http, sleeps: sleeps, trace: trace)
        let expected = CredentialError.endpointFailed(
            source: "the container credentials endpoint http://169.254.170.2/rel", reason: reason)
        #expect(throws: expected) { try ContainerCredentialProvider(system: system).credentials() }
        #expect(expected.kind == .unavailable)
        #expect(http.requests.count == 3)
        #expect(sleeps.all == [1, 1])
        #expect(
            trace.all.filter {
                $0.hasPrefix("the container credentials endpoint http://169.254.170.2/rel: ")
                    && $0.contains("; retrying in 1 s (attempt ")
            }.count == 2, "\(trace.all)")
        for text in trace.all + [expected.message] {
            #expect(!text.contains(Self.secret))
            #expect(!text.contains(Self.authToken))
        }
    }

    @Test("recovers when a later attempt answers")
    func recovers() throws {
        let http = FakeHTTPClient { _, attempt in
            if attempt == 1 { throw HTTPTransportError.timedOut }
            if attempt == 2 { return HTTPResponse(status: 502) }
            return HTTPResponse(status: 200, body: Array(Self.reply.utf8))
        }
        let sleeps = Recorder<Double>()
        let system = Self.context(["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/rel"], http: http, sleeps: sleeps)
        let found = try #require(try ContainerCredentialProvider(system: system).credentials().resolved)
        #expect(found.credentials.accessKeyID == "ASIACONTAINER")
        #expect(http.requests.count == 3)
        #expect(sleeps.all == [1, 1])
    }

    @Test(
        "stops at once on a 4xx answer, as a refusal naming the status and message",
        arguments: [
            (401, #"{"Code": "Unauthorized", "Message": "bad token"}"#, "HTTP 401 bad token"),
            (403, #"{"message": "not allowed"}"#, "HTTP 403 not allowed"),
            (404, "no such path\nsecond line", "HTTP 404 no such path"),
            (400, "", "HTTP 400 "),
        ])
    func clientErrorRefused(status: Int, body: String, reason: String) throws {
        let http = Self.answering(status, body)
        let sleeps = Recorder<Double>()
        let system = Self.context(
            ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/rel", "AWS_CONTAINER_AUTHORIZATION_TOKEN": Self.authToken],
            http: http, sleeps: sleeps)
        let expected = CredentialError.endpointRefused(
            source: "the container credentials endpoint http://169.254.170.2/rel", reason: reason)
        #expect(throws: expected) { try ContainerCredentialProvider(system: system).credentials() }
        #expect(expected.kind == .denied)
        #expect(http.requests.count == 1)
        #expect(sleeps.all.isEmpty)
        #expect(!expected.message.contains(Self.authToken))
    }

    @Test("reads a session token named SessionToken too, and accepts an answer without expiry")
    func sessionTokenAlias() throws {
        let http = Self.answering(200, #"{"AccessKeyId": "ASIAX", "SecretAccessKey": "s", "SessionToken": "t"}"#)
        let system = Self.context(["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/rel"], http: http)
        let found = try #require(try ContainerCredentialProvider(system: system).credentials().resolved)
        #expect(found.credentials == AWSCredentials(accessKeyID: "ASIAX", secretAccessKey: "s", sessionToken: "t"))
    }
}
