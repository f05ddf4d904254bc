import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

/// What `eks-auth setup --permission-set` was asked for.
public struct PermissionSetRequest: Sendable, Equatable {
    /// The 12-digit account id the cluster (and the permission set's role) is in.
    public var account: String
    /// The cluster name.
    public var clusterName: String
    /// The cluster's region.
    public var region: String
    /// The IAM Identity Center permission set whose assignees get access.
    public var permissionSet: String
    /// The Kubernetes role bound to the set's group.
    public var clusterRole: ClusterRole
    /// Bind in this namespace only (RoleBinding) instead of cluster-wide.
    public var namespace: String?
    /// Choose among roles of the set under several Identity Center regions' paths (`us-east-1` is
    /// the path without a region); nil when there is one.
    public var identityCenterRegion: String?

    /// A request from parts.
    public init(
        account: String, clusterName: String, region: String, permissionSet: String,
        clusterRole: ClusterRole = .view, namespace: String? = nil, identityCenterRegion: String? = nil
    ) {
        self.account = account
        self.clusterName = clusterName
        self.region = region
        self.permissionSet = permissionSet
        self.clusterRole = clusterRole
        self.namespace = namespace
        self.identityCenterRegion = identityCenterRegion
    }

    /// Checks every value before anything is called.
    /// - Throws: `SetupError.invalid` (account, namespace), `PermissionSetError.invalidName`,
    ///   `.invalidRegion`, `ConfigError.invalidRegion`.
    public func validate() throws {
        guard account.count == 12, account.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw SetupError.invalid(.account, expected: "a 12-digit account id")
        }
        guard PermissionSetRole.isValidSetName(permissionSet) else {
            throw PermissionSetError.invalidName(permissionSet)
        }
        if let namespace, !SetupPlan.isNamespace(namespace) {
            throw SetupError.invalid(.namespace, expected: "a Kubernetes namespace name")
        }
        if let identityCenterRegion, !Region.isValid(identityCenterRegion) {
            throw PermissionSetError.invalidRegion(identityCenterRegion)
        }
        guard Region.isValid(region) else {
            throw ConfigError.invalidRegion(region, source: .flag(.region))
        }
    }
}

/// A mapping to a role the permission set no longer has: the set was provisioned again, Identity
/// Center made a role with a new hash and deleted this one. Reported with the command that removes it;
/// never removed by eks-auth.
public struct StaleMapping: Sendable, Equatable {
    /// Where the mapping is: `access entry`, or the aws-auth file and entry, e.g. `aws-auth.yaml mapRoles[1]`.
    public var place: String
    /// The principal ARN as the mapping writes it.
    public var principalARN: String
    /// The command that removes the mapping.
    public var command: String

    /// The line `setup` prints: what is stale, why, and the command.
    public func line(liveRole: String) -> String {
        let name = PermissionSetRole.mapped(principalARN)?.name ?? principalARN
        return "\(place): stale \(name) (the permission set's role is now \(liveRole)); remove it with: \(command)"
    }
}

/// Access through an IAM Identity Center permission set: its role, the mapping (aws-auth or access
/// entry), RBAC, and the files that describe every step. No IAM resource is planned: Identity Center
/// owns the role, its trust policy and who may use it.
public struct PermissionSetPlan: Sendable, Equatable {
    /// The request.
    public var request: PermissionSetRequest
    /// The set's role in the account, as IAM listed it.
    public var role: PermissionSetRole

    /// The Kubernetes group the role maps to: `eks-auth:sso:<set>`, the set spelled as its role is. IAM
    /// group names hold no `:`, so it never equals the `eks-auth:<group>` of the `--group` route.
    public var kubernetesGroup: String { "eks-auth:sso:\(role.permissionSetName)" }
    /// The Kubernetes user name, `sso:<set>:{{SessionName}}`: the same on both routes and across
    /// re-provisioning (EKS's default would carry the hash). The session name Identity Center sets is
    /// the person's user name; `{{SessionName}}` writes its `@` as `-`. EKS refuses user names starting
    /// `system:`, `eks:`, `aws:`, `amazon:` or `iam:` (EKS user guide, "Set a custom username").
    public var username: String { "sso:\(role.permissionSetName):{{SessionName}}" }
    /// The name of the RBAC binding: the Kubernetes group's (without the hash, so a re-run updates it).
    public var bindingName: String { kubernetesGroup }
    /// The access entry to create: the role's ARN as IAM returns it, path included.
    public var accessEntry: AccessEntry {
        AccessEntry(principalArn: role.arn, kubernetesGroups: [kubernetesGroup], username: username)
    }

    /// Plans access for `request` through `role`.
    /// - Throws: what `PermissionSetRequest.validate()` throws.
    public init(_ request: PermissionSetRequest, role: PermissionSetRole) throws {
        try request.validate()
        self.request = request
        self.role = role
    }

