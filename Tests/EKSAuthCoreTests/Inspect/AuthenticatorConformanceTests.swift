import EKSAuthTestSupport
import Foundation
import Testing

@testable import AWSConfiguration
@testable import AWSSigning
@testable import EKSAuthCore

/// One accept-or-reject case of aws-iam-authenticator's token verifier tests (pkg/token/token_test.go,
/// the version whose `NewVerifier` takes a partition and a region), written again as our input and the
/// authenticator's verdict, then run through `TokenInspector`.
///
/// `authenticatorAccepts` is the verdict of the authenticator's own checks, which `passesAuthenticator`
/// must equal in every row. `decodeRefuses` is set where `decode`'s whole verdict (with what STS and the
/// region data add) differs on purpose, and says why; Docs/compatibility.md lists the same rows.
struct AuthenticatorCase: Sendable, CustomTestStringConvertible {
    var test: String
    var partition: String
    var serverRegion: String?
    var token: String
    var authenticatorAccepts: Bool
    var decodeRefuses: String?

    var testDescription: String { "\(test): \(Self.describe(token)) (partition \(partition))" }

    /// The moment every case is checked at; the "now" of the authenticator's tests.
    static let now = Date(timeIntervalSince1970: 1_767_323_045)  // 2026-01-02T03:04:05Z
    static let nowStamp = Timestamp.sigV4(now)

    static func token(_ url: String) -> String { EKSToken.prefix + Base64URL.encode(Array(url.utf8)) }

    /// A well-formed token, properly signed at `now`, whose only question is its host: the host tables
    /// of the authenticator's tests check `verifyHost` alone.
    static func hostToken(_ host: String) -> String {
        let region = STSHost(host)?.signingRegion ?? "us-east-1"
        return EKSToken.make(
            credentials: Fixtures.credentials,
            endpoint: ServiceEndpoint(endpoint: Endpoint(host: host), signingRegion: region, source: "test"),
            clusterID: "test-cluster", at: now
        ).value
    }

    static func describe(_ token: String) -> String {
        guard token.hasPrefix(EKSToken.prefix), let bytes = Base64URL.decode(String(token.dropFirst(11))),
            let url = String(validating: bytes, as: UTF8.self)
        else { return token.count > 40 ? "\(token.prefix(24))… (\(token.utf8.count) bytes)" : token }
        return url.count > 90 ? "\(url.prefix(90))…" : url
    }

    /// STS refuses the URLs of the authenticator's success cases, written with no signature, no
    /// `Version` and an `s3` scope: its tests answer for STS with a fake returning 200.
    static let fakeSTS =
        "STS refuses the URL when the server replays it (no Version, algorithm or signature; an s3 scope):"
        + " the authenticator's test answers for STS with a fake returning 200"
    /// The host names no region STS has an endpoint in: the name does not resolve, so the server's
    /// replay fails where its host check let it through.
    static let noSuchRegion =
        "the host names no region STS has an endpoint in; the server's host check lets any well-formed"
        + " commercial-partition name through, but the replayed request cannot reach STS"

    /// The server's fallback for regions newer than its SDK takes a real region under another
    /// partition's domain; STS has no such host.
    static let noSuchHost =
        "the host puts a real region under another partition's domain; the server's fallback for new"
        + " regions accepts it, but STS has no such host"

    static func host(
        _ test: String, _ partition: String, _ host: String, _ accepts: Bool, _ region: String = "",
        refuses: String? = nil
    ) -> AuthenticatorCase {
        AuthenticatorCase(
            test: test, partition: partition, serverRegion: region.isEmpty ? nil : region, token: hostToken(host),
            authenticatorAccepts: accepts, decodeRefuses: refuses)
    }

