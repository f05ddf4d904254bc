import EKSAuthTestSupport
import Foundation
import Testing

@testable import AWSConfiguration
@testable import EKSAuthSystem

@Suite("Region table (generated from botocore)")
struct RegionTableTests {
    @Test("the table is sorted and without duplicates, so the binary search finds every entry")
    func sorted() {
        let names = Region.known.map(\.name)
        #expect(names == names.sorted())
        #expect(Set(names).count == names.count)
        for name in names { #expect(Region.isKnown(name), "\(name)") }
    }

    @Test("the generated file is what the refresh script makes from botocore, when the installed one is its version")
    func upToDate() throws {
        let script = Fixtures.directory.appendingPathComponent("../../scripts/refresh-regions.py").standardized.path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, "--check"]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(Partition.dataSource.hasPrefix("botocore "))
    }

    @Test(
        "real regions, aws-global and the fallback are known; made-up names and other pseudo-regions are not",
        arguments: [
            ("us-east-1", true), ("eu-west-1", true), ("cn-north-1", true), ("us-gov-west-1", true),
            ("us-isob-east-1", true), ("eusc-de-east-1", true), ("aws-global", true), (Region.fallback, true),
            ("eu-wset-1", false), ("us-west-3", false), ("aws-cn-global", false), ("us-east-1-fips", false),
            ("local", false), ("", false),
        ])
    func known(region: String, known: Bool) {
        #expect(Region.isKnown(region) == known)
    }

    @Test(
        "each region belongs to the partition botocore lists it in",
        arguments: [
            ("us-east-1", "aws"), ("aws-global", "aws"), ("cn-northwest-1", "aws-cn"), ("us-gov-east-1", "aws-us-gov"),
            ("us-iso-west-1", "aws-iso"), ("us-isob-east-1", "aws-iso-b"), ("eu-isoe-west-1", "aws-iso-e"),
            ("us-isof-south-1", "aws-iso-f"), ("eusc-de-east-1", "aws-eusc"), ("cn-south-9", "aws-cn"),
            ("not-a-region", "aws"),
        ])
    func partition(region: String, partition: String) {
        #expect(Partition.of(region: region).id == partition)
    }

    @Test(
        "a mistyped region suggests the nearest known one; a name far from all suggests nothing",
        arguments: [
            ("eu-wset-1", "eu-west-1"), ("us-est-1", "us-east-1"), ("eu-west-11", "eu-west-1"),
            ("ap-southeast-9", "ap-southeast-1"), ("cn-nort-1", "cn-north-1"), ("useast1", "us-east-1"),
            ("mars-north-1", nil), ("local", nil), ("aws-globl", nil),
        ] as [(String, String?)])
    func suggestion(name: String, expected: String?) {
        #expect(Region.suggestion(for: name) == expected)
    }

    @Test("edit distance counts an adjacent swap as one edit")
    func editDistance() {
        #expect(Spelling.editDistance("eu-west-1", "eu-west-1") == 0)
        #expect(Spelling.editDistance("eu-wset-1", "eu-west-1") == 1)
        #expect(Spelling.editDistance("us-est-1", "us-east-1") == 1)
        #expect(Spelling.editDistance("", "abc") == 3)
        #expect(Spelling.editDistance("kitten", "sitting") == 3)
    }
}