    /// Warnings about the reach of what is granted.
    public var warnings: [String] {
        guard request.clusterRole == .clusterAdmin else { return [] }
        return [
            "cluster-admin gives everyone assigned permission set \(role.permissionSetName) in account "
                + "\(request.account) full control of the cluster; prefer edit or view, and never map the role to "
                + "system:masters"
        ]
    }

    // MARK: Files

    /// The files `setup --permission-set` writes, in the order they are applied.
    public var files: [(name: String, content: String)] {
        let (cluster, region, set) = (request.clusterName, request.region, role.permissionSetName)
        let scope = request.namespace.map { "type=namespace,namespaces=\($0)" } ?? "type=cluster"
        return [
            (
                "aws-auth-mapRoles.yaml",
                """
                # Add under data.mapRoles of the aws-auth ConfigMap (kubectl edit configmap aws-auth -n kube-system),
                # or: \(awsAuthAddCommand(file: "aws-auth.yaml"))
                # The role IAM Identity Center made for permission set \(set); its ARN is written without the path
                # \(role.path): session ARNs carry none, so an ARN with it never matches.
                - rolearn: \(JSONText.quote(role.pathlessARN))
                  username: \(JSONText.quote(username))
                  groups:
                    - \(JSONText.quote(kubernetesGroup))

                """
            ),
            (
                "eksctl.sh",
                """
                #!/bin/sh
                # The same aws-auth mapping with eksctl (the role ARN without its path).
                eksctl create iamidentitymapping --cluster '\(cluster)' --region '\(region)' \\
                  --arn '\(role.pathlessARN)' --username '\(username)' --group '\(kubernetesGroup)'

                """
            ),
            (
                "access-entry.sh",
                """
                #!/bin/sh
                # For clusters in API or API_AND_CONFIG_MAP mode: an access entry for the permission set's role, with
                # its ARN as IAM returns it, path included. `eks-auth setup --permission-set \(set) --apply
                # --access-entry` does the same and reports entries left from an earlier provisioning of the set.
                # Either map the role to the Kubernetes group (and apply rbac.yaml) ...
                aws eks create-access-entry --region '\(region)' --cluster-name '\(cluster)' \\
                  --principal-arn '\(role.arn)' \\
                  --kubernetes-groups '\(kubernetesGroup)' --username '\(username)' --type STANDARD
                # ... or grant an EKS access policy directly instead of RBAC:
                # aws eks associate-access-policy --region '\(region)' --cluster-name '\(cluster)' \\
                #   --principal-arn '\(role.arn)' \\
                #   --policy-arn '\(AssociatedAccessPolicy.policyARN(request.clusterRole.accessPolicyName, partition: role.partition))' \\
                #   --access-scope \(scope)

                """
            ),
            ("access-entry.json", accessEntryJSON),
            (
                "rbac.yaml",
                SetupPlan.rbacBinding(
                    name: bindingName, group: kubernetesGroup, clusterRole: request.clusterRole,
                    namespace: request.namespace)
            ),
            (
                "kubeconfig.sh",
                """
                #!/bin/sh
                # Each person assigned permission set \(set) in account \(request.account) runs this once, with their
                # AWS CLI profile for it (aws configure sso: sso_account_id \(request.account), sso_role_name \(set)).
                # No --role-arn: the profile's credentials already are the permission set's role.
                set -e
                profile="${1:?usage: sh kubeconfig.sh PROFILE (your AWS CLI profile for \(set) in \(request.account))}"
                eks-auth kubeconfig --cluster-name '\(cluster)' --region '\(region)' --profile "$profile"

                """
            ),
            ("README.md", readme),
        ]
    }

    /// The access entry as `aws eks describe-access-entry` shows it under `accessEntry`, in a list: the
    /// shape `eks-auth explain --access-entries` reads.
    var accessEntryJSON: String {
        """
        [
          {
            "principalArn": \(JSONText.quote(role.arn)),
            "kubernetesGroups": [\(JSONText.quote(kubernetesGroup))],
            "username": \(JSONText.quote(username)),
            "type": "STANDARD"
          }
        ]

        """
    }

