import EKSAuthTestSupport
import Foundation
import Testing

@testable import AWSConfiguration
@testable import AWSSigning
@testable import AWSTransport
@testable import EKSAuthCore
@testable import EKSAuthSystem

@Suite("EKS token")
struct EKSTokenTests {
    static let vectorToken =
        "k8s-aws-v1.aHR0cHM6Ly9zdHMudXMtd2VzdC0yLmFtYXpvbmF3cy5jb20vP0FjdGlvbj1HZXRDYWxsZXJJZGVudGl0eSZWZXJzaW9uPTIwMTEtMDYtMTUmWC1BbXotQWxnb3JpdGhtPUFXUzQtSE1BQy1TSEEyNTYmWC1BbXotQ3JlZGVudGlhbD1BS0lERVhBTVBMRSUyRjIwMjQwMTAyJTJGdXMtd2VzdC0yJTJGc3RzJTJGYXdzNF9yZXF1ZXN0JlgtQW16LURhdGU9MjAyNDAxMDJUMDMwNDA1WiZYLUFtei1FeHBpcmVzPTYwJlgtQW16LVNpZ25lZEhlYWRlcnM9aG9zdCUzQngtazhzLWF3cy1pZCZYLUFtei1TZWN1cml0eS1Ub2tlbj1GUW9HWlhJdllYZHpFWEFNUExFJTJGJTJCdG9rZW4lM0QmWC1BbXotU2lnbmF0dXJlPWRjZTA4ZTYzZTM2YzQzNGU2ZDNjYzhkMzJiZDUwZWRlMmVkNjBmNjQ4NTEzNmE5Y2Q1YjBkZWM4NTM2OWYzNzA"

    static let sessionCredentials = AWSCredentials(
        accessKeyID: Fixtures.accessKeyID, secretAccessKey: Fixtures.secretAccessKey,
        sessionToken: Fixtures.sessionToken)

    static func regional(_ region: String) -> ServiceEndpoint {
        ServiceEndpoint(endpoint: Endpoint(host: "sts.\(region).amazonaws.com"), signingRegion: region, source: "test")
    }

    @Test("the whole token equals the botocore-generated test vector")
    func testVector() {
        let token = EKSToken.make(
            credentials: Self.sessionCredentials, endpoint: Self.regional("us-west-2"), clusterID: "my-cluster",
            at: Fixtures.tokenVectorDate)
        #expect(token.value == Self.vectorToken)
        #expect(token.value.count == 554)
        #expect(Timestamp.rfc3339(token.expiration) == "2024-01-02T03:18:05Z")
    }

    @Test("the expiration is never later than the credentials' own expiry")
    func expirationCappedByCredentials() {
        var credentials = Self.sessionCredentials
        credentials.expiration = Fixtures.tokenVectorDate.addingTimeInterval(300)
        let token = EKSToken.make(
            credentials: credentials, endpoint: Self.regional("us-west-2"), clusterID: "c",
            at: Fixtures.tokenVectorDate)
        #expect(token.expiration == credentials.expiration)
    }

    @Test("the token decodes to the presigned URL with only the parameters the server allows")
    func serverRules() throws {
        let token = EKSToken.make(
            credentials: Fixtures.credentials, endpoint: Self.regional("eu-west-1"), clusterID: "dev.my-eks-cluster",
            at: Fixtures.tokenVectorDate)
        #expect(token.value.hasPrefix(EKSToken.prefix))
        #expect(!token.value.contains("="))
        let bytes = try #require(Base64URL.decode(String(token.value.dropFirst(EKSToken.prefix.count))))
        let url = String(decoding: bytes, as: UTF8.self)
        #expect(url == token.url)
        #expect(url.hasPrefix("https://sts.eu-west-1.amazonaws.com/?"))
        let keys = url.split(separator: "?")[1].split(separator: "&").map { String($0.split(separator: "=")[0]) }
        #expect(
            keys == [
                "Action", "Version", "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
                "X-Amz-SignedHeaders", "X-Amz-Signature",
            ])
        #expect(url.contains("X-Amz-SignedHeaders=host%3Bx-k8s-aws-id"))
        #expect(url.contains("X-Amz-Expires=60&"))
        #expect(!url.contains("dev.my-eks-cluster"))
    }

    struct BotocoreCase: Sendable, CustomTestStringConvertible {
        var region: String
        var sessionToken: String?
        var cluster: String
        var endpointURL: String?
        var testDescription: String { "\(region) \(cluster) token:\(sessionToken != nil) \(endpointURL ?? "")" }
    }

    @Test(
        "presigning matches botocore for the same request, instant and credentials",
        arguments: [
            BotocoreCase(region: "us-west-2", sessionToken: Fixtures.sessionToken, cluster: "my-cluster"),
            BotocoreCase(region: "eu-central-1", sessionToken: nil, cluster: "dev.my-eks-cluster"),
            BotocoreCase(region: "ap-southeast-2", sessionToken: "a b+c/d==", cluster: "cluster with space"),
            BotocoreCase(region: "cn-north-1", sessionToken: nil, cluster: "c1"),
            BotocoreCase(region: "us-east-1", sessionToken: nil, cluster: "c1", endpointURL: "http://127.0.0.1:5000"),
        ])
    func matchesBotocore(_ c: BotocoreCase) throws {
        let credentials = AWSCredentials(
            accessKeyID: Fixtures.accessKeyID, secretAccessKey: Fixtures.secretAccessKey,
            sessionToken: c.sessionToken)
        let environment: Environment = c.endpointURL.map { ["AWS_ENDPOINT_URL_STS": $0] } ?? [:]
        let endpoint = try STSEndpointResolver(environment: environment, profile: nil).resolve(region: c.region)
        let ours = EKSToken.make(
            credentials: credentials, endpoint: endpoint, clusterID: c.cluster, at: Fixtures.tokenVectorDate)
        var input: [String: Any] = [
            "access_key": Fixtures.accessKeyID, "secret_key": Fixtures.secretAccessKey, "region": c.region,
            "cluster": c.cluster, "timestamp": "20240102T030405Z",
        ]
        input["session_token"] = c.sessionToken
        input["endpoint_url"] = c.endpointURL
        let botocoreURL = try Self.runBotocore(input)
        #expect(ours.url == botocoreURL)
    }

    /// Runs Tests/Fixtures/botocore_presign.py; a missing python3 or botocore fails the test.
    static func runBotocore(_ input: [String: Any]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Fixtures.directory.appendingPathComponent("botocore_presign.py").path]
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(try JSONSerialization.data(withJSONObject: input))
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            Issue.record("botocore presign failed (is botocore installed?): \(String(decoding: errors, as: UTF8.self))")
            return ""
        }
        return String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
