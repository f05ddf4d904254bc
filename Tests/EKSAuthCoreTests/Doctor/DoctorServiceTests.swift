import EKSAuthTestSupport
import Foundation
import Testing

@testable import AWSConfiguration
@testable import AWSSigning
@testable import AWSTransport
@testable import EKSAuthCore
@testable import EKSAuthSystem

/// A fake world for `doctor`: STS (the unsigned probe, GetCallerIdentity, AssumeRole), EKS
/// DescribeCluster and a cluster API server, each answer replaceable per test.
final class DoctorWorld: Sendable {
    static let secret = "doctor/secret+KEY"
    static let sessionToken = "doctor-session-token"
    static let cluster = "dev"
    static let endpoint = "https://abc.gr7.us-east-1.eks.amazonaws.com"
    static let pem = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n"
    static let roleARN = "arn:aws:iam::123456789012:role/dev.eks-access.role"
    static let assumedARN = "arn:aws:sts::123456789012:assumed-role/dev.eks-access.role/alice"
    static let userARN = "arn:aws:iam::123456789012:user/alice"
    static let now = Fixtures.tokenVectorDate
    /// `now` as an HTTP Date header.
    static let dateHeader = "Tue, 02 Jan 2024 03:04:05 GMT"

    static let awsAuth = """
        {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"aws-auth","namespace":"kube-system"},
         "data":{"mapRoles":"- rolearn: arn:aws:iam::123456789012:role/dev.eks-access.role\\n  username: dev:{{SessionName}}\\n  groups:\\n  - dev-team\\n",
                 "mapUsers":"- userarn: arn:aws:iam::123456789012:user/alice\\n  username: alice\\n  groups:\\n  - system:masters\\n"}}
        """
    static let unrelatedAWSAuth = """
        {"data":{"mapRoles":"- rolearn: arn:aws:iam::123456789012:role/other\\n  username: other\\n"}}
        """
    static let review = """
        {"kind":"SelfSubjectReview","apiVersion":"authentication.k8s.io/v1","status":{"userInfo":{
         "username":"alice","uid":"aws-iam-authenticator:123456789012:AIDAEXAMPLE","groups":["system:masters","system:authenticated"],
         "extra":{"accessKeyId":["AKIDDOCTOREXAMPLE"],"arn":["arn:aws:iam::123456789012:user/alice"]}}}}
        """

    let http: FakeHTTPClient
    let files: InMemoryFileSystem
    let environment: [String: String]