    /// TestSTSEndpoints: (partition, host, valid, server region).
    static let stsEndpoints: [AuthenticatorCase] = {
        let t = "TestSTSEndpoints"
        return [
            host(t, "aws", "sts.amazonaws.com", true),
            host(t, "aws-cn", "sts.amazonaws.com", false),
            host(t, "aws-us-gov", "sts.amazonaws.com", false),
            host(t, "aws-iso", "sts.amazonaws.com", false),
            host(t, "aws-iso-b", "sts.amazonaws.com", false),
            host(t, "aws-iso-e", "sts.amazonaws.com", false),
            host(t, "aws-iso-f", "sts.amazonaws.com", false),
            host(t, "aws-not-a-partition", "sts.amazonaws.com", false),
            host(t, "aws-cn", "sts.cn-northwest-1.amazonaws.com.cn", true),
            host(t, "aws-cn", "sts.cn-north-1.amazonaws.com.cn", true),
            host(t, "aws-cn", "sts.us-iso-east-1.c2s.ic.gov", false),
            host(t, "aws-cn", "sts.not-a-region1.amazonaws.com.cn", false),
            host(t, "aws-cn", "sts.not-a-region2.amazonaws.com.cn", true, "not-a-region2", refuses: noSuchRegion),
            host(t, "aws", "sts.amazonaws.com", true),
            host(t, "aws", "sts-fips.us-west-2.amazonaws.com", true),
            host(t, "aws", "sts-fips.us-east-1.amazonaws.com", true),
            host(t, "aws", "sts.us-east-1.amazonaws.com", true),
            host(t, "aws", "sts.us-east-2.amazonaws.com", true),
            host(t, "aws", "sts.us-west-1.amazonaws.com", true),
            host(t, "aws", "sts.us-west-2.amazonaws.com", true),
            host(t, "aws", "sts.ap-south-1.amazonaws.com", true),
            host(t, "aws", "sts.ap-northeast-1.amazonaws.com", true),
            host(t, "aws", "sts.ap-northeast-2.amazonaws.com", true),
            host(t, "aws", "sts.ap-southeast-1.amazonaws.com", true),
            host(t, "aws", "sts.ap-southeast-2.amazonaws.com", true),
            host(t, "aws", "sts.ca-central-1.amazonaws.com", true),
            host(t, "aws", "sts.eu-central-1.amazonaws.com", true),
            host(t, "aws", "sts.eu-west-1.amazonaws.com", true),
            host(t, "aws", "sts.eu-west-2.amazonaws.com", true),
            host(t, "aws", "sts.eu-west-3.amazonaws.com", true),
            host(t, "aws", "sts.eu-north-1.amazonaws.com", true),
            host(t, "aws", "sts.amazonaws.com.cn", false),
            host(t, "aws", "website.amazonaws.com", false),
            host(t, "aws", "sts.default-region.amazonaws.com", true, "default-region", refuses: noSuchRegion),
            host(t, "aws-iso", "sts.us-iso-east-1.c2s.ic.gov", true),
            host(t, "aws-iso", "sts.cn-north-1.amazonaws.com.cn", false),
            host(t, "aws-iso-b", "sts.cn-north-1.amazonaws.com.cn", false),
            host(t, "aws-us-gov", "sts.us-gov-east-1.amazonaws.com", true),
            host(t, "aws-not-a-partition", "sts.amazonaws.com", false),
            host(t, "aws", "sts-fips.us-east-1.amazonaws.com", true),
            host(t, "aws-cn", "sts-fips.us-east-1.amazonaws.com", false),
            host(t, "aws-cn", "sts.us-isob-east-1.amazonaws.com.cn", false),
            host(t, "aws-cn", "sts.us-isob-east-1.amazonaws.com.cn", true, "us-isob-east-1", refuses: noSuchHost),
            host(t, "aws-iso-b", "sts.us-isob-east-1.amazonaws.com.cn", false),
            host(t, "aws-iso-b", "sts.us-isob-east-1.amazonaws.com.cn", false, "us-isob-east-1"),
            host(t, "aws", "sts.us-west-2.api.aws", true),
            host(t, "aws-cn", "sts.cn-north-1.api.amazonwebservices.com.cn", true),
            host(t, "aws", "sts.cn-north-1.api.amazonwebservices.com.cn", false),
            host(t, "aws", "sts.not-a-region.amazonaws.com", true, refuses: noSuchRegion),
            host(t, "aws", "sts.not-a-region.amazonaws.com", true, "not-a-region", refuses: noSuchRegion),
            host(t, "aws", "sts.not-a-region.amazonaws.com", true, "us-west-2", refuses: noSuchRegion),
            host(t, "aws-cn", "sts.not-a-region3.amazonaws.com.cn", false),
            host(t, "aws-cn", "sts.not-a-region4.amazonaws.com.cn", true, "not-a-region4", refuses: noSuchRegion),
            host(t, "aws-cn", "sts.not-a-region5.amazonaws.com.cn", false, "us-west-2"),
        ]
    }()

