import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

/// The Kubernetes permissions the IAM group gets.
public enum ClusterRole: String, Sendable, CaseIterable {
    case view, edit, admin
    case clusterAdmin = "cluster-admin"

    /// The EKS access policy with the same reach, for the access-entry route.
    public var accessPolicyName: String {
        switch self {
        case .view: return "AmazonEKSViewPolicy"
        case .edit: return "AmazonEKSEditPolicy"
        case .admin: return "AmazonEKSAdminPolicy"
        case .clusterAdmin: return "AmazonEKSClusterAdminPolicy"
        }
    }
}

/// What `eks-auth setup` was asked for.
public struct SetupRequest: Sendable, Equatable {
    /// The 12-digit account id.
    public var account: String
    /// The cluster name.
    public var clusterName: String
    /// The cluster's region.
    public var region: String
    /// The IAM group whose members get access.
    public var group: String
    /// The role name; default `<prefix>.eks-access.role`, the prefix being the group name's first part.
    public var roleName: String?
    /// The Kubernetes role bound to the group.
    public var clusterRole: ClusterRole
    /// Bind in this namespace only (RoleBinding) instead of cluster-wide.
    public var namespace: String?
    /// Grant `eks:*` instead of describing the one cluster.
    public var fullEKSAccess: Bool

    /// A request from parts.
    public init(
        account: String, clusterName: String, region: String, group: String, roleName: String? = nil,
        clusterRole: ClusterRole = .view, namespace: String? = nil, fullEKSAccess: Bool = false
    ) {
        self.account = account
        self.clusterName = clusterName
        self.region = region
        self.group = group
        self.roleName = roleName
        self.clusterRole = clusterRole
        self.namespace = namespace
        self.fullEKSAccess = fullEKSAccess
    }
}

/// A field of the setup request. The executable spells each as its flag (`--account`, …); the core
/// names the field only.
public enum SetupField: Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// The 12-digit AWS account id.
    case account
    /// The IAM group whose members get access.
    case group
    /// The role to create.
    case roleName
    /// The namespace of the RBAC binding.
    case namespace
    /// Create the EKS access entry too.
    case accessEntry
    /// Create the IAM resources.
    case apply

    /// The field in words, for the core's own messages.
    public var description: String {
        switch self {
        case .account: return "account"
        case .group: return "group"
        case .roleName: return "role name"
        case .namespace: return "namespace"
        case .accessEntry: return "access entry"
        case .apply: return "apply"
        }
    }
}

/// Problems with the setup request.
public enum SetupError: EKSAuthError, Equatable {
    /// A value IAM or Kubernetes would refuse.
    case invalid(SetupField, expected: String)
    /// The first field needs the second as well.
    case requires(SetupField, SetupField)
    /// An IAM resource exists and differs from the one planned; it was left alone.
    case conflicts([String])
    /// The cluster's access entry for the role maps it to other Kubernetes groups; it was left alone.
    case accessEntryDiffers(cluster: String, principalARN: String, groups: [String], planned: String)

    /// The message with each field worded by `name`: the executable passes its flag spellings.
    public func message(naming name: (SetupField) -> String) -> String {
        switch self {
        case .invalid(let field, let expected): return "invalid \(name(field)): expected \(expected)"
        case .requires(let field, let other): return "invalid \(name(field)): expected \(name(other)) as well"
        case .conflicts(let items):
            return "existing IAM resources differ from the plan and were not changed: \(items.joined(separator: "; "))"
        case .accessEntryDiffers(let cluster, let principal, let groups, let planned):
            let current = groups.isEmpty ? "no Kubernetes groups" : "groups \(groups.joined(separator: ", "))"
            return "the access entry of \(principal) on cluster \(cluster) maps it to \(current), not \(planned); "
                + "it was not changed"
        }
    }

    /// The message with the fields in words.
    public var message: String { message(naming: \.description) }

    /// What to do about resources that differ from the plan; nil otherwise.
    public var hint: String? {
        switch self {
        case .conflicts: return "compare them with the files written, then update or rename them by hand"
        case .accessEntryDiffers(let cluster, let principal, _, let planned):
            return "to use the plan's group: aws eks update-access-entry --cluster-name \(cluster) --principal-arn "
                + "\(principal) --kubernetes-groups \(planned); or bind RBAC to the groups it has"
        default: return nil
        }
    }

    /// Usage (64) for refused values; configuration (78) for resources left alone.
    public var kind: FailureKind {
        switch self {
        case .invalid, .requires: return .usage
        case .conflicts, .accessEntryDiffers: return .configuration
        }
    }
}

/// The IAM-group access setup: names, policy documents and the files that describe every step.
public struct SetupPlan: Sendable, Equatable {
    /// The request.
    public var request: SetupRequest
    /// The AWS partition of the region.
    public var partition: String
    /// The role to create.
    public var roleName: String
    /// The managed policy attached to the role (what the role may do in EKS).
    public var rolePolicyName: String
    /// The managed policy attached to the group (who may assume the role).
    public var groupPolicyName: String
    /// The Kubernetes group the role maps to.
    public var kubernetesGroup: String