    /// Each answer by what is asked; a nil answer is a connection failure.
    struct Answers: Sendable {
        var probe: @Sendable () throws -> HTTPResponse = {
            HTTPResponse(
                status: 403, headers: [HTTPHeader(name: "Date", value: DoctorWorld.dateHeader)],
                body: Array("<ErrorResponse/>".utf8))
        }
        var sts: @Sendable (String) -> HTTPResponse = { action in
            action == "AssumeRole"
                ? STSReplies.assumeRole(expiration: "2024-01-02T04:04:05Z") : STSReplies.callerIdentity()
        }
        var describeCluster: @Sendable () -> HTTPResponse = {
            HTTPResponse(
                status: 200,
                body: Array(
                    """
                    {"cluster":{"name":"dev","arn":"arn:aws:eks:us-east-1:123456789012:cluster/dev",
                     "endpoint":"\(DoctorWorld.endpoint)","status":"ACTIVE",
                     "certificateAuthority":{"data":"\(Data(DoctorWorld.pem.utf8).base64EncodedString())"}}}
                    """.utf8))
        }
        var version: @Sendable () throws -> HTTPResponse = {
            HTTPResponse(status: 200, body: Array(#"{"gitVersion":"v1.31.2-eks-1"}"#.utf8))
        }
        var configMap: @Sendable () -> HTTPResponse = {
            HTTPResponse(status: 200, body: Array(DoctorWorld.awsAuth.utf8))
        }
        var review: @Sendable (String) -> HTTPResponse = { _ in
            HTTPResponse(status: 201, body: Array(DoctorWorld.review.utf8))
        }
    }

    let processes: FakeProcessRunner

    init(
        environment: [String: String] = [
            "AWS_ACCESS_KEY_ID": "AKIDDOCTOREXAMPLE", "AWS_SECRET_ACCESS_KEY": DoctorWorld.secret,
            "AWS_REGION": "us-east-1",
        ], config: String = "", processOutput: String = "", answers: Answers = Answers()
    ) {
        var variables = environment
        variables["HOME"] = "/home/doc"
        self.environment = variables
        self.files = InMemoryFileSystem(["/home/doc/.aws/config": config])
        self.processes = FakeProcessRunner(printing: processOutput)
        self.http = FakeHTTPClient { request, _ in
            let url = request.url
            if url.hasPrefix("https://sts.us-east-1.amazonaws.com") {
                if request.method == "GET" { return try answers.probe() }
                return answers.sts(STSReplies.action(of: request))
            }
            if url.hasPrefix("https://eks.us-east-1.amazonaws.com/clusters/") { return answers.describeCluster() }
            if url.hasPrefix(DoctorWorld.endpoint) {
                #expect(request.trustedCertificates == Array(DoctorWorld.pem.utf8))
                if url.hasSuffix("/version") { return try answers.version() }
                if url.hasSuffix("/configmaps/aws-auth") { return answers.configMap() }
                if url.contains("/selfsubjectreviews") { return answers.review(url) }
            }
            throw HTTPTransportError.connectionFailed("connection refused")
        }
    }

    var system: SystemContext {
        let http = self.http
        return SystemContext(
            environment: Environment(environment), clock: .fixed(Self.now), fileSystem: files, http: { http },
            processes: processes)
    }

    func run(
        cluster: String? = DoctorWorld.cluster, role: RoleRequest? = nil, awsAuth: AWSAuthText? = nil
    ) -> DoctorReport {
        DoctorService(system: system).run(DoctorRequest(clusterName: cluster, role: role, awsAuth: awsAuth))
    }
}

@Suite("doctor")
struct DoctorServiceTests {
    func statuses(_ report: DoctorReport) -> [String: DoctorStatus] {
        Dictionary(uniqueKeysWithValues: report.findings.map { ($0.check.rawValue, $0.status) })
    }

    @Test("a healthy setup passes every check, in order, and exits 0")
    func healthy() throws {
        let world = DoctorWorld()
        let report = world.run()
        #expect(report.findings.map(\.check) == DoctorCheck.allCases)
        #expect(report.findings.allSatisfy { $0.status == .ok }, "\(report.text)")
        #expect(report.worst == .ok)
        #expect(report.failureKind == nil)
        #expect(
            report.finding(.identity)?.summary
                == "the cluster knows you as alice with groups system:masters, system:authenticated")
        #expect(
            report.finding(.mapping)?.summary.contains("user alice with groups system:masters (mapUsers[0])") == true)
        #expect(report.finding(.credentials)?.summary == "environment variables; long-term keys, no expiry")
        #expect(report.finding(.credentials)?.details.contains("access key: ****************MPLE") == true)
        #expect(report.finding(.endpoint)?.details.contains("Kubernetes v1.31.2-eks-1") == true)
        // The token went to the cluster only, as a bearer.
        let review = try #require(world.http.requests.first { $0.url.contains("selfsubjectreviews") })
        #expect(review.header("Authorization")?.hasPrefix("Bearer k8s-aws-v1.") == true)
        #expect(String(decoding: review.body, as: UTF8.self).contains(#""kind":"SelfSubjectReview""#))
    }

    @Test("the JSON report has the documented shape and holds no secret, session token or token")
    func jsonHasNoSecrets() throws {
        let world = DoctorWorld(environment: [
            "AWS_ACCESS_KEY_ID": "ASIADOCTOREXAMPLE", "AWS_SECRET_ACCESS_KEY": DoctorWorld.secret,
            "AWS_SESSION_TOKEN": DoctorWorld.sessionToken, "AWS_REGION": "us-east-1",
        ])
        let report = world.run(role: RoleRequest(roleARN: DoctorWorld.roleARN))
        let json = report.json()
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(parsed["result"] as? String == "ok")
        let checks = try #require(parsed["checks"] as? [[String: Any]])
        #expect(checks.map { $0["check"] as? String } == DoctorCheck.allCases.map(\.rawValue))
        #expect(checks.allSatisfy { Set($0.keys) == ["check", "status", "summary", "details", "fix"] })
        for secret in [
            DoctorWorld.secret, DoctorWorld.sessionToken, "assumed/secret+KEY", "assumed-session-token",
            "k8s-aws-v1.", "ASIADOCTOREXAMPLE", "ASIAASSUMEDEXAMPLE",
        ] {
            #expect(!json.contains(secret), "\(secret) in \(json)")
            #expect(!report.text.contains(secret))
        }
    }