    var readme: String {
        let set = role.permissionSetName
        let warningText = warnings.isEmpty ? "" : "\n**Warnings:**\n" + warnings.map { "- \($0)\n" }.joined()
        return """
            # IAM Identity Center permission set `\(set)` → cluster `\(request.clusterName)`

            Everyone assigned the permission set `\(set)` in account \(request.account) reaches the cluster as the
            role IAM Identity Center made for it there, `\(role.name)` (path `\(role.path)`). Identity
            Center owns that role and decides who may use it: nothing is created in IAM. Apply in this order:

            1. Map the role to the Kubernetes group `\(kubernetesGroup)` (user name `\(username)`), one of:
               - aws-auth: add `aws-auth-mapRoles.yaml` to the ConfigMap (the ARN without its path), with
                 `eks-auth aws-auth add` (the command is in that file) or `eksctl.sh`;
               - access entries (authentication mode API or API_AND_CONFIG_MAP): `access-entry.sh`, or
                 `eks-auth setup --permission-set \(set) --apply --access-entry` (the ARN with its path, as IAM
                 returns it). `access-entry.json` is that entry for `eks-auth explain --access-entries`.
            2. RBAC: `kubectl apply -f rbac.yaml` binds `\(kubernetesGroup)` to the ClusterRole
               `\(request.clusterRole.rawValue)`\(request.namespace.map { " in namespace `\($0)`" } ?? " cluster-wide").
            3. Each person: an AWS CLI profile for the set (`aws configure sso`, role `\(set)`, account
               \(request.account)), then `sh kubeconfig.sh PROFILE`, then `kubectl get pods`.
            \(warningText)
            When the set is provisioned to the account again, Identity Center replaces the role with one with a
            new hash and the mapping above stops matching: run the same `eks-auth setup` again. It finds the new
            role, maps it, and reports the old mapping as stale with the command that removes it (pass the saved
            ConfigMap with `--aws-auth FILE` for aws-auth).

            """
    }

    // MARK: Commands

    /// `eks-auth aws-auth add` for the role's aws-auth entry in `file`.
    public func awsAuthAddCommand(file: String) -> String {
        "eks-auth aws-auth add --role-arn \(Self.shellQuoted(role.pathlessARN)) --username "
            + "\(Self.shellQuoted(username)) --group \(Self.shellQuoted(kubernetesGroup)) --file \(Self.shellQuoted(file))"
    }

    /// `text` as one word for a POSIX shell: in single quotes, each `'` written `'\''`.
    static func shellQuoted(_ text: String) -> String {
        "'" + text.split(separator: "'", omittingEmptySubsequences: false).joined(separator: #"'\''"#) + "'"
    }

    // MARK: Stale mappings

    /// Whether `arn` names a role of this permission set, in this account, that IAM no longer has:
    /// none of `live` (every role of the set IAM listed, whichever region's path) is that role.
    func isStale(_ arn: String, live: [PermissionSetRole]) -> Bool {
        guard let mapped = PermissionSetRole.mapped(arn), mapped.account == role.account,
            mapped.belongs(to: role.permissionSetName)
        else { return false }
        return !live.contains { $0.isSameRole(as: mapped) }
    }

    /// The access entries of the cluster (their principal ARNs) that map a role of the set IAM no
    /// longer has, each with its `aws eks delete-access-entry` command.
    public func staleAccessEntries(_ principals: [String], live: [PermissionSetRole]) -> [StaleMapping] {
        principals.filter { isStale($0, live: live) }.map { arn in
            StaleMapping(
                place: "access entry", principalARN: arn,
                command: "aws eks delete-access-entry --region \(Self.shellQuoted(request.region)) --cluster-name "
                    + "\(Self.shellQuoted(request.clusterName)) --principal-arn \(Self.shellQuoted(arn))")
        }
    }

    /// What the saved aws-auth ConfigMap `config` (read from `file`) says about the set: its stale
    /// mapRoles entries (with `eks-auth aws-auth remove`), entries for the live role written with its
    /// path (they never match), and whether the live role is mapped yet (else the `add` command).
    /// The file is only read.
    public func awsAuthReport(_ config: AWSAuthConfig, file: String, live: [PermissionSetRole]) -> (
        lines: [String], stale: [StaleMapping]
    ) {
        let shown = TerminalText.line(file, limit: 200)
        var lines: [String] = []
        var stale: [StaleMapping] = []
        var mapped = false
        for entry in config.entries where entry.list == "mapRoles" {
            guard let arn = entry.arn else { continue }
            let place = "\(shown) \(entry.location)"
            let remove = "eks-auth aws-auth remove --role-arn \(Self.shellQuoted(arn)) --file \(Self.shellQuoted(file))"
            if isStale(arn, live: live) {
                let mapping = StaleMapping(place: place, principalARN: arn, command: remove)
                stale.append(mapping)
                lines.append(mapping.line(liveRole: role.name))
            } else if arn.lowercased() == role.pathlessARN.lowercased() {
                mapped = true
                lines.append(
                    entry.groups.contains(kubernetesGroup)
                        ? "\(place): maps \(role.name) to \(kubernetesGroup) already"
                        : "\(place): maps \(role.name) to groups "
                            + "\(TerminalText.line(entry.groups.joined(separator: ", "), limit: 200)), not "
                            + "\(kubernetesGroup); bind RBAC to those, or replace it with: "
                            + awsAuthAddCommand(file: file) + " --replace")
            } else if let other = PermissionSetRole.mapped(arn), other.path != "/", other.isSameRole(as: role) {
                lines.append(
                    "\(place): names \(role.name) with its path \(other.path), so no session matches it; "
                        + "remove it with: \(remove)")
            }
        }
        if !mapped {
            lines.append(
                "\(shown): no mapRoles entry for \(role.name) yet; add it with: \(awsAuthAddCommand(file: file))")
        }
        return (lines, stale)
    }
}
