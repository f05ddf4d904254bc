import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The JSON credentials answer of the container endpoint, instance metadata and
/// `credential_process` (which names its session token `SessionToken` instead of `Token`).
struct EndpointCredentialsReply: Decodable {
    var version: Int?
    var accessKeyID: String?
    var secretAccessKey: String?
    var token: String?
    var sessionToken: String?
    var expiration: String?
    var code: String?
    var message: String?

    enum CodingKeys: String, CodingKey {
        case version = "Version", accessKeyID = "AccessKeyId", secretAccessKey = "SecretAccessKey", token = "Token"
        case sessionToken = "SessionToken", expiration = "Expiration", code = "Code", message = "Message"
    }

    /// Decodes `body`; nil when it is not a JSON object of this shape.
    static func decode(_ body: [UInt8]) -> EndpointCredentialsReply? {
        try? JSONDecoder().decode(EndpointCredentialsReply.self, from: Data(body))
    }

    /// The credentials; the problem in words (never a value) when a field is missing or unreadable.
    func credentials() -> Result<AWSCredentials, Problem> {
        guard let keyID = accessKeyID, !keyID.isEmpty else { return .failure(Problem("AccessKeyId is missing")) }
        guard let secret = secretAccessKey, !secret.isEmpty else {
            return .failure(Problem("SecretAccessKey is missing"))
        }
        var expiry: Date?
        if let expiration {
            guard let date = Timestamp.parseISO8601(expiration) else {
                return .failure(Problem("Expiration is not an ISO 8601 time"))
            }
            expiry = date
        }
        let session = [token, sessionToken].compactMap { $0 }.first { !$0.isEmpty }
        return .success(
            AWSCredentials(accessKeyID: keyID, secretAccessKey: secret, sessionToken: session, expiration: expiry))
    }

    /// Why an answer cannot be used.
    struct Problem: Error {
        var reason: String
        init(_ reason: String) { self.reason = reason }
    }
}

/// The message of a JSON error answer: the first of `message`, `Message`, `Code`, `code` that is a string.
struct EndpointErrorReply: Decodable {
    var message: String?

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: Decoder) throws {
        let fields = try decoder.container(keyedBy: Key.self)
        // Services differ in the field's case; one that is not a string is skipped, not fatal.
        message =
            ["message", "Message", "Code", "code"].lazy
            .compactMap { try? fields.decodeIfPresent(String.self, forKey: Key(stringValue: $0)) }.first
    }
}

/// A short, printable excerpt of an endpoint's error body (its `message` or first line).
func errorExcerpt(_ body: [UInt8]) -> String {
    if let message = (try? JSONDecoder().decode(EndpointErrorReply.self, from: Data(body)))?.message {
        return String(message.prefix(200))
    }
    let text = String(decoding: body.prefix(400), as: UTF8.self)
    let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
    return String(line.filter { !$0.isASCII || !$0.isWhitespace || $0 == " " }.prefix(200))
}