    @Test("the text report has one line per check, the fix under failures, and a tally")
    func text() {
        let world = DoctorWorld(
            answers: .init(configMap: { HTTPResponse(status: 401) }, review: { _ in HTTPResponse(status: 401) }))
        let lines = world.run().text.split(separator: "\n").map(String.init)
        #expect(lines.first == "[ok]   settings     profile default (from default), region us-east-1 (from AWS_REGION)")
        #expect(
            lines.contains(
                "[skip] mapping      the cluster refused the token, so aws-auth cannot be read (see identity); give the ConfigMap with --aws-auth FILE (kubectl get configmap aws-auth -n kube-system -o yaml, as someone allowed to read it)"
            ))
        #expect(lines.contains("[FAIL] identity     the cluster refused the token (HTTP 401 Unauthorized)"))
        #expect(lines.contains { $0.hasPrefix("                    fix: the identity must be mapped") })
        #expect(lines.last == "1 failed, 0 warnings, 8 ok, 1 skipped")
    }

    @Test("without --cluster-name the cluster checks are skipped, saying why, and the run passes")
    func noCluster() {
        let report = DoctorWorld().run(cluster: nil)
        for check in [DoctorCheck.cluster, .endpoint, .identity] {
            #expect(report.finding(check)?.status == .skipped)
            #expect(report.finding(check)?.summary == "no --cluster-name given")
        }
        #expect(
            report.finding(.mapping)?.summary == "no --cluster-name given; or give --aws-auth FILE to check offline")
        #expect(report.failureKind == nil)
    }

    @Test("--aws-auth checks the mapping offline, without a cluster")
    func offlineMapping() {
        let report = DoctorWorld().run(
            cluster: nil, awsAuth: AWSAuthText(text: DoctorWorld.unrelatedAWSAuth, source: "aws-auth.yaml"))
        let mapping = report.finding(.mapping)
        #expect(mapping?.status == .failure)
        #expect(mapping?.summary == "no aws-auth entry maps arn:aws:iam::123456789012:user/alice")
        #expect(mapping?.fix?.contains("mapUsers") == true)
        #expect(report.failureKind == .denied)
    }

    @Test("STS that cannot be reached fails the proxy check, naming the proxy; the clock is skipped")
    func unreachableProxy() {
        let world = DoctorWorld(
            environment: [
                "AWS_ACCESS_KEY_ID": "AKIDDOCTOREXAMPLE", "AWS_SECRET_ACCESS_KEY": DoctorWorld.secret,
                "AWS_REGION": "us-east-1", "HTTPS_PROXY": "http://user:pw@127.0.0.1:9",
            ],
            answers: .init(probe: { throw HTTPTransportError.connectionFailed("connection refused") }))
        let report = world.run(cluster: nil)
        let proxy = report.finding(.proxy)
        #expect(proxy?.status == .failure)
        #expect(
            proxy?.summary == "STS at https://sts.us-east-1.amazonaws.com/ did not answer through proxy "
                + "http://***:***@127.0.0.1:9 (from HTTPS_PROXY): connection refused")
        #expect(proxy?.fix?.contains("NO_PROXY") == true)
        #expect(report.finding(.clock)?.status == .skipped)
        #expect(report.failureKind == .unavailable)
        #expect(!report.json().contains(":pw@"))
    }

    @Test("a proxy that wants credentials is named once and the fix says where they go")
    func proxyWantsCredentials() {
        let world = DoctorWorld(
            environment: [
                "AWS_ACCESS_KEY_ID": "AKIDDOCTOREXAMPLE", "AWS_SECRET_ACCESS_KEY": DoctorWorld.secret,
                "AWS_REGION": "us-east-1", "HTTPS_PROXY": "http://127.0.0.1:9",
            ],
            answers: .init(probe: {
                throw HTTPTransportError.connectionFailed(
                    "proxy http://127.0.0.1:9 (from HTTPS_PROXY) answered 407 Proxy Authentication Required")
            }))
        let proxy = world.run(cluster: nil).finding(.proxy)
        #expect(
            proxy?.summary == "STS at https://sts.us-east-1.amazonaws.com/ did not answer: proxy http://127.0.0.1:9 "
                + "(from HTTPS_PROXY) answered 407 Proxy Authentication Required")
        #expect(proxy?.fix == "give the proxy's user name and password in HTTPS_PROXY (http://user:password@host:port)")
    }

    @Test("an unreadable proxy variable fails the proxy check")
    func badProxyVariable() {
        let world = DoctorWorld(environment: [
            "AWS_ACCESS_KEY_ID": "AKIDDOCTOREXAMPLE", "AWS_SECRET_ACCESS_KEY": DoctorWorld.secret,
            "AWS_REGION": "us-east-1", "HTTPS_PROXY": "http://proxy:notaport",
        ])
        let proxy = world.run().finding(.proxy)
        #expect(proxy?.status == .failure)
        #expect(proxy?.summary.contains("HTTPS_PROXY") == true)
    }

    @Test("NO_PROXY entries that never match warn")
    func ignoredNoProxy() {
        let world = DoctorWorld(environment: [
            "AWS_ACCESS_KEY_ID": "AKIDDOCTOREXAMPLE", "AWS_SECRET_ACCESS_KEY": DoctorWorld.secret,
            "AWS_REGION": "us-east-1", "NO_PROXY": "10.0.0.0/33,example.com",
        ])
        let proxy = world.run().finding(.proxy)
        #expect(proxy?.status == .warning)
        #expect(proxy?.details.contains { $0.contains("10.0.0.0/33") } == true)
    }

    @Test(
        "the clock is compared with STS's Date header: 1 minute off warns, 5 fails",
        arguments: [
            ("Tue, 02 Jan 2024 03:04:00 GMT", DoctorStatus.ok),
            ("Tue, 02 Jan 2024 03:02:05 GMT", .warning),
            ("Tue, 02 Jan 2024 03:14:05 GMT", .failure),
            ("Tue, 02 Jan 2024 02:54:05 GMT", .failure),
            ("yesterday", .warning),
        ])
    func clock(date: String, expected: DoctorStatus) {
        let world = DoctorWorld(
            answers: .init(probe: { HTTPResponse(status: 403, headers: [HTTPHeader(name: "Date", value: date)]) }))
        let report = world.run(cluster: nil)
        #expect(report.finding(.clock)?.status == expected, "\(report.text)")
        if expected == .failure { #expect(report.failureKind == .configuration) }
    }

    @Test("a clock 10 minutes ahead says so")
    func clockAhead() {
        let world = DoctorWorld(
            answers: .init(probe: {
                HTTPResponse(status: 403, headers: [HTTPHeader(name: "Date", value: "Tue, 02 Jan 2024 02:54:05 GMT")])
            }))
        #expect(world.run().finding(.clock)?.summary == "the clock is 10 min ahead of STS's (more than 5 min)")
    }

    @Test("no credentials fail the credentials check; role and cluster checks are skipped")
    func noCredentials() {
        let report = DoctorWorld(environment: ["AWS_REGION": "us-east-1"]).run()
        let credentials = report.finding(.credentials)
        #expect(credentials?.status == .failure)
        #expect(credentials?.summary.hasPrefix("no AWS credentials found") == true, "\(credentials?.summary ?? "")")
        #expect(credentials?.fix != nil)
        #expect(report.finding(.role)?.summary == "needs working credentials (credentials failed)")
        #expect(report.finding(.cluster)?.summary == "needs working credentials (credentials or role failed)")
        #expect(report.finding(.endpoint)?.status == .skipped)
        #expect(report.finding(.identity)?.status == .skipped)
        #expect(report.failureKind == .configuration)
    }

    /// A world whose only credentials come from a `credential_process` expiring at `expiration`.
    static func processWorld(expiring expiration: String) -> DoctorWorld {
        DoctorWorld(
            environment: ["AWS_REGION": "us-east-1"], config: "[default]\ncredential_process = get-creds\n",
            processOutput: """
                {"Version": 1, "AccessKeyId": "ASIAPROCESSEXAMPLE", "SecretAccessKey": "\(DoctorWorld.secret)",
                 "SessionToken": "\(DoctorWorld.sessionToken)", "Expiration": "\(expiration)"}
                """)
    }

    @Test("credentials expiring within a token's 15 minutes warn, saying when")
    func expiringSoon() {
        let report = Self.processWorld(expiring: "2024-01-02T03:14:05Z").run(cluster: nil)
        let credentials = report.finding(.credentials)
        #expect(credentials?.status == .warning)
        #expect(
            credentials?.summary
                == "credential_process of profile 'default'; expire in 10 min (2024-01-02T03:14:05Z)")
        #expect(credentials?.fix?.hasPrefix("renew them soon") == true)
        #expect(report.failureKind == nil)
        #expect(!report.json().contains(DoctorWorld.sessionToken) && !report.json().contains(DoctorWorld.secret))
    }

    @Test("credentials already expired fail before STS is asked")
    func expired() {
        let world = Self.processWorld(expiring: "2024-01-02T02:00:00Z")
        let report = world.run(cluster: nil)
        #expect(report.finding(.credentials)?.status == .failure)
        #expect(report.finding(.credentials)?.summary.contains("expired") == true)
        #expect(!world.http.requests.contains { $0.method == "POST" })
        #expect(report.failureKind == .denied)
    }

    @Test("credentials STS refuses as expired fail with exit kind denied")
    func expiredSessionToken() {
        let world = DoctorWorld(answers: .init(sts: { _ in STSReplies.error(status: 403, code: "ExpiredToken") }))
        let report = world.run()
        #expect(report.finding(.credentials)?.status == .failure)
        #expect(report.finding(.credentials)?.summary.contains("ExpiredToken") == true)
        #expect(report.finding(.credentials)?.fix == "the session token has expired; refresh the base credentials")
        #expect(report.failureKind == .denied)
    }

    @Test("a private, writable cache directory passes; an insecure or foreign one fails")
    func cache() {
        let world = DoctorWorld()
        world.files.setDirectory("/home/doc/.kube/cache/eks-auth", mode: 0o700, ownerID: 1000)
        #expect(world.run(cluster: nil).finding(.cache)?.status == .ok)
        world.files.setDirectory("/home/doc/.kube/cache/eks-auth", mode: 0o777, ownerID: 1000)
        let open = world.run(cluster: nil)
        #expect(open.finding(.cache)?.status == .failure)
        #expect(open.finding(.cache)?.fix == "chmod 700 /home/doc/.kube/cache/eks-auth")
        #expect(open.failureKind == .badInput)
        world.files.setDirectory("/home/doc/.kube/cache/eks-auth", mode: 0o700, ownerID: 0)
        #expect(world.run(cluster: nil).finding(.cache)?.summary.contains("belongs to uid 0") == true)
        // Readable by others: a warning whose summary says so, not that all is private.
        world.files.setDirectory("/home/doc/.kube/cache/eks-auth", mode: 0o755, ownerID: 1000)
        let readable = world.run(cluster: nil).finding(.cache)
        #expect(readable?.status == .warning)
        #expect(
            readable?.summary
                == "/home/doc/.kube/cache/eks-auth is writable, but the directory is readable by others (mode 755)")
    }

    @Test("a cache directory that cannot be written fails")
    func unwritableCache() {
        let world = DoctorWorld()
        world.files.setDirectory("/home/doc/.kube/cache/eks-auth", mode: 0o700, ownerID: 1000)
        world.files.makeWritesFail("/home/doc/.kube/cache/eks-auth/.eks-auth-doctor-probe")
        let cache = world.run(cluster: nil).finding(.cache)
        #expect(cache?.status == .failure)
        #expect(cache?.summary.contains("cannot be written: No space left on device") == true)
        #expect(world.files.text(of: "/home/doc/.kube/cache/eks-auth/.eks-auth-doctor-probe") == nil)
    }

    @Test("the role is assumed afresh, never from or into the cache")
    func role() {
        let world = DoctorWorld()
        let report = world.run(role: RoleRequest(roleARN: DoctorWorld.roleARN))
        #expect(report.finding(.role)?.summary == "assumed \(DoctorWorld.roleARN) as \(DoctorWorld.assumedARN)")
        #expect(world.http.requests.filter { STSReplies.action(of: $0) == "AssumeRole" }.count == 1)
        #expect(world.files.lockCount == 0)
        // The role's session is what the mapping and the token use.
        #expect(report.finding(.mapping)?.summary.contains("user dev:alice with groups dev-team (mapRoles[0])") == true)
    }

    @Test("a role that cannot be assumed fails; the cluster checks are skipped")
    func roleDenied() {
        let world = DoctorWorld(
            answers: .init(sts: { action in
                action == "AssumeRole"
                    ? STSReplies.error(status: 403, code: "AccessDenied") : STSReplies.callerIdentity()
            }))
        let report = world.run(role: RoleRequest(roleARN: DoctorWorld.roleARN))
        #expect(report.finding(.role)?.status == .failure)
        #expect(report.finding(.role)?.fix?.contains("sts:AssumeRole") == true)
        #expect(report.finding(.cluster)?.status == .skipped)
        #expect(report.finding(.mapping)?.status == .skipped)
        #expect(report.failureKind == .denied)
    }

    @Test("a cluster that does not exist fails; the endpoint and identity are skipped")
    func clusterNotFound() {
        let world = DoctorWorld(
            answers: .init(describeCluster: {
                HTTPResponse(
                    status: 404, headers: [HTTPHeader(name: "x-amzn-ErrorType", value: "ResourceNotFoundException")],
                    body: Array(#"{"message":"No cluster found for name: dev."}"#.utf8))
            }))
        let report = world.run()
        #expect(report.finding(.cluster)?.summary == "cluster 'dev' not found in us-east-1 (ResourceNotFoundException)")
        #expect(report.finding(.endpoint)?.summary == "needs the cluster (cluster failed)")
        #expect(report.finding(.identity)?.status == .skipped)
        #expect(report.failureKind == .configuration)
    }

    @Test("a cluster not yet active fails")
    func clusterCreating() {
        let world = DoctorWorld(
            answers: .init(describeCluster: {
                HTTPResponse(
                    status: 200,
                    body: Array(
                        #"{"cluster":{"name":"dev","arn":"arn:aws:eks:us-east-1:1:cluster/dev","status":"CREATING"}}"#
                            .utf8))
            }))
        #expect(world.run().finding(.cluster)?.summary == "dev is CREATING, not ACTIVE")
    }

    @Test("an endpoint whose certificate the cluster's CA did not issue fails")
    func wrongCA() {
        let world = DoctorWorld(
            answers: .init(version: {
                throw HTTPTransportError.connectionFailed(HTTPTransportError.untrustedCertificate)
            }))
        let report = world.run()
        let endpoint = report.finding(.endpoint)
        #expect(endpoint?.status == .failure)
        #expect(endpoint?.summary == "\(DoctorWorld.endpoint) presents a certificate the cluster's CA did not issue")
        #expect(report.finding(.identity)?.summary == "needs the cluster endpoint (endpoint failed)")
        #expect(report.failureKind == .configuration)
    }

    @Test("an endpoint that does not answer fails as unavailable")
    func endpointUnreachable() {
        let world = DoctorWorld(answers: .init(version: { throw HTTPTransportError.timedOut }))
        let report = world.run()
        #expect(report.finding(.endpoint)?.summary.contains("did not answer: no answer within") == true)
        #expect(report.failureKind == .unavailable)
    }

    @Test("an identity the cluster knows without an aws-auth entry is a warning (access entries)")
    func accessEntries() {
        let world = DoctorWorld(answers: .init(configMap: { HTTPResponse(status: 404) }))
        let report = world.run()
        #expect(report.finding(.mapping)?.status == .warning)
        #expect(report.finding(.mapping)?.summary.contains("the cluster accepts the token all the same") == true)
        #expect(report.failureKind == nil)
    }

    @Test("no mapping and a refused token both fail; the exit kind is denied")
    func noMapping() {
        let world = DoctorWorld(
            answers: .init(
                configMap: { HTTPResponse(status: 200, body: Array(DoctorWorld.unrelatedAWSAuth.utf8)) },
                review: { _ in HTTPResponse(status: 401) }))
        let report = world.run()
        #expect(report.finding(.mapping)?.status == .failure)
        #expect(report.finding(.mapping)?.details.contains("aws-auth: configmap kube-system/aws-auth") == true)
        #expect(report.finding(.identity)?.status == .failure)
        #expect(report.failureKind == .denied)
    }

    @Test("aws-auth that may not be read warns and suggests --aws-auth")
    func awsAuthForbidden() {
        let world = DoctorWorld(answers: .init(configMap: { HTTPResponse(status: 403) }))
        let mapping = world.run().finding(.mapping)
        #expect(mapping?.status == .warning)
        #expect(mapping?.fix?.hasPrefix("give the ConfigMap with --aws-auth FILE") == true)
    }

    @Test("a cluster without SelfSubjectReview warns, after trying v1 then v1beta1")
    func noSelfSubjectReview() {
        let world = DoctorWorld(answers: .init(review: { _ in HTTPResponse(status: 404) }))
        let report = world.run()
        #expect(report.finding(.identity)?.status == .warning)
        let reviews = world.http.requests.filter { $0.url.contains("selfsubjectreviews") }.map(\.url)
        #expect(reviews.map { $0.contains("/v1/") } == [true, false])
        #expect(reviews.last?.contains("/v1beta1/") == true)
        #expect(report.failureKind == nil)
    }

    @Test("the identity's extra attributes are shown, an access key id masked")
    func identityExtra() {
        let details = DoctorWorld().run().finding(.identity)?.details ?? []
        #expect(details.contains("extra accessKeyId: ****************MPLE"))
        #expect(details.contains("extra arn: arn:aws:iam::123456789012:user/alice"))
        #expect(details.contains("uid: aws-iam-authenticator:123456789012:AIDAEXAMPLE"))
    }

    @Test("HTTP dates are read in the IMF-fixdate form only")
    func httpDate() {
        #expect(HTTPDate.parse("Tue, 02 Jan 2024 03:04:05 GMT") == Fixtures.tokenVectorDate)
        #expect(HTTPDate.parse("Tuesday, 02-Jan-24 03:04:05 GMT") == nil)
        #expect(HTTPDate.parse("Tue, 02 Foo 2024 03:04:05 GMT") == nil)
        #expect(HTTPDate.parse("") == nil)
    }

    @Test("access key ids are masked as the AWS CLI masks them")
    func masking() {
        #expect(DoctorService.masked("AKIAIOSFODNN7EXAMPLE") == "****************MPLE")
        #expect(DoctorService.masked("ABC") == "***")
    }
}

@Suite("doctor findings")
struct DoctorFindingTests {
    @Test("a finding keeps at most 40 detail lines and 2,000 characters a line, saying what it left out")
    func bounded() {
        let finding = DoctorFinding(
            .identity, .ok, String(repeating: "g", count: 5_000), details: (0..<100).map { "extra \($0)" })
        #expect(finding.summary.hasSuffix("… (3000 more characters)"))
        #expect(finding.details.count == 41)
        #expect(finding.details.last == "… 60 more lines left out")
    }

    @Test("the worst status decides the result; skipped counts as ok; the first failure chooses the exit kind")
    func worst() {
        let report = DoctorReport(findings: [
            DoctorFinding(.settings, .ok, "fine"), DoctorFinding(.proxy, .skipped, "not run"),
        ])
        #expect(report.worst == .ok)
        let failing = DoctorReport(findings: [
            DoctorFinding(.clock, .warning, "1 min"),
            DoctorFinding(.credentials, .failure, "none", kind: .configuration),
            DoctorFinding(.role, .failure, "denied", kind: .denied),
        ])
        #expect(failing.worst == .failure)
        #expect(failing.failureKind == .configuration)
        #expect(DoctorFinding(.role, .ok, "x", kind: .denied).kind == nil)
    }
}
