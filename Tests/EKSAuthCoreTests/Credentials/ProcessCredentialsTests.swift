import EKSAuthTestSupport
import Foundation
import Testing

@testable import AWSSigning
@testable import EKSAuthCore

@Suite("credential-process output")
struct ProcessCredentialsTests {
    @Test("a session prints every member, the expiration in RFC 3339 UTC; static keys print no expiration")
    func json() throws {
        let session = AWSCredentials(
            accessKeyID: "ASIAEXAMPLE", secretAccessKey: "s\"e\\cret", sessionToken: "token",
            expiration: Date(timeIntervalSince1970: 1_798_000_000))
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(ProcessCredentials.json(session).utf8)) as? [String: Any])
        #expect(object["Version"] as? Int == 1)
        #expect(object["SecretAccessKey"] as? String == "s\"e\\cret")
        #expect(object["SessionToken"] as? String == "token")
        #expect(object["Expiration"] as? String == "2026-12-23T04:26:40Z")
        let keys = AWSCredentials(accessKeyID: "AKIAEXAMPLE", secretAccessKey: "secret")
        #expect(
            ProcessCredentials.json(keys) == #"{"Version":1,"AccessKeyId":"AKIAEXAMPLE","SecretAccessKey":"secret"}"#)
    }

    @Test("a failing command's error line is preferred to the hint after it")
    func errorLine() {
        let eksAuth = Array("eks-auth: error: it broke\neks-auth: hint: do this\n".utf8)
        #expect(ProcessCredentialProvider.lastLine(of: eksAuth) == "eks-auth: error: it broke")
        let other = Array("starting\nsomething failed\n\n".utf8)
        #expect(ProcessCredentialProvider.lastLine(of: other) == "something failed")
    }

    @Test("the loop error names the chain of profiles and the variable")
    func loop() {
        let error = CredentialProcessError.loop(chain: ["a", "b", "a"], variable: "EKS_AUTH_CREDENTIAL_PROCESS_CHAIN")
        #expect(error.message.contains("'a' → 'b' → 'a'"))
        #expect(error.kind == .configuration)
    }
}