    /// The role's ARN.
    public var roleARN: String { "arn:\(partition):iam::\(request.account):role/\(roleName)" }
    /// The cluster's ARN.
    public var clusterARN: String {
        "arn:\(partition):eks:\(request.region):\(request.account):cluster/\(request.clusterName)"
    }
    /// The ARN of a customer-managed policy named `name`.
    public func policyARN(_ name: String) -> String { "arn:\(partition):iam::\(request.account):policy/\(name)" }

    /// Plans `request`.
    /// - Throws: `SetupError.invalid` for values IAM or Kubernetes would refuse, `ConfigError.invalidRegion`.
    public init(_ request: SetupRequest) throws {
        guard request.account.count == 12, request.account.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw SetupError.invalid(.account, expected: "a 12-digit account id")
        }
        let iamName: (String) -> Bool = { name in
            (1...64).contains(name.count)
                && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "+=,.@_-".contains($0)) }
        }
        guard iamName(request.group) else {
            throw SetupError.invalid(.group, expected: "an IAM group name (letters, digits and +=,.@_-)")
        }
        let prefix = request.group.split(separator: ".").first.map(String.init) ?? request.group
        let roleName = request.roleName ?? "\(prefix).eks-access.role"
        guard iamName(roleName) else {
            throw SetupError.invalid(.roleName, expected: "an IAM role name (letters, digits and +=,.@_-)")
        }
        if let namespace = request.namespace, !Self.isNamespace(namespace) {
            throw SetupError.invalid(.namespace, expected: "a Kubernetes namespace name")
        }
        guard Region.isValid(request.region) else {
            throw ConfigError.invalidRegion(request.region, source: .flag(.region))
        }
        self.request = request
        self.partition = Partition.of(region: request.region).id
        self.roleName = roleName
        let rolePrefix = roleName.hasSuffix(".role") ? String(roleName.dropLast(5)) : roleName
        self.rolePolicyName = "\(rolePrefix).policy"
        self.groupPolicyName = "\(prefix).assume-eks-access-role.policy"
        self.kubernetesGroup = "eks-auth:\(request.group)"
    }

    /// Whether `name` is a Kubernetes namespace name: an RFC 1123 label, lower-case letters, digits and
    /// inner hyphens, 1 to 63 of them.
    static func isNamespace(_ name: String) -> Bool {
        (1...63).contains(name.count) && !name.hasPrefix("-") && !name.hasSuffix("-")
            && name.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") })
    }

    // MARK: Documents

    /// The role's trust policy: the account may assume it; IAM policies decide which principals do.
    public var trustPolicy: String {
        """
        {
          "Version": "2012-10-17",
          "Statement": [
            {
              "Effect": "Allow",
              "Principal": { "AWS": "arn:\(partition):iam::\(request.account):root" },
              "Action": "sts:AssumeRole"
            }
          ]
        }
        """
    }

    /// What the role may do in EKS: describe the one cluster (enough for kubeconfig), or `eks:*`.
    public var rolePolicy: String {
        let (action, resource) =
            request.fullEKSAccess ? ("\"eks:*\"", "\"*\"") : ("[\"eks:DescribeCluster\"]", "\"\(clusterARN)\"")
        return """
            {
              "Version": "2012-10-17",
              "Statement": [
                {
                  "Effect": "Allow",
                  "Action": \(action),
                  "Resource": \(resource)
                }
              ]
            }
            """
    }

    /// The group's policy: its members may assume the role.
    public var groupPolicy: String {
        """
        {
          "Version": "2012-10-17",
          "Statement": [
            {
              "Effect": "Allow",
              "Action": "sts:AssumeRole",
              "Resource": "\(roleARN)"
            }
          ]
        }
        """
    }

    /// Warnings about the reach of what is granted.
    public var warnings: [String] {
        var list: [String] = []
        if request.clusterRole == .clusterAdmin {
            list.append(
                "cluster-admin gives every member of \(request.group) full control of the cluster; prefer edit or "
                    + "view, and never map the role to system:masters")
        }
        if request.fullEKSAccess {
            list.append("eks:* on * lets the role change or delete every cluster in the account")
        }
        return list
    }

    /// The files `setup` writes, in the order they are applied.
    public var files: [(name: String, content: String)] {
        let cluster = request.clusterName
        let region = request.region
        let binding = Self.rbacBinding(
            name: roleName, group: kubernetesGroup, clusterRole: request.clusterRole, namespace: request.namespace)
        let scope =
            request.namespace.map { "type=namespace,namespaces=\($0)" } ?? "type=cluster"
        return [
            ("role-trust-policy.json", trustPolicy + "\n"),
            ("role-eks-policy.json", rolePolicy + "\n"),
            ("group-assume-role-policy.json", groupPolicy + "\n"),
            (
                "iam.sh",
                """
                #!/bin/sh
                # IAM: the role, its EKS policy, and the group policy that lets members assume it.
                # `eks-auth setup --apply` does the same, idempotently.
                set -e
                aws iam create-role --role-name '\(roleName)' --assume-role-policy-document file://role-trust-policy.json
                aws iam create-policy --policy-name '\(rolePolicyName)' --policy-document file://role-eks-policy.json
                aws iam attach-role-policy --role-name '\(roleName)' --policy-arn '\(policyARN(rolePolicyName))'
                aws iam create-policy --policy-name '\(groupPolicyName)' --policy-document file://group-assume-role-policy.json
                aws iam get-group --group-name '\(request.group)' >/dev/null 2>&1 || aws iam create-group --group-name '\(request.group)'
                aws iam attach-group-policy --group-name '\(request.group)' --policy-arn '\(policyARN(groupPolicyName))'

                """
            ),
            (
                "aws-auth-mapRoles.yaml",
                """
                # Add under data.mapRoles of the aws-auth ConfigMap (kubectl edit configmap aws-auth -n kube-system).
                # The role ARN is written without any IAM path: session ARNs carry none.
                - rolearn: \(roleARN)
                  username: \(roleName):{{SessionName}}
                  groups:
                    - \(kubernetesGroup)

                """
            ),
            (
                "eksctl.sh",
                """
                #!/bin/sh
                # The same aws-auth mapping with eksctl.
                eksctl create iamidentitymapping --cluster '\(cluster)' --region '\(region)' \\
                  --arn '\(roleARN)' --username '\(roleName):{{SessionName}}' --group '\(kubernetesGroup)'

                """
            ),
            (
                "access-entry.sh",
                """
                #!/bin/sh
                # The alternative to aws-auth for clusters in API or API_AND_CONFIG_MAP mode: an access entry.
                # Either map the role to the Kubernetes group (and apply rbac.yaml) ...
                aws eks create-access-entry --region '\(region)' --cluster-name '\(cluster)' \\
                  --principal-arn '\(roleARN)' --kubernetes-groups '\(kubernetesGroup)' --type STANDARD
                # ... or grant an EKS access policy directly instead of RBAC:
                # aws eks associate-access-policy --region '\(region)' --cluster-name '\(cluster)' \\
                #   --principal-arn '\(roleARN)' \\
                #   --policy-arn 'arn:\(partition):eks::aws:cluster-access-policy/\(request.clusterRole.accessPolicyName)' \\
                #   --access-scope \(scope)

                """
            ),
            ("rbac.yaml", binding),
            (
                "kubeconfig.sh",
                """
                #!/bin/sh
                # Each member of \(request.group) runs this once; kubectl then assumes the role on every call.
                eks-auth kubeconfig --cluster-name '\(cluster)' --region '\(region)' --role-arn '\(roleARN)'

                """
            ),
            ("README.md", readme),
        ]
    }

    var readme: String {
        let warningText = warnings.isEmpty ? "" : "\n**Warnings:**\n" + warnings.map { "- \($0)\n" }.joined()
        return """
            # IAM group `\(request.group)` → cluster `\(request.clusterName)`

            Members of the IAM group `\(request.group)` reach the cluster through one IAM role, `\(roleName)`,
            which eks-auth assumes on the fly for Kubernetes calls only. Apply in this order:

            1. IAM (`iam.sh`, or `eks-auth setup --apply`): the role with `role-trust-policy.json`, its policy
               `\(rolePolicyName)` (`role-eks-policy.json`), and the group policy `\(groupPolicyName)`
               (`group-assume-role-policy.json`) attached to `\(request.group)`.
            2. Map the role to the Kubernetes group `\(kubernetesGroup)`, one of:
               - aws-auth: add `aws-auth-mapRoles.yaml` to the ConfigMap, or run `eksctl.sh`;
               - access entries (authentication mode API or API_AND_CONFIG_MAP): run `access-entry.sh`.
            3. RBAC: `kubectl apply -f rbac.yaml` binds `\(kubernetesGroup)` to the ClusterRole
               `\(request.clusterRole.rawValue)`\(request.namespace.map { " in namespace `\($0)`" } ?? " cluster-wide").
            4. Each member: `sh kubeconfig.sh`, then `kubectl get pods`.
            \(warningText)
            Check an identity's mapping with `eks-auth explain --aws-auth aws-auth.yaml --arn ARN`.

            """
    }
}

extension SetupPlan {
    /// `rbac.yaml`: a ClusterRoleBinding (a RoleBinding in `namespace`) named `name` that binds the Kubernetes
    /// group `group` to the ClusterRole `clusterRole`. Names are quoted: a valid name such as "true" or
    /// "1e3" must stay a string in YAML.
    static func rbacBinding(name: String, group: String, clusterRole: ClusterRole, namespace: String?) -> String {
        let namespaceLine = namespace.map { "\n  namespace: \(JSONText.quote($0))" } ?? ""
        return """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: \(namespace == nil ? "ClusterRoleBinding" : "RoleBinding")
            metadata:
              name: \(JSONText.quote(name))\(namespaceLine)
            subjects:
              - kind: Group
                name: \(JSONText.quote(group))
                apiGroup: rbac.authorization.k8s.io
            roleRef:
              kind: ClusterRole
              name: \(clusterRole.rawValue)
              apiGroup: rbac.authorization.k8s.io

            """
    }
}
