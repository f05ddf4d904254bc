import AWSSigning
import AWSTransport

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension EKSClient {
    /// The most pages `listClusters` reads (100 names each): 10,000 clusters in one region, far past
    /// EKS's default quota of 100, so a server that keeps answering with a next token cannot loop us.
    public static let maxClusterPages = 100

    /// ListClusters, every page: `GET /clusters?maxResults=100[&nextToken=T]`, the names in the order
    /// EKS gives them (https://docs.aws.amazon.com/eks/latest/APIReference/API_ListClusters.html).
    /// - Throws: `AWSServiceError` (the service's failure, a malformed answer, or unreachable).
    public func listClusters(as credentials: AWSCredentials) throws -> [String] {
        struct Page: Decodable {
            var clusters: [String]?
            var nextToken: String?
        }
        var names: [String] = []
        var token: String?
        for _ in 0..<Self.maxClusterPages {
            var query: [(name: String, value: String)] = [("maxResults", "100")]
            if let token { query.append(("nextToken", token)) }
            let response = try send(
                "GET", "/clusters", query: query, body: nil, operation: "ListClusters", as: credentials)
            guard response.status == 200 else {
                throw AWSServiceError.service(Self.failure(of: response, operation: "ListClusters"))
            }
            guard let page = try? JSONDecoder().decode(Page.self, from: Data(response.body)) else {
                throw AWSServiceError.malformedResponse(
                    service: "eks", operation: "ListClusters", endpoint: "\(endpoint.endpoint)", status: 200)
            }
            names += page.clusters ?? []
            guard let next = page.nextToken, !next.isEmpty else { return names }
            token = next
        }
        return names
    }
}
