import EKSAuthTestSupport
import Foundation
import Testing

@testable import EKSAuthCore

@Suite("JSON for scripts (Codable)")
struct JSONOutputTests {
    @Test("decode's report writes every key, absent values as null, keys sorted, slashes unescaped")
    func tokenReport() throws {
        let json = TokenInspector.inspect("k8s-aws-v1.bm90IGEgdXJs", now: Fixtures.tokenVectorDate).json(
            now: Fixtures.tokenVectorDate)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        for key in ["stsHost", "region", "partition", "accessKeyId", "signedAt", "expiresAt", "secondsLeft"] {
            #expect(object[key] is NSNull, "\(key) should be null")
        }
        #expect(object["valid"] as? Bool == false)
        #expect(object["identity"] == nil)
        let keys = try #require(json.firstRange(of: "\"accessKeyId\"")?.lowerBound)
        let checks = try #require(json.firstRange(of: "\"checks\"")?.lowerBound)
        #expect(keys < checks)
        #expect(!json.contains("\\/"))
    }

    @Test("the same value always gives the same text")
    func stable() {
        struct Sample: Encodable { var b = 1, a = "x/y", c = [true] }
        #expect(JSONOutput.compact(Sample()) == #"{"a":"x/y","b":1,"c":[true]}"#)
    }
}
