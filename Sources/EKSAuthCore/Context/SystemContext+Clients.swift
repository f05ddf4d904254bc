import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

/// The AWS service clients the commands beyond `token` use, made one way: this context's network, clock,
/// tracer and the retry policy the environment asks for (`AWS_MAX_ATTEMPTS`, `EKS_AUTH_HTTP_TIMEOUT`).
extension SystemContext {
    /// The IAM Query client of `region`'s partition (or `AWS_ENDPOINT_URL_IAM`).
    /// - Throws: `ConfigError` for a bad endpoint or retry setting.
    public func iamClient(resolver: STSEndpointResolver, region: String) throws -> QueryProtocolClient {
        QueryProtocolClient(
            service: "iam", apiVersion: SetupApplier.apiVersion,
            endpoint: try SetupApplier.endpoint(resolver: resolver, region: region),
            http: http(), clock: clock, retry: try retryPolicy(), tracer: tracer)
    }

    /// The EKS client of `region` (or `AWS_ENDPOINT_URL_EKS`).
    /// - Throws: `ConfigError` for a bad endpoint or retry setting.
    public func eksClient(resolver: STSEndpointResolver, region: String) throws -> EKSClient {
        let retry = try retryPolicy()
        return EKSClient(
            endpoint: try resolver.resolveEKS(region: region), http: http(), clock: clock,
            timeout: retry.attemptTimeout, retry: retry, tracer: tracer)
    }
}
