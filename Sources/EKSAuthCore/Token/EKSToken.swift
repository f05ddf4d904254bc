import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// An EKS bearer token: `k8s-aws-v1.` + base64url of a presigned STS GetCallerIdentity URL.
public struct EKSToken: Sendable, Equatable {
    /// Marks the token format version; the server rejects anything else.
    public static let prefix = "k8s-aws-v1."
    /// Ignored by STS for this call (the URL is honoured for 15 minutes); kept because servers
    /// up to aws-iam-authenticator 0.3.0 reject values outside 0–60.
    public static let presignExpiresSeconds = 60
    /// How long STS accepts the presigned URL after `X-Amz-Date`.
    public static let validity = STSClient.presignedURLValidity
    /// The `expirationTimestamp` we report: one minute short of `validity`, as both peers do,
    /// so kubectl fetches a new token before the server would refuse the old one.
    public static let reportedLifetime: TimeInterval = 14 * 60
    /// The header that binds the token to one cluster: signed, but not in the URL.
    public static let clusterIDHeader = "x-k8s-aws-id"
    /// The longest token aws-iam-authenticator's server accepts.
    public static let maxLength = 4096

    /// The token string.
    public var value: String
    /// The presigned URL inside it.
    public var url: String
    /// When the token stops being useful: signing time + 14 minutes, or the credentials' expiry if sooner.
    public var expiration: Date

    /// Presigns GetCallerIdentity for `clusterID` with `credentials` at `date`.
    public static func make(
        credentials: AWSCredentials, endpoint: ServiceEndpoint, clusterID: String, at date: Date
    ) -> EKSToken {
        let request = SigV4Request(
            method: "GET",
            endpoint: Endpoint(
                scheme: endpoint.endpoint.scheme, host: endpoint.endpoint.host,
                port: endpoint.endpoint.port, path: "/"),
            query: [("Action", "GetCallerIdentity"), ("Version", STSClient.apiVersion)],
            headers: [(clusterIDHeader, clusterID)])
        let signer = SigV4Signer(credentials: credentials, region: endpoint.signingRegion, service: "sts")
        let url = signer.presign(request, expiresIn: presignExpiresSeconds, at: date)
        var expiration = date.addingTimeInterval(reportedLifetime)
        if let credentialExpiry = credentials.expiration, credentialExpiry < expiration {
            expiration = credentialExpiry
        }
        return EKSToken(value: prefix + Base64URL.encode(Array(url.utf8)), url: url, expiration: expiration)
    }
}
