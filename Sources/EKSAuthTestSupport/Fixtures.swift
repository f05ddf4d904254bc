import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthCore
import EKSAuthSystem
import Foundation

/// The documented example credentials and paths shared by the suites.
package enum Fixtures {
    package static let accessKeyID = "AKIDEXAMPLE"
    package static let secretAccessKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    package static let sessionToken = "FQoGZXIvYXdzEXAMPLE/+token="
    package static let credentials = AWSCredentials(accessKeyID: accessKeyID, secretAccessKey: secretAccessKey)

    /// 2015-08-30T12:36:00Z, the instant of the AWS SigV4 test suite.
    package static let sigV4SuiteDate = Date(timeIntervalSince1970: 1_440_938_160)
    /// 2024-01-02T03:04:05Z, the instant of the token test vector.
    package static let tokenVectorDate = Date(timeIntervalSince1970: 1_704_164_645)

    /// Tests/Fixtures, found from this file's path (Sources/EKSAuthTestSupport/Fixtures.swift).
    package static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Tests")
        .appendingPathComponent("Fixtures")
}
