import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthCore
import EKSAuthSystem
import EKSAuthTestSupport

extension FuzzInput {
    static let credentials = Fixtures.credentials
    static let roleARN = "arn:aws:iam::123456789012:role/dev.eks-access.role"

    static func endpoint(_ host: String, region: String = "eu-west-1") -> ServiceEndpoint {
        ServiceEndpoint(endpoint: Endpoint(host: host), signingRegion: region, source: "fuzz")
    }

    /// A token for the verifier to replay; its STS answer is what is fuzzed.
    static let verifiableToken =
        EKSToken.prefix
        + Base64URL.encode(
            Array(
                "https://sts.eu-west-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20240102%2Feu-west-1%2Fsts%2Faws4_request&X-Amz-Date=20240102T030405Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&X-Amz-Signature=0000000000000000000000000000000000000000000000000000000000000000"
                    .utf8))

    /// `fuzz-sts`: the bytes as STS Query replies (XML, NUL-separated, each led by a status byte) to
    /// AssumeRole, AssumeRoleWithWebIdentity and GetCallerIdentity, and as the answer the token
    /// verifier reads (JSON or XML); the XML reader also runs on the text directly.
    public static func sts(_ bytes: [UInt8]) {
        let replies = replies(bytes)
        let client = STSClient(
            endpoint: endpoint("sts.eu-west-1.amazonaws.com"), http: network(replies), clock: .fixed(now), retry: retry)
        _ = try? client.assumeRole(
            AssumeRoleParameters(roleARN: roleARN, sessionName: "alice", externalID: "x", durationSeconds: 900),
            as: credentials)
        let unsigned = STSClient(
            endpoint: endpoint("sts.eu-west-1.amazonaws.com"), http: network(replies), clock: .fixed(now), retry: retry)
        _ = try? unsigned.assumeRoleWithWebIdentity(roleARN: roleARN, sessionName: "pod", webIdentityToken: "jwt")
        _ = try? client.withSingleAttempt().callerIdentity(as: credentials)
        for reply in replies.prefix(2) {
            let verifier = TokenVerifier(http: network(status: reply.status, body: reply.body))
            _ = try? verifier.verify(verifiableToken, clusterID: "dev.my-eks-cluster")
            let xml = XMLText(reply.text)
            for path in [["Error", "Code"], ["Credentials", "Expiration"], ["GetCallerIdentityResult", "Arn"]] {
                _ = xml.value(at: path[0], path[1])
            }
        }
    }

    /// `fuzz-iam`: the bytes as IAM Query replies (NUL-separated, each led by a status byte) to the
    /// get-then-create calls of `eks-auth setup --apply`.
    public static func iam(_ bytes: [UInt8]) {
        guard
            let plan = try? SetupPlan(
                SetupRequest(
                    account: "123456789012", clusterName: "dev.my-eks-cluster", region: "eu-west-1",
                    group: "dev.rnd.group"))
        else { return }
        let iam = QueryProtocolClient(
            service: "iam", apiVersion: SetupApplier.apiVersion,
            endpoint: endpoint("iam.amazonaws.com", region: "us-east-1"), http: network(replies(bytes)),
            clock: .fixed(now), retry: retry)
        _ = try? SetupApplier(iam: iam, credentials: credentials).apply(plan)
    }

    /// `fuzz-eks`: the bytes as EKS REST-JSON replies (NUL-separated, each led by a status byte) to
    /// DescribeCluster and CreateAccessEntry; a described cluster is then written into a kubeconfig,
    /// which must be one eks-auth can merge into again.
    public static func eks(_ bytes: [UInt8]) {
        let client = EKSClient(
            endpoint: endpoint("eks.eu-west-1.amazonaws.com"), http: network(replies(bytes)), clock: .fixed(now),
            timeout: 10, retry: retry)
        _ = try? client.createAccessEntry(
            cluster: "dev.my-eks-cluster", principalARN: roleARN, groups: ["eks-auth:dev.rnd.group"], as: credentials)
        // The access-entry reads, each reply also taken as a saved access entries document.
        if let entries = try? client.accessEntries(cluster: "dev.my-eks-cluster", as: credentials) {
            expect(entries.count <= EKSClient.maxAccessEntries, "the entries read are bounded")
        }
        for reply in replies(bytes) {
            let text = String(decoding: reply.body, as: UTF8.self)
            guard let entries = try? AccessEntriesDocument.parse(text, source: "fuzz/entries.json") else { continue }
            let access = ClusterAccess(mode: .api, modeSource: "fuzz", accessEntries: entries)
            _ =
                (try? AccessExplainer.explain(
                    arn: "arn:aws:sts::123456789012:assumed-role/dev.eks-access.role/a", in: access))?.text()
        }
        guard let cluster = try? client.describeCluster("dev.my-eks-cluster", as: credentials) else { return }
        let names = KubeconfigNames(cluster: cluster.arn, user: cluster.arn, context: cluster.name)
        let exec = ExecPlugin(command: "eks-auth", args: ["token", "--cluster-name", cluster.name], installHint: "")
        let written = try? KubeconfigWriter.merge(
            existing: nil, path: "fuzz/config", cluster: cluster, names: names, exec: exec)
        expect(written != nil, "a described cluster can be written into a new kubeconfig")
        let again = try? KubeconfigWriter.merge(
            existing: written, path: "fuzz/config", cluster: cluster, names: names, exec: exec)
        expect(again != nil, "a kubeconfig eks-auth wrote can be merged into again")
    }
}