    /// TestSTSEndpointResolution: (partition, host, valid, server region).
    static let endpointResolution: [AuthenticatorCase] = {
        let t = "TestSTSEndpointResolution"
        return [
            host(t, "aws-cn", "sts.not-a-region3.amazonaws.com.cn", false),
            host(t, "aws-cn", "sts.not-a-region4.amazonaws.com.cn", true, "not-a-region4", refuses: noSuchRegion),
            host(t, "aws-cn", "sts.not-a-region5.amazonaws.com.cn", false, "us-west-2"),
            host(t, "aws-cn", "sts.us-west-2.amazonaws.com.cn", false),
            host(t, "aws", "sts.us-west-2.amazonaws.com.cn", false),
            host(t, "aws", "sts.us-west-2.amazonaws.com.cn", false, "us-west-2"),
            host(t, "aws", "sts.not-a-region.amazonaws.com", true, refuses: noSuchRegion),
            host(t, "aws", "sts.not-a-region.amazonaws.com", true, "not-a-region", refuses: noSuchRegion),
            host(t, "aws", "sts.not-a-region.amazonaws.com", true, "us-west-2", refuses: noSuchRegion),
            host(t, "aws-cn", "sts.not-a-region.amazonaws.com", false, "not-a-region"),
        ]
    }()

    /// TestVerifyHostCaching: every host of its four tables, partition `aws`.
    static let hostCaching: [AuthenticatorCase] = {
        let t = "TestVerifyHostCaching"
        return [
            "sts.us-east-1.amazonaws.com", "sts.eu-west-2.amazonaws.com", "sts.ap-southeast-1.amazonaws.com",
            "sts.us-west-2.amazonaws.com", "sts.ca-central-1.amazonaws.com", "sts.sa-east-1.amazonaws.com",
            "sts.eu-central-1.amazonaws.com",
        ].map { host(t, "aws", $0, true) }
            + [
                "invalid.amazonaws.com", "invalid2.amazonaws.com", "invalid.amazonaws.com", "invalid2.amazonaws.com",
            ].map { host(t, "aws", $0, false) }
    }()

    static func url(_ test: String, _ partition: String, _ url: String, _ accepts: Bool, refuses: String? = nil)
        -> AuthenticatorCase
    {
        AuthenticatorCase(
            test: test, partition: partition, token: token(url), authenticatorAccepts: accepts, decodeRefuses: refuses)
    }

