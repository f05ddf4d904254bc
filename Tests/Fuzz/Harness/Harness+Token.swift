import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthCore
import EKSAuthSystem
import EKSAuthTestSupport

extension FuzzInput {
    /// `fuzz-token`: the text as a token, as `decode`/`verify` input (a bare token or an ExecCredential),
    /// and as base64url. Inspection, rendering and the verifier's own reading of the token run on it;
    /// the verifier's STS answers a canned caller identity.
    public static func token(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        if let decoded = Base64URL.decode(text) {
            expect(Base64URL.decode(Base64URL.encode(decoded)) == decoded, "base64url round trip")
        }
        var candidates = [text]
        if let extracted = try? TokenInspector.extractToken(from: text), extracted != text {
            candidates.append(extracted)
        }
        let verifier = TokenVerifier(http: FakeHTTPClient { _, _ in STSReplies.callerIdentity() })
        for candidate in candidates {
            let report = TokenInspector.inspect(candidate, now: now)
            _ = report.text(now: now)
            _ = report.json(now: now)
            _ = try? verifier.verify(candidate, clusterID: "dev.my-eks-cluster")
        }
    }
}
