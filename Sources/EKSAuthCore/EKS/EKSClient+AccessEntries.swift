import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The access-entry operations of the EKS API (`/clusters/NAME/access-entries…`), as the EKS API
/// reference gives their paths, shapes and errors.
extension EKSClient {
    /// What `createAccessEntry(_:cluster:as:)` found.
    public enum CreateOutcome: Sendable, Equatable {
        /// The entry was created.
        case created
        /// An entry for the principal existed (ResourceInUseException); it is returned as it is.
        case exists(AccessEntry)
    }

    /// At most this many entries are read from one cluster (pages of 100): EKS allows far fewer per
    /// cluster, so more means a reply to refuse, not a cluster to page through for ever.
    public static let maxAccessEntries = 5_000

    /// The path of the cluster's access entries, or of one principal's entry.
    static func accessEntriesPath(_ cluster: String, principal: String? = nil) -> String {
        let base = "/clusters/\(SigV4Signer.uriEncode(cluster))/access-entries"
        return principal.map { "\(base)/\(SigV4Signer.uriEncode($0))" } ?? base
    }

    /// Decodes a 200 reply of `operation`, or throws what a non-200 one says: `EKSError.clusterNotFound`
    /// for ResourceNotFoundException when `missing` is nil, else `missing`'s value is returned.
    func decode<T: Decodable>(
        _ type: T.Type, _ response: HTTPResponse, operation: String, cluster: String, missing: T? = nil
    ) throws -> T {
        guard response.status == 200 else {
            let failure = Self.failure(of: response, operation: operation)
            if failure.code.hasSuffix("ResourceNotFoundException") {
                if let missing { return missing }
                throw EKSError.clusterNotFound(name: cluster, region: endpoint.signingRegion)
            }
            throw AWSServiceError.service(failure)
        }
        guard let value = try? JSONDecoder().decode(T.self, from: Data(response.body)) else {
            throw AWSServiceError.malformedResponse(
                service: "eks", operation: operation, endpoint: "\(endpoint.endpoint)", status: response.status)
        }
        return value
    }

    /// ListAccessEntries: the principal ARNs of every access entry of `cluster`, all pages.
    /// - Throws: `EKSError.clusterNotFound`, `AWSServiceError` (also for more than `maxAccessEntries`).
    public func listAccessEntries(cluster: String, as credentials: AWSCredentials) throws -> [String] {
        struct Page: Decodable { var accessEntries: [String]?; var nextToken: String? }
        var arns: [String] = []
        var token: String?
        repeat {
            var query = [(name: "maxResults", value: "100")]
            if let token { query.append((name: "nextToken", value: token)) }
            let response = try send(
                "GET", Self.accessEntriesPath(cluster), query: query, body: nil, operation: "ListAccessEntries",
                as: credentials)
            let page = try decode(Page.self, response, operation: "ListAccessEntries", cluster: cluster)
            arns += page.accessEntries ?? []
            guard arns.count <= Self.maxAccessEntries else {
                throw AWSServiceError.malformedResponse(
                    service: "eks", operation: "ListAccessEntries", endpoint: "\(endpoint.endpoint)", status: 200)
            }
            token = page.nextToken.flatMap { $0.isEmpty ? nil : $0 }
        } while token != nil
        return arns
    }

    /// DescribeAccessEntry: the entry of `principalARN`, without its policies; nil when EKS answers
    /// ResourceNotFoundException (it does so for a missing entry and a missing cluster alike).
    /// - Throws: `AWSServiceError`.
    public func describeAccessEntry(cluster: String, principalARN: String, as credentials: AWSCredentials) throws
        -> AccessEntry?
    {
        struct Wire: Decodable { var accessEntry: AccessEntry? }
        let response = try send(
            "GET", Self.accessEntriesPath(cluster, principal: principalARN), body: nil,
            operation: "DescribeAccessEntry", as: credentials)
        let wire = try decode(
            Wire.self, response, operation: "DescribeAccessEntry", cluster: cluster, missing: Wire(accessEntry: nil))
        return wire.accessEntry
    }

