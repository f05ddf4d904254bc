import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthCore
import EKSAuthSystem
import Synchronization

/// An HTTP double backed by a closure; it records every request it is sent.
package final class FakeHTTPClient: HTTPClient, Sendable {
    package typealias Handler = @Sendable (HTTPRequest, Int) throws -> HTTPResponse
    private let handler: Handler
    private let log = Mutex<[HTTPRequest]>([])

    /// A fake answering with `handler(request, attemptNumber)` (numbered from 1).
    package init(_ handler: @escaping Handler) {
        self.handler = handler
    }

    package var requests: [HTTPRequest] { log.withLock { $0 } }

    /// The `Action` of each request, from its form body.
    package var actions: [String] {
        requests.map { request in
            let body = String(decoding: request.body, as: UTF8.self)
            let pair = body.split(separator: "&").first { $0.hasPrefix("Action=") }
            return pair.map { String($0.dropFirst("Action=".count)) } ?? "?"
        }
    }

    package func send(_ request: HTTPRequest) throws -> HTTPResponse {
        let attempt = log.withLock { log -> Int in
            log.append(request)
            return log.count
        }
        return try handler(request, attempt)
    }
}

/// Canned STS answers.
package enum STSReplies {
    package static func assumeRole(
        keyID: String = "ASIAASSUMEDEXAMPLE", secret: String = "assumed/secret+KEY",
        token: String = "assumed-session-token",
        expiration: String = "2024-01-02T04:04:05Z", session: String = "alice"
    ) -> HTTPResponse {
        HTTPResponse(
            status: 200,
            body: Array(
                """
                <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
                  <AssumeRoleResult>
                    <AssumedRoleUser>
                      <Arn>arn:aws:sts::123456789012:assumed-role/dev.eks-access.role/\(session)</Arn>
                      <AssumedRoleId>AROAEXAMPLE:\(session)</AssumedRoleId>
                    </AssumedRoleUser>
                    <Credentials>
                      <AccessKeyId>\(keyID)</AccessKeyId>
                      <SecretAccessKey>\(secret)</SecretAccessKey>
                      <SessionToken>\(token)</SessionToken>
                      <Expiration>\(expiration)</Expiration>
                    </Credentials>
                  </AssumeRoleResult>
                  <ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>
                </AssumeRoleResponse>
                """.utf8))
    }

    package static func callerIdentity(arn: String = "arn:aws:iam::123456789012:user/alice") -> HTTPResponse {
        HTTPResponse(
            status: 200,
            body: Array(
                """
                <GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
                  <GetCallerIdentityResult>
                    <Arn>\(arn)</Arn>
                    <UserId>AIDAEXAMPLE</UserId>
                    <Account>123456789012</Account>
                  </GetCallerIdentityResult>
                  <ResponseMetadata><RequestId>req-2</RequestId></ResponseMetadata>
                </GetCallerIdentityResponse>
                """.utf8))
    }

    package static func error(status: Int, code: String, message: String = "denied &amp; logged") -> HTTPResponse {
        HTTPResponse(
            status: status,
            body: Array(
                """
                <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
                  <Error><Type>Sender</Type><Code>\(code)</Code><Message>\(message)</Message></Error>
                  <RequestId>req-err</RequestId>
                </ErrorResponse>
                """.utf8))
    }

    /// The action of a request's form body.
    package static func action(of request: HTTPRequest) -> String {
        let body = String(decoding: request.body, as: UTF8.self)
        return body.split(separator: "&").first { $0.hasPrefix("Action=") }.map { String($0.dropFirst(7)) } ?? ""
    }
}

/// A thread-safe list that closures can append to.
package final class Recorder<Element: Sendable>: Sendable {
    private let items = Mutex<[Element]>([])

    package init() {}

    package func append(_ item: Element) { items.withLock { $0.append(item) } }
    package var all: [Element] { items.withLock { $0 } }
}
