import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The few calls `doctor` makes to a cluster's Kubernetes API: over TLS trusting only the cluster's
/// own CA (from DescribeCluster), with the EKS token as the bearer, as kubectl would.
struct ClusterAPI: Sendable {
    /// The API server URL, e.g. `https://ABC.gr7.us-east-1.eks.amazonaws.com`.
    let endpoint: String
    /// The cluster CA certificate(s), PEM.
    let certificateAuthority: [UInt8]
    let http: HTTPClient
    /// Seconds each request may take.
    let timeout: Double

    /// The path of the aws-auth ConfigMap.
    static let awsAuthPath = "/api/v1/namespaces/kube-system/configmaps/aws-auth"

    /// Sends `method path`, with the token as bearer when given.
    /// - Throws: `HTTPTransportError`.
    func send(_ method: String, _ path: String, token: String? = nil, body: String? = nil) throws -> HTTPResponse {
        let base = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
        var headers = [HTTPHeader(name: "Accept", value: "application/json")]
        if let token { headers.append(HTTPHeader(name: "Authorization", value: "Bearer \(token)")) }
        if body != nil { headers.append(HTTPHeader(name: "Content-Type", value: "application/json")) }
        headers.append(HTTPHeader(name: "User-Agent", value: EKSAuthVersion.userAgent))
        var request = HTTPRequest(
            method: method, url: base + path, headers: headers, body: Array((body ?? "").utf8), timeout: timeout)
        request.trustedCertificates = certificateAuthority
        return try http.send(request)
    }

    /// Who the API server says the token's bearer is: a SelfSubjectReview, as `kubectl auth whoami`
    /// makes it (authentication.k8s.io/v1 since Kubernetes 1.28, v1beta1 in 1.27). Returns the
    /// reply of the first version the server serves (a 404 tries the next).
    /// - Throws: `HTTPTransportError`.
    func selfSubjectReview(token: String) throws -> HTTPResponse {
        var reply = HTTPResponse(status: 404)
        for version in ["v1", "v1beta1"] {
            let body = #"{"apiVersion":"authentication.k8s.io/\#(version)","kind":"SelfSubjectReview"}"#
            reply = try send(
                "POST", "/apis/authentication.k8s.io/\(version)/selfsubjectreviews", token: token, body: body)
            if reply.status != 404 { return reply }
        }
        return reply
    }
}

/// `status.userInfo` of a SelfSubjectReview: the user the cluster's authenticator made of the token.
struct ClusterUserInfo: Sendable, Equatable, Decodable {
    /// The Kubernetes user name.
    var username: String
    /// The user's uid, when the authenticator sets one (the EKS authenticator does: `aws-iam-authenticator:…`).
    var uid: String?
    /// The groups.
    var groups: [String]
    /// Extra attributes (the EKS authenticator adds `arn`, `canonicalArn`, `sessionName`, `accessKeyId`…).
    var extra: [String: [String]]

    enum CodingKeys: String, CodingKey { case username, uid, groups, extra }

    init(username: String, uid: String? = nil, groups: [String] = [], extra: [String: [String]] = [:]) {
        self.username = username
        self.uid = uid
        self.groups = groups
        self.extra = extra
    }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        username = try container.decodeIfPresent(String.self, forKey: .username) ?? ""
        uid = try container.decodeIfPresent(String.self, forKey: .uid)
        groups = try container.decodeIfPresent([String].self, forKey: .groups) ?? []
        extra = try container.decodeIfPresent([String: [String]].self, forKey: .extra) ?? [:]
    }

    /// The `status.userInfo` of a SelfSubjectReview reply body; nil when there is none.
    static func parse(_ body: [UInt8]) -> ClusterUserInfo? {
        struct Wire: Decodable {
            struct Status: Decodable { var userInfo: ClusterUserInfo? }
            var status: Status?
        }
        return (try? JSONDecoder().decode(Wire.self, from: Data(body)))?.status?.userInfo
    }

    /// The extra attributes as `key=value` lines, sorted; an access key id masked as the AWS CLI shows one.
    var extraLines: [String] {
        extra.keys.sorted().map { key in
            let values = extra[key] ?? []
            let shown = key.lowercased().contains("accesskey") ? values.map(DoctorService.masked) : values
            return "extra \(key): \(shown.joined(separator: ", "))"
        }
    }
}