    /// ListAssociatedAccessPolicies: the access policies of `principalARN`'s entry, all pages.
    /// - Throws: `EKSError.clusterNotFound`, `AWSServiceError`.
    public func listAssociatedAccessPolicies(
        cluster: String, principalARN: String, as credentials: AWSCredentials
    ) throws -> [AssociatedAccessPolicy] {
        struct Page: Decodable { var associatedAccessPolicies: [AssociatedAccessPolicy]?; var nextToken: String? }
        var policies: [AssociatedAccessPolicy] = []
        var token: String?
        var pages = 0
        repeat {
            var query = [(name: "maxResults", value: "100")]
            if let token { query.append((name: "nextToken", value: token)) }
            let response = try send(
                "GET", Self.accessEntriesPath(cluster, principal: principalARN) + "/access-policies", query: query,
                body: nil, operation: "ListAssociatedAccessPolicies", as: credentials)
            let page = try decode(
                Page.self, response, operation: "ListAssociatedAccessPolicies", cluster: cluster,
                missing: Page(associatedAccessPolicies: [], nextToken: nil))
            policies += page.associatedAccessPolicies ?? []
            token = page.nextToken.flatMap { $0.isEmpty ? nil : $0 }
            pages += 1
        } while token != nil && pages < 50
        return policies
    }

    /// Every access entry of `cluster` with its policies: ListAccessEntries, then DescribeAccessEntry
    /// and ListAssociatedAccessPolicies for each (an entry deleted meanwhile is left out).
    /// - Throws: `EKSError.clusterNotFound`, `AWSServiceError`.
    public func accessEntries(cluster: String, as credentials: AWSCredentials) throws -> [AccessEntry] {
        try listAccessEntries(cluster: cluster, as: credentials).compactMap { arn in
            guard var entry = try describeAccessEntry(cluster: cluster, principalARN: arn, as: credentials) else {
                return nil
            }
            entry.associatedAccessPolicies = try listAssociatedAccessPolicies(
                cluster: cluster, principalARN: arn, as: credentials)
            return entry
        }
    }

    /// CreateAccessEntry with `entry`'s principal, groups, username and type; an entry that exists
    /// already is described and returned, unchanged, for the caller to compare.
    /// - Throws: `EKSError.clusterNotFound`, `AWSServiceError` (InvalidParameterException and others).
    public func createAccessEntry(_ entry: AccessEntry, cluster: String, as credentials: AWSCredentials) throws
        -> CreateOutcome
    {
        struct Request: Encodable {
            var principalArn: String
            var kubernetesGroups: [String]?
            var username: String?
            var type: String
            var tags: [String: String]?
        }
        let request = Request(
            principalArn: entry.principalArn,
            kubernetesGroups: entry.kubernetesGroups.isEmpty ? nil : entry.kubernetesGroups,
            username: entry.username, type: entry.type, tags: entry.tags.isEmpty ? nil : entry.tags)
        let response = try send(
            "POST", Self.accessEntriesPath(cluster), body: JSONOutput.compact(request),
            operation: "CreateAccessEntry", as: credentials)
        if response.status == 200 || response.status == 201 { return .created }
        let failure = Self.failure(of: response, operation: "CreateAccessEntry")
        guard failure.code.hasSuffix("ResourceInUseException") else {
            if failure.code.hasSuffix("ResourceNotFoundException") {
                throw EKSError.clusterNotFound(name: cluster, region: endpoint.signingRegion)
            }
            if failure.code.hasSuffix("InvalidRequestException"), failure.message.contains("authentication mode") {
                throw EKSError.accessEntriesDisabled(cluster: cluster)
            }
            throw AWSServiceError.service(failure)
        }
        guard
            var existing = try describeAccessEntry(cluster: cluster, principalARN: entry.principalArn, as: credentials)
        else {
            throw AWSServiceError.service(failure)
        }
        existing.associatedAccessPolicies = try listAssociatedAccessPolicies(
            cluster: cluster, principalARN: entry.principalArn, as: credentials)
        return .exists(existing)
    }

    /// AssociateAccessPolicy: applies `policy` to `principalARN`'s entry (idempotent at EKS: the same
    /// policy again replaces its scope).
    /// - Throws: `EKSError.clusterNotFound`, `AWSServiceError`.
    public func associateAccessPolicy(
        _ policy: AssociatedAccessPolicy, cluster: String, principalARN: String, as credentials: AWSCredentials
    ) throws {
        let response = try send(
            "POST", Self.accessEntriesPath(cluster, principal: principalARN) + "/access-policies",
            body: JSONOutput.compact(policy), operation: "AssociateAccessPolicy", as: credentials)
        struct Ignored: Decodable {}
        _ = try decode(Ignored.self, response, operation: "AssociateAccessPolicy", cluster: cluster)
    }
}