    /// TestVerifyTokenPreSTSValidations, and the `validToken` its STS-error and identity tests start from.
    static let preSTS: [AuthenticatorCase] = {
        let t = "TestVerifyTokenPreSTSValidations"
        let d = nowStamp
        let success = { (host: String) in
            url(
                t, "aws",
                "https://\(host)/?action=GetCallerIdentity&x-amz-signedheaders=x-k8s-aws-id&x-amz-date=\(d)&x-amz-expires=60",
                true, refuses: fakeSTS)
        }
        return [
            AuthenticatorCase(
                test: t, partition: "aws", token: String(repeating: "\0", count: 4097), authenticatorAccepts: false),
            AuthenticatorCase(test: t, partition: "aws", token: "k8s-aws-v2.asdfasdfa", authenticatorAccepts: false),
            AuthenticatorCase(
                test: t, partition: "aws", token: "k8s-aws-v1.decodingerror", authenticatorAccepts: false),
            url(t, "aws", ":ab:cd.af:/asda", false),
            url(t, "aws", "http://", false),
            url(t, "aws", "https://google.com", false),
            url(t, "aws-cn", "https://sts.cn-north-1.amazonaws.com.cn/abc", false),
            url(t, "aws", "https://sts.amazonaws.com/abc", false),
            url(t, "aws", "https://sts.amazonaws.com/?NoInWhiteList=abc", false),
            url(t, "aws", "https://sts.amazonaws.com/?action=get&action=post", false),
            url(t, "aws", "https://sts.amazonaws.com/?action=NotGetCallerIdenity", false),
            url(
                t, "aws",
                "https://sts.amazonaws.com/?action=GetCallerIdentity&x-amz-signedheaders=abc%3bx-k8s-aws-i%3bdef",
                false),
            url(
                t, "aws",
                "https://sts.amazonaws.com/?action=GetCallerIdentity&x-amz-signedheaders=x-k8s-aws-id&x-amz-date=\(d)&x-amz-expires=9999999",
                false),
            url(
                t, "aws",
                "https://sts.amazonaws.com/?action=GetCallerIdentity&x-amz-signedheaders=x-k8s-aws-id&x-amz-date=xxxxxxx&x-amz-expires=60",
                false),
            url(
                t, "aws",
                "https://sts.amazonaws.com/?action=GetCallerIdentity&x-amz-signedheaders=x-k8s-aws-id&x-amz-date=19900422T010203Z&x-amz-expires=60",
                false),
            url(
                t, "aws",
                "https://sts.sa-east-1.amazonaws.com/?action=GetCallerIdentity&x-amz-signedheaders=x-k8s-aws-id&x-amz-date=\(d)&x-amz-expires=60%gh",
                false),
            success("sts.us-east-2.amazonaws.com"),
            success("sts.ap-northeast-2.amazonaws.com"),
            success("sts.ca-central-1.amazonaws.com"),
            success("sts.eu-west-1.amazonaws.com"),
            success("sts.sa-east-1.amazonaws.com"),
            url(
                t, "aws",
                "https://sts.us-west-2.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIAAAAAAAAAAAAAAAAA%2F20220601%2Fus-west-2%2Fsts%2Faws4_request&X-Amz-Date=\(d)&X-Amz-Expires=900&X-Amz-Security-Token=XXXXXXXXXXXXX&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&x-amz-credential=eve&X-Amz-Signature=999999999999999999",
                false),
            url(
                "validToken (TestVerifyNoSession and the STS-answer tests)", "aws",
                "https://sts.amazonaws.com/?action=GetCallerIdentity&X-Amz-Credential=ASIABCDEFGHIJKLMNOPQ%2F20191216%2Fus-west-2%2Fs3%2Faws4_request&x-amz-signedheaders=x-k8s-aws-id&x-amz-expires=60&x-amz-date=\(d)",
                true, refuses: fakeSTS),
        ]
    }()

    static let all = stsEndpoints + endpointResolution + hostCaching + preSTS
}

@Suite("aws-iam-authenticator's token verifier cases, against decode")
struct AuthenticatorConformanceTests {
    @Test("the authenticator's own checks give its verdict", arguments: AuthenticatorCase.all)
    func authenticatorVerdict(_ c: AuthenticatorCase) {
        let report = TokenInspector.inspect(
            c.token, now: AuthenticatorCase.now,
            server: AuthenticatorSettings(partition: c.partition, region: c.serverRegion))
        #expect(report.passesAuthenticator == c.authenticatorAccepts, "\(report.checks.filter { !$0.passed })")
    }

