import EKSAuthTestSupport
import Foundation
import Testing

@testable import AWSConfiguration
@testable import AWSSigning
@testable import AWSTransport
@testable import EKSAuthCore
@testable import EKSAuthSystem

@Suite("Timestamp")
struct TimestampTests {
    @Test(
        "formats an instant for SigV4 and for Kubernetes, in UTC",
        arguments: [
            (0.0, "19700101T000000Z", "1970-01-01T00:00:00Z"),
            (-1, "19691231T235959Z", "1969-12-31T23:59:59Z"),
            (1_440_938_160, "20150830T123600Z", "2015-08-30T12:36:00Z"),
            (1_704_164_645, "20240102T030405Z", "2024-01-02T03:04:05Z"),
            (1_704_165_485, "20240102T031805Z", "2024-01-02T03:18:05Z"),
            (1_709_251_199, "20240229T235959Z", "2024-02-29T23:59:59Z"),
            (1_709_251_200, "20240301T000000Z", "2024-03-01T00:00:00Z"),
            (951_825_600, "20000229T120000Z", "2000-02-29T12:00:00Z"),
            (4_107_542_400, "21000301T000000Z", "2100-03-01T00:00:00Z"),
            (4_107_542_399, "21000228T235959Z", "2100-02-28T23:59:59Z"),
            (1_704_067_199, "20231231T235959Z", "2023-12-31T23:59:59Z"),
            (1_704_067_200, "20240101T000000Z", "2024-01-01T00:00:00Z"),
            (946_684_799, "19991231T235959Z", "1999-12-31T23:59:59Z"),
            (2_147_483_648, "20380119T031408Z", "2038-01-19T03:14:08Z"),
        ])
    func format(seconds: Double, sigV4: String, rfc3339: String) {
        let date = Date(timeIntervalSince1970: seconds)
        #expect(Timestamp.sigV4(date) == sigV4)
        #expect(Timestamp.rfc3339(date) == rfc3339)
    }

    @Test("drops fractions of a second instead of rounding them up")
    func truncatesFractions() {
        #expect(Timestamp.rfc3339(Date(timeIntervalSince1970: 1_704_164_645.999)) == "2024-01-02T03:04:05Z")
        #expect(Timestamp.sigV4(Date(timeIntervalSince1970: 1_704_067_199.9)) == "20231231T235959Z")
        #expect(Timestamp.rfc3339(Date(timeIntervalSince1970: -0.5)) == "1969-12-31T23:59:59Z")
    }

    @Test(
        "parses the ISO 8601 forms the AWS tools write",
        arguments: [
            ("2024-01-02T03:04:05Z", 1_704_164_645.0),
            ("2024-01-02t03:04:05z", 1_704_164_645),
            ("2024-01-02 03:04:05Z", 1_704_164_645),
            ("2024-01-02T03:04:05UTC", 1_704_164_645),
            ("2024-01-02T03:04:05+00:00", 1_704_164_645),
            ("2024-01-02T03:04:05-00:00", 1_704_164_645),
            ("2024-01-02T03:04:05+0000", 1_704_164_645),
            ("2024-01-02T04:04:05+01:00", 1_704_164_645),
            ("2024-01-02T08:34:05+05:30", 1_704_164_645),
            ("2024-01-01T22:04:05-05:00", 1_704_164_645),
            ("2024-01-01T22:04:05-0500", 1_704_164_645),
            ("2024-01-02T03:04:05.5Z", 1_704_164_645.5),
            ("2024-01-02T03:04:05.250+00:00", 1_704_164_645.25),
            ("2024-01-02T03:04:05.000000Z", 1_704_164_645),
            ("  2024-01-02T03:04:05Z\n", 1_704_164_645),
            ("2024-02-29T23:59:59Z", 1_709_251_199),
            ("2000-02-29T12:00:00Z", 951_825_600),
            ("2023-12-31T23:59:59Z", 1_704_067_199),
            ("2024-01-01T01:00:00+01:00", 1_704_067_200),
            ("1970-01-01T00:00:00Z", 0),
        ])
    func parse(text: String, seconds: Double) throws {
        let date = try #require(Timestamp.parseISO8601(text))
        #expect(abs(date.timeIntervalSince1970 - seconds) < 0.000_001)
    }

    @Test("reads back what it writes")
    func roundTrip() {
        for seconds in [0.0, 951_825_600, 1_440_938_160, 1_709_251_199, 4_107_542_400] {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(Timestamp.parseISO8601(Timestamp.rfc3339(date)) == date)
        }
    }

    @Test(
        "rejects text that is not a full ISO 8601 time with a zone",
        arguments: [
            "", "2024-01-02", "2024-01-02T03:04", "2024-01-02T03:04:05", "2024-01-02T03:04:05 ",
            "20240102T030405Z", "2024/01/02T03:04:05Z", "2024-01-02X03:04:05Z", "24-01-02T03:04:05Z",
            "2024-13-02T03:04:05Z", "2024-00-02T03:04:05Z", "2024-01-00T03:04:05Z", "2024-01-32T03:04:05Z",
            "2024-01-02T24:00:00Z", "2024-01-02T03:60:05Z", "2024-01-02T03:04:61Z", "2024-01-02T03:04:05.Z",
            "2024-01-02T03:04:05+1:00", "2024-01-02T03:04:05+01", "2024-01-02T03:04:05+01:0a",
            "2024-01-02T03:04:05+01-00", "2024-01-02T03:04:05GMT", "2024-01-02T03:04:05Zjunk",
            "abcd-01-02T03:04:05Z", "2024-01-02T03:04:05 UTC", "tomorrow", "1704164645",
        ])
    func rejects(text: String) {
        #expect(Timestamp.parseISO8601(text) == nil)
    }

    @Test(
        "rejects days that do not exist in their month",
        arguments: ["2024-02-30T00:00:00Z", "2023-02-29T00:00:00Z", "2024-04-31T00:00:00Z"])
    func rejectsImpossibleDays(text: String) {
        #expect(Timestamp.parseISO8601(text) == nil)
    }
}
