import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension DoctorService {
    func checkCluster(_ request: DoctorRequest, _ state: inout State) -> DoctorFinding {
        guard let name = request.clusterName else { return .skipped(.cluster, state.clusterBlocked) }
        guard let credentials = state.final, let settings = state.settings else {
            state.clusterBlocked = "needs working credentials (credentials or role failed)"
            return .skipped(.cluster, state.clusterBlocked)
        }
        state.clusterBlocked = "needs the cluster (cluster failed)"
        do {
            let clusterID = try TokenService.validatedClusterID(name)
            let eks = try STSEndpointResolver(
                environment: system.environment, profile: settings.profile, config: settings.config
            ).resolveEKS(region: settings.region)
            let retry = try system.retryPolicy()
            let cluster = try EKSClient(
                endpoint: eks, http: system.http(), clock: system.clock, timeout: retry.attemptTimeout, retry: retry,
                tracer: system.tracer
            ).describeCluster(clusterID, as: credentials.credentials)
            let details = [
                "arn: \(cluster.arn)", "endpoint: \(cluster.endpoint)", "EKS endpoint: \(eks.endpoint) (\(eks.source))",
            ]
            guard cluster.status == "ACTIVE" || cluster.status == "UPDATING" else {
                return DoctorFinding(
                    .cluster, .failure, "\(cluster.name) is \(cluster.status), not ACTIVE", details: details,
                    fix: "wait until 'aws eks describe-cluster --name \(cluster.name) --query cluster.status' "
                        + "says ACTIVE", kind: .configuration)
            }
            state.cluster = cluster
            return .ok(.cluster, "\(cluster.name) is \(cluster.status) in \(settings.region)", details: details)
        } catch {
            return .failure(
                .cluster, error, details: ["region: \(settings.region)"],
                fix: "check the name and region with 'aws eks list-clusters --region \(settings.region)'")
        }
    }

    func checkEndpoint(_ state: inout State) -> DoctorFinding {
        guard let cluster = state.cluster else { return .skipped(.endpoint, state.clusterBlocked) }
        state.clusterBlocked = "needs the cluster endpoint (endpoint failed)"
        let details = ["endpoint: \(cluster.endpoint)"]
        guard
            let pem = Data(base64Encoded: cluster.certificateAuthorityData, options: .ignoreUnknownCharacters)
                .map(Array.init),
            String(decoding: pem, as: UTF8.self).contains("-----BEGIN CERTIFICATE-----")
        else {
            return DoctorFinding(
                .endpoint, .failure, "the cluster's certificateAuthority.data is not a base64 PEM certificate",
                details: details, fix: "compare with 'aws eks describe-cluster --name \(cluster.name)'",
                kind: .badInput)
        }
        guard cluster.endpoint.hasPrefix("https://") else {
            return DoctorFinding(
                .endpoint, .failure, "the cluster endpoint '\(cluster.endpoint)' is not an https:// URL",
                details: details, fix: "compare with 'aws eks describe-cluster --name \(cluster.name)'",
                kind: .badInput)
        }
        let api = ClusterAPI(
            endpoint: cluster.endpoint, certificateAuthority: pem, http: system.http(), timeout: timeout)
        let response: HTTPResponse
        do {
            // /version is open to anyone (system:public-info-viewer), so this proves TLS and the route alone.
            response = try api.send("GET", "/version")
        } catch let error as HTTPTransportError {
            let reason = error.reason(timeout: timeout)
            if reason.contains(HTTPTransportError.untrustedCertificate) {
                return DoctorFinding(
                    .endpoint, .failure,
                    "\(cluster.endpoint) presents a certificate the cluster's CA did not issue", details: details,
                    fix: "something between you and the cluster answers in its name: a TLS-inspecting proxy "
                        + "(exempt the host with NO_PROXY) or a wrong DNS entry for the endpoint",
                    kind: .configuration)
            }
            return DoctorFinding(
                .endpoint, .failure, "\(cluster.endpoint) did not answer: \(reason)", details: details,
                fix: "a private endpoint is reached only from its VPC (VPN, bastion); check the network path and "
                    + "HTTPS_PROXY/NO_PROXY", kind: .unavailable)
        } catch {
            return .failure(.endpoint, error, details: details)
        }
        state.api = api
        if let credentials = state.final?.credentials, let settings = state.settings {
            let token = EKSToken.make(
                credentials: credentials, endpoint: settings.stsEndpoint, clusterID: cluster.outpostsID ?? cluster.name,
                at: system.clock.now())
            state.token = token.value
        }
        var lines = details
        struct Version: Decodable { var gitVersion: String? }
        if response.status == 200,
            let version = (try? JSONDecoder().decode(Version.self, from: Data(response.body)))?.gitVersion
        {
            lines.append("Kubernetes \(TerminalText.excerpt(version, limit: 40))")
        }
        return .ok(
            .endpoint, "answers over TLS with a certificate of the cluster's CA (HTTP \(response.status) for /version)",
            details: lines)
    }

    func checkMapping(_ request: DoctorRequest, _ state: inout State) -> DoctorFinding {
        guard let arn = state.finalARN else {
            return .skipped(.mapping, "needs the identity (credentials or role failed)")
        }
        let text: AWSAuthText
        if let given = request.awsAuth {
            text = given
        } else {
            guard let api = state.api, let token = state.token else {
                return .skipped(.mapping, state.clusterBlocked + "; or give --aws-auth FILE to check offline")
            }
            let offline =
                "give the ConfigMap with --aws-auth FILE "
                + "(kubectl get configmap aws-auth -n kube-system -o yaml, as someone allowed to read it)"
            let response: HTTPResponse
            do {
                response = try api.send("GET", ClusterAPI.awsAuthPath, token: token)
            } catch {
                let reason = (error as? HTTPTransportError)?.reason(timeout: timeout) ?? "\(type(of: error))"
                return DoctorFinding(
                    .mapping, .warning, "kube-system/aws-auth could not be read: \(reason)", fix: offline)
            }
            switch response.status {
            case 200:
                text = AWSAuthText(text: response.text, source: "configmap kube-system/aws-auth")
            case 401:
                return .skipped(
                    .mapping, "the cluster refused the token, so aws-auth cannot be read (see identity); " + offline)
            case 403:
                return DoctorFinding(
                    .mapping, .warning, "not allowed to read kube-system/aws-auth (HTTP 403)", fix: offline)
            case 404:
                state.unmapped = true
                return DoctorFinding(
                    .mapping, .warning, "the cluster has no aws-auth ConfigMap (HTTP 404)",
                    fix: "access must then come from an EKS access entry. "
                        + AWSAuthExplainer.accessEntriesNote(cluster: request.clusterName))
            default:
                return DoctorFinding(
                    .mapping, .warning, "kube-system/aws-auth could not be read (HTTP \(response.status))", fix: offline
                )
            }
        }
        do {
            let config = try AWSAuthConfig.parse(text.text, source: text.source)
            let explanation = try AWSAuthExplainer.explain(
                arn: arn, accessKeyID: state.final?.credentials.accessKeyID, in: config)
            var details = ["aws-auth: \(text.source)", "identity: \(arn)"]
            details += config.problems.map { "aws-auth: \($0)" }
            guard explanation.isMapped else {
                state.unmapped = true
                details += explanation.candidates.map { "near miss: \($0)" }
                return DoctorFinding(
                    .mapping, .failure, "no aws-auth entry maps \(explanation.canonicalARN)", details: details,
                    fix:
                        "add \(explanation.canonicalARN) to \(explanation.canonicalARN.contains(":role/") ? "mapRoles" : "mapUsers") "
                        + "with a username and groups, or create an access entry: 'aws eks create-access-entry "
                        + "--cluster-name \(request.clusterName ?? "CLUSTER") --principal-arn \(explanation.canonicalARN)'",
                    kind: .denied)
            }
            details += explanation.notes.map { "note: \($0)" }
            let groups =
                explanation.groups.isEmpty ? "no groups" : "groups \(explanation.groups.joined(separator: ", "))"
            let place = explanation.entry?.location ?? "mapAccounts"
            return .ok(
                .mapping,
                "\(explanation.canonicalARN) is user \(explanation.username ?? "?") with \(groups) (\(place))",
                details: details)
        } catch {
            return .failure(.mapping, error, details: ["aws-auth: \(text.source)"])
        }
    }

    func checkIdentity(_ request: DoctorRequest, _ state: inout State) -> DoctorFinding {
        guard let api = state.api, let token = state.token, let cluster = state.cluster else {
            return .skipped(.identity, state.clusterBlocked)
        }
        let response: HTTPResponse
        do {
            response = try api.selfSubjectReview(token: token)
        } catch {
            let reason = (error as? HTTPTransportError)?.reason(timeout: timeout) ?? "\(type(of: error))"
            return DoctorFinding(
                .identity, .failure, "SelfSubjectReview to \(cluster.endpoint) failed: \(reason)",
                fix: "check the network path to the endpoint", kind: .unavailable)
        }
        let region = state.settings?.region ?? "?"
        switch response.status {
        case 200, 201:
            guard let user = ClusterUserInfo.parse(response.body) else {
                return DoctorFinding(
                    .identity, .warning, "the cluster accepted the token but its SelfSubjectReview has no userInfo",
                    fix: "compare with 'kubectl auth whoami'")
            }
            let groups = user.groups.isEmpty ? "no groups" : "groups \(user.groups.joined(separator: ", "))"
            var details: [String] = []
            if let uid = user.uid { details.append("uid: \(uid)") }
            details += user.extraLines
            return .ok(.identity, "the cluster knows you as \(user.username) with \(groups)", details: details)
        case 401:
            return DoctorFinding(
                .identity, .failure, "the cluster refused the token (HTTP 401 Unauthorized)",
                details: ["cluster: \(cluster.name) (region \(region))", "identity: \(state.finalARN ?? "?")"],
                fix: "the identity must be mapped (aws-auth or an EKS access entry; see mapping), and the token "
                    + "made for this cluster's name and region: check --cluster-name and --region",
                kind: .denied)
        case 403, 404:
            return DoctorFinding(
                .identity, .warning, "the cluster does not serve SelfSubjectReview (HTTP \(response.status))",
                fix: "Kubernetes before 1.27 has no SelfSubjectReview; 'kubectl get --raw /api' shows whether the "
                    + "token works")
        default:
            return DoctorFinding(
                .identity, .failure, "SelfSubjectReview failed (HTTP \(response.status))",
                fix: "retry; compare with 'kubectl auth whoami'", kind: .unavailable)
        }
    }
}
