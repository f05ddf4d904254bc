import EKSAuthTestSupport
import Foundation
import Testing

@testable import AWSConfiguration
@testable import AWSSigning
@testable import AWSTransport
@testable import EKSAuthCore
@testable import EKSAuthSystem

@Suite("ExecInfo")
struct ExecInfoTests {
    @Test(
        "answers in v1beta1, not interactive, without a warning when KUBERNETES_EXEC_INFO is absent or blank",
        arguments: [nil, "", "   ", "\n"] as [String?])
    func absent(text: String?) {
        #expect(ExecInfo.parse(text) == ExecInfo(apiVersion: .v1beta1, interactive: false, warning: nil))
    }

    @Test(
        "echoes the apiVersion kubectl sent",
        arguments: [
            ("client.authentication.k8s.io/v1", ExecAPIVersion.v1),
            ("client.authentication.k8s.io/v1beta1", ExecAPIVersion.v1beta1),
        ])
    func knownVersions(apiVersion: String, expected: ExecAPIVersion) {
        let text = #"{"kind":"ExecCredential","apiVersion":"\#(apiVersion)","spec":{"interactive":false}}"#
        #expect(ExecInfo.parse(text) == ExecInfo(apiVersion: expected, interactive: false, warning: nil))
    }

    @Test("reads spec.interactive, and takes a missing one as false")
    func interactive() {
        let yes = ExecInfo.parse(
            #"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":true}}"#)
        #expect(yes.interactive)
        #expect(yes.apiVersion == .v1)
        let noSpec = ExecInfo.parse(#"{"apiVersion":"client.authentication.k8s.io/v1"}"#)
        #expect(noSpec.interactive == false)
        let emptySpec = ExecInfo.parse(#"{"apiVersion":"client.authentication.k8s.io/v1","spec":{}}"#)
        #expect(emptySpec.interactive == false)
    }

    @Test("ignores the cluster info and other fields it does not need")
    func clusterInfo() {
        let text = """
            {"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1",
             "spec":{"interactive":false,
                     "cluster":{"server":"https://example.eks.amazonaws.com","tls-server-name":"x",
                                "insecure-skip-tls-verify":false,"certificate-authority-data":"TFMwdExTMUNSVWRKVGk=",
                                "config":{"a":[1,2,3]}}}}
            """
        #expect(ExecInfo.parse(text) == ExecInfo(apiVersion: .v1, interactive: false, warning: nil))
    }

    @Test("answers a v1alpha1 request in v1alpha1 with a deprecation warning")
    func v1alpha1() throws {
        let info = ExecInfo.parse(
            #"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1alpha1","spec":{"interactive":true}}"#
        )
        #expect(info.apiVersion == .v1alpha1)
        #expect(info.interactive)
        let warning = try #require(info.warning)
        #expect(warning.contains("v1alpha1"))
        #expect(warning.contains("deprecated"))
    }

    @Test(
        "falls back to v1beta1 with a warning when the text is not JSON",
        arguments: ["{", "not json", "[1,2]", "\"v1\""])
    func garbage(text: String) throws {
        let info = ExecInfo.parse(text)
        #expect(info.apiVersion == .v1beta1)
        #expect(info.interactive == false)
        let warning = try #require(info.warning)
        #expect(warning.contains("KUBERNETES_EXEC_INFO"))
        #expect(warning.contains("client.authentication.k8s.io/v1beta1"))
    }

    @Test(
        "falls back to v1beta1 with a warning naming an unknown apiVersion",
        arguments: ["client.authentication.k8s.io/v2", "v1", "CLIENT.AUTHENTICATION.K8S.IO/V1"])
    func unknownVersion(apiVersion: String) throws {
        let info = ExecInfo.parse(#"{"apiVersion":"\#(apiVersion)","spec":{"interactive":true}}"#)
        #expect(info.apiVersion == .v1beta1)
        #expect(info.interactive)
        let warning = try #require(info.warning)
        #expect(warning.contains("'\(apiVersion)'"))
    }

    @Test("shortens a very long unknown apiVersion in the warning")
    func longUnknownVersion() throws {
        let long = String(repeating: "x", count: 500)
        let warning = try #require(ExecInfo.parse(#"{"apiVersion":"\#(long)"}"#).warning)
        #expect(warning.contains(String(repeating: "x", count: 80)))
        #expect(!warning.contains(String(repeating: "x", count: 81)))
    }

    @Test("falls back to v1beta1 with a warning when apiVersion is missing")
    func missingVersion() {
        let info = ExecInfo.parse(#"{"kind":"ExecCredential","spec":{"interactive":false}}"#)
        #expect(info.apiVersion == .v1beta1)
        #expect(info.warning != nil)
    }
}

@Suite("ExecCredential")
struct ExecCredentialTests {
    /// 2024-01-02T03:18:05Z: the token vector's instant plus the 14-minute token lifetime.
    static let expiration = Date(timeIntervalSince1970: 1_704_165_485)

    @Test(
        "writes the exact JSON of aws eks get-token, in the requested version",
        arguments: ExecAPIVersion.allCases)
    func exactJSON(version: ExecAPIVersion) {
        let credential = ExecCredential(
            apiVersion: version, token: "k8s-aws-v1.aHR0cHM6Ly9zdHM", expiration: Self.expiration)
        #expect(
            credential.json()
                == #"{"kind":"ExecCredential","apiVersion":"\#(version.rawValue)","spec":{},"#
                + #""status":{"expirationTimestamp":"2024-01-02T03:18:05Z","token":"k8s-aws-v1.aHR0cHM6Ly9zdHM"}}"#)
    }

    @Test("writes a single line of valid JSON that reads back to the same values")
    func roundTrip() throws {
        let token = "k8s-aws-v1.a\"b\\c\n\u{1}é"
        let json = ExecCredential(apiVersion: .v1, token: token, expiration: Self.expiration).json()
        #expect(!json.contains("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["kind"] as? String == "ExecCredential")
        #expect(object["apiVersion"] as? String == "client.authentication.k8s.io/v1")
        #expect((object["spec"] as? [String: Any])?.isEmpty == true)
        let status = try #require(object["status"] as? [String: Any])
        #expect(status["token"] as? String == token)
        #expect(status["expirationTimestamp"] as? String == "2024-01-02T03:18:05Z")
    }

    @Test("names the three API versions by their full group and version")
    func versions() {
        #expect(ExecAPIVersion.v1.rawValue == "client.authentication.k8s.io/v1")
        #expect(ExecAPIVersion.v1beta1.rawValue == "client.authentication.k8s.io/v1beta1")
        #expect(ExecAPIVersion.v1alpha1.rawValue == "client.authentication.k8s.io/v1alpha1")
    }
}

@Suite("JSONText")
struct JSONTextTests {
    @Test(
        "quotes a string as a JSON literal, escaping quotes, backslashes and control characters",
        arguments: [
            ("", #""""#),
            ("plain", #""plain""#),
            ("a\"b", #""a\"b""#),
            ("back\\slash", #""back\\slash""#),
            ("line\nfeed", #""line\nfeed""#),
            ("carriage\rreturn", #""carriage\rreturn""#),
            ("tab\there", #""tab\there""#),
            ("\u{0}", #""\u0000""#),
            ("\u{1}", #""\u0001""#),
            ("\u{8}\u{c}", #""\u0008\u000c""#),
            ("\u{1f}", #""\u001f""#),
            ("/slash", #""/slash""#),
            ("\u{7f}", "\"\u{7f}\""),
            ("é ü 東京 🚀", "\"é ü 東京 🚀\""),
            ("k8s-aws-v1.aHR0-_", #""k8s-aws-v1.aHR0-_""#),
        ])
    func quote(text: String, expected: String) throws {
        #expect(JSONText.quote(text) == expected)
        let decoded = try JSONSerialization.jsonObject(with: Data("[\(expected)]".utf8)) as? [String]
        #expect(decoded == [text])
    }
}