    @Test(
        "decode's whole verdict is the authenticator's, except in the rows listed as differences",
        arguments: AuthenticatorCase.all)
    func decodeVerdict(_ c: AuthenticatorCase) {
        let report = TokenInspector.inspect(
            c.token, now: AuthenticatorCase.now,
            server: AuthenticatorSettings(partition: c.partition, region: c.serverRegion))
        let failedOwners = Set(report.checks.filter { !$0.passed }.map(\.owner))
        if let reason = c.decodeRefuses {
            #expect(c.authenticatorAccepts && !report.isValid, "\(reason)")
            // A difference is only ever what STS or the region data add, never the authenticator's rules.
            #expect(!failedOwners.contains(.authenticator))
            #expect(
                failedOwners == (reason == AuthenticatorCase.fakeSTS ? [.sts] : [.regionData]), "\(failedOwners)")
            if reason == AuthenticatorCase.noSuchRegion || reason == AuthenticatorCase.noSuchHost {
                #expect(report.checks.contains { $0.rule == "region" && !$0.passed })
            }
        } else {
            #expect(report.isValid == c.authenticatorAccepts)
        }
    }

    @Test("the counts: 98 cases, all agree on the authenticator's rules; decode's verdict differs in 17, each listed")
    func counts() {
        let all = AuthenticatorCase.all
        #expect(all.count == 98)
        #expect(all.filter { $0.decodeRefuses == nil }.count == 81)
        #expect(all.filter { $0.decodeRefuses == AuthenticatorCase.fakeSTS }.count == 6)
        #expect(all.filter { $0.decodeRefuses == AuthenticatorCase.noSuchRegion }.count == 10)
        #expect(all.filter { $0.decodeRefuses == AuthenticatorCase.noSuchHost }.count == 1)
    }

    @Test(
        "TestRegionValidator: the region pattern of the server's host check",
        arguments: [
            ("us-east-1", true), ("invalid.com", false), ("@invalid.com/%23", false), ("local", true),
            ("9-west-1", true), ("us_east_1", false),
        ])
    func regionPattern(region: String, valid: Bool) {
        #expect(AuthenticatorHostRule.isRegionIdentifier(region) == valid)
    }

    @Test("TestGetWithSTS: the same keys at the same instant give the authenticator's token, byte for byte")
    func getWithSTS() {
        // The test's example keys, base64-decoded: QVNJQVIyVEc0NFY2QVMzWlpFN0M= and NEtENW…UQ==.
        let credentials = AWSCredentials(
            accessKeyID: "ASIAR2TG44V6AS3ZZE7C", secretAccessKey: "4KD5cntGcVmLWRdF5wvNRuzNL5Qxmp6OKVY6Fz/Q")
        let token = EKSToken.make(
            credentials: credentials,
            endpoint: ServiceEndpoint(
                endpoint: Endpoint(host: "sts.us-west-2.amazonaws.com"), signingRegion: "us-west-2", source: "test"),
            clusterID: "test-cluster", at: Date(timeIntervalSince1970: 1_682_640_000))
        #expect(
            token.value
                == "k8s-aws-v1.aHR0cHM6Ly9zdHMudXMtd2VzdC0yLmFtYXpvbmF3cy5jb20vP0FjdGlvbj1HZXRDYWxsZXJJZGVudGl0eSZWZXJzaW9uPTIwMTEtMDYtMTUmWC1BbXotQWxnb3JpdGhtPUFXUzQtSE1BQy1TSEEyNTYmWC1BbXotQ3JlZGVudGlhbD1BU0lBUjJURzQ0VjZBUzNaWkU3QyUyRjIwMjMwNDI4JTJGdXMtd2VzdC0yJTJGc3RzJTJGYXdzNF9yZXF1ZXN0JlgtQW16LURhdGU9MjAyMzA0MjhUMDAwMDAwWiZYLUFtei1FeHBpcmVzPTYwJlgtQW16LVNpZ25lZEhlYWRlcnM9aG9zdCUzQngtazhzLWF3cy1pZCZYLUFtei1TaWduYXR1cmU9ZTIxMWRiYTc3YWJhOWRjNDRiMGI2YmUzOGI4ZWFhZDA5MjU5OWM1MTU3ZjYzMTQ0NDRjNWI5ZDg1NzQ3ZjVjZQ"
        )
    }
}
