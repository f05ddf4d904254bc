import EKSAuthTestSupport
import Testing

@testable import AWSConfiguration
@testable import AWSSigning
@testable import AWSTransport
@testable import EKSAuthCore
@testable import EKSAuthSystem

@Suite("Base64URL")
struct Base64URLTests {
    @Test(
        "encodes the RFC 4648 vectors without padding",
        arguments: [
            ("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ])
    func rfc4648(text: String, encoded: String) {
        #expect(Base64URL.encode(Array(text.utf8)) == encoded)
        #expect(Base64URL.decode(encoded) == Array(text.utf8))
    }

    @Test("uses - and _ where standard base64 uses + and /")
    func urlAlphabet() {
        #expect(Base64URL.encode([0xFB, 0xFF]) == "-_8")
        #expect(Base64URL.encode([0xFB, 0xEF, 0xBE]) == "----")
        #expect(Base64URL.encode([0xFF, 0xFF, 0xFF]) == "____")
        #expect(Base64URL.decode("-_8") == [0xFB, 0xFF])
    }

    @Test("encodes a presigned URL as the token does")
    func tokenPayload() {
        let url = "https://sts.us-east-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15"
        let encoded = Base64URL.encode(Array(url.utf8))
        #expect(
            encoded
                == "aHR0cHM6Ly9zdHMudXMtZWFzdC0xLmFtYXpvbmF3cy5jb20vP0FjdGlvbj1HZXRDYWxsZXJJZGVudGl0eSZWZXJzaW9uPTIwMTEtMDYtMTU"
        )
        #expect(!encoded.contains("="))
        #expect(Base64URL.decode(encoded) == Array(url.utf8))
    }

    @Test("decodes with or without padding", arguments: [("Zg", "f"), ("Zg==", "f"), ("Zm8", "fo"), ("Zm8=", "fo")])
    func padding(encoded: String, text: String) {
        #expect(Base64URL.decode(encoded) == Array(text.utf8))
    }

    @Test("round-trips every byte value and every length up to a few blocks")
    func roundTrip() {
        let all = (0...255).map { UInt8($0) }
        #expect(Base64URL.decode(Base64URL.encode(all)) == all)
        for length in 0...10 {
            let bytes = Array(all.prefix(length))
            let encoded = Base64URL.encode(bytes)
            #expect(encoded.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
            #expect(Base64URL.decode(encoded) == bytes)
        }
    }

    @Test(
        "refuses characters outside the URL-safe alphabet",
        arguments: ["Zm+v", "Zm/v", "Zm 9v", "Zm9v\n", "Zé", "Zm9v!"])
    func rejectsForeignCharacters(text: String) {
        #expect(Base64URL.decode(text) == nil)
    }

    @Test("refuses a length no encoding produces", arguments: ["Z", "Zm9vY", "Z==="])
    func rejectsBadLength(text: String) {
        #expect(Base64URL.decode(text) == nil)
    }
}
