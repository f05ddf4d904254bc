import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthCore
import EKSAuthSystem

extension FuzzInput {
    /// `fuzz-aws-auth`: the text as an aws-auth ConfigMap (or its mapRoles/mapUsers YAML), then explained
    /// for an assumed-role session, an IAM user and an Identity Center session.
    public static func awsAuth(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let config = try? AWSAuthConfig.parse(text, source: "fuzz/aws-auth.yaml") else { return }
        for arn in [
            "arn:aws:sts::123456789012:assumed-role/dev.eks-access.role/alice",
            "arn:aws:iam::123456789012:user/alice",
            "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/alice",
        ] {
            guard let explanation = try? AWSAuthExplainer.explain(arn: arn, accessKeyID: "ASIAEXAMPLE", in: config)
            else { continue }
            _ = explanation.text(cluster: "dev.my-eks-cluster")
            _ = explanation.json()
            for mode in AuthenticationMode.allCases {
                let access = ClusterAccess(mode: mode, modeSource: "fuzz", awsAuth: config, accessEntries: [])
                guard let both = try? AccessExplainer.explain(arn: arn, in: access) else { continue }
                expect(
                    both.isMapped == (mode.readsConfigMap && explanation.isMapped),
                    "with no access entries, aws-auth decides exactly when the mode reads it")
                _ = both.text()
                _ = both.json()
            }
        }
        // The migration plan: one step per mapping and account, every step's text printable.
        let steps = MigrationPlanner.plan(config, existing: [], cluster: "dev.my-eks-cluster")
        expect(steps.count == config.entries.count + config.accounts.count, "one migration step per mapping")
        let report = MigrationReport(
            cluster: "dev.my-eks-cluster", mode: .apiAndConfigMap, steps: steps, applied: [], failed: [],
            next: MigrationService.nextSteps(
                MigrationReport(
                    cluster: "dev.my-eks-cluster", mode: .apiAndConfigMap, steps: steps, applied: [], failed: [],
                    next: []), applied: false))
        _ = report.text()
        _ = report.json()
    }

    /// `fuzz-kubeconfig`: the text as an existing kubeconfig that `eks-auth kubeconfig` merges its entries
    /// into. What it writes must be a kubeconfig it can merge into again.
    public static func kubeconfig(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        let cluster = ClusterInfo(
            name: "dev.my-eks-cluster", arn: "arn:aws:eks:eu-west-1:123456789012:cluster/dev.my-eks-cluster",
            endpoint: "https://EXAMPLE.gr7.eu-west-1.eks.amazonaws.com", certificateAuthorityData: "LS0tLS1CRUdJTg==",
            status: "ACTIVE")
        let names = KubeconfigNames(cluster: cluster.arn, user: cluster.arn, context: cluster.arn)
        let exec = ExecPlugin(
            command: "eks-auth", args: ["token", "--cluster-name", cluster.name, "--region", "eu-west-1"],
            installHint: "eks-auth is needed to log in to this cluster")
        guard
            let merged = try? KubeconfigWriter.merge(
                existing: text, path: "fuzz/config", cluster: cluster, names: names, exec: exec)
        else { return }
        let again = try? KubeconfigWriter.merge(
            existing: merged, path: "fuzz/config", cluster: cluster, names: names, exec: exec)
        expect(again != nil, "a kubeconfig eks-auth wrote can be merged into again")
    }
}
