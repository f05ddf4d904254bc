import AWSConfiguration
import AWSSigning
import AWSTransport
import EKSAuthSystem

/// Creates the plan's IAM resources through the IAM Query API, idempotently: what exists and matches
/// is left as it is; what exists and differs is reported, never overwritten.
public struct SetupApplier: Sendable {
    let iam: QueryProtocolClient
    let credentials: AWSCredentials

    /// An applier calling IAM through `iam` as `credentials`.
    public init(iam: QueryProtocolClient, credentials: AWSCredentials) {
        self.iam = iam
        self.credentials = credentials
    }

    /// The IAM API version.
    public static let apiVersion = "2010-05-08"

    /// The global IAM endpoint of a partition (or `AWS_ENDPOINT_URL_IAM` and the like).
    public static func endpoint(resolver: STSEndpointResolver, region: String) throws -> ServiceEndpoint {
        let partition = Partition.of(region: region)
        let (host, signingRegion): (String, String)
        switch partition.id {
        case "aws-cn": (host, signingRegion) = ("iam.cn-north-1.amazonaws.com.cn", "cn-north-1")
        case "aws-us-gov": (host, signingRegion) = ("iam.us-gov.amazonaws.com", "us-gov-west-1")
        case "aws": (host, signingRegion) = ("iam.amazonaws.com", "us-east-1")
        default: (host, signingRegion) = ("iam.\(region).\(partition.dnsSuffix)", region)
        }
        if let custom = try resolver.configuredEndpoint(service: "iam") {
            return ServiceEndpoint(endpoint: custom.endpoint, signingRegion: signingRegion, source: custom.source)
        }
        return ServiceEndpoint(endpoint: Endpoint(host: host), signingRegion: signingRegion, source: "global")
    }

    /// Applies `plan`; returns one line per resource saying what was done, each also handed to
    /// `progress` as it happens (so a conflict reported at the end does not hide what was done).
    /// - Throws: `SetupError.conflicts` after doing everything else, `AWSServiceError` for failed calls.
    public func apply(_ plan: SetupPlan, progress: (String) -> Void = { _ in }) throws -> [String] {
        var lines: [String] = [] {
            didSet { progress(lines.last!) }
        }
        var conflicts: [String] = []
        func record(_ outcome: Outcome, _ what: String) {
            switch outcome {
            case .created: lines.append("created \(what)")
            case .unchanged: lines.append("unchanged \(what) (already as planned)")
            case .differs(let how):
                lines.append("left alone \(what): \(how)")
                conflicts.append("\(what): \(how)")
            }
        }
        let role = try ensureRole(plan)
        record(role, "role \(plan.roleName)")
        // A policy whose document differs from the plan is not attached: it is someone else's.
        let rolePolicy = try ensurePolicy(plan.rolePolicyName, document: plan.rolePolicy, plan: plan)
        record(rolePolicy, "policy \(plan.rolePolicyName)")
        if !rolePolicy.differs {
            lines.append(
                try attach(
                    plan.rolePolicyName, arn: plan.policyARN(plan.rolePolicyName), to: .role, named: plan.roleName,
                    new: role == .created || rolePolicy == .created))
        }
        let group = try ensureGroup(plan.request.group)
        record(group, "group \(plan.request.group)")
        let groupPolicy = try ensurePolicy(plan.groupPolicyName, document: plan.groupPolicy, plan: plan)
        record(groupPolicy, "policy \(plan.groupPolicyName)")
        if !groupPolicy.differs {
            lines.append(
                try attach(
                    plan.groupPolicyName, arn: plan.policyARN(plan.groupPolicyName), to: .group,
                    named: plan.request.group, new: group == .created || groupPolicy == .created))
        }
        if !conflicts.isEmpty { throw SetupError.conflicts(conflicts) }
        return lines
    }

    enum Outcome: Equatable {
        case created, unchanged
        case differs(String)

        /// Whether what exists differs from the plan.
        var differs: Bool {
            if case .differs = self { return true }
            return false
        }
    }

    /// What a managed policy is attached to.
    enum Holder: String {
        case role, group
    }

    /// Attaches the policy `arn` to the role or group `name` unless it is attached already (looked up
    /// unless one of the two was `new` this run); the line saying which.
    func attach(_ policy: String, arn: String, to holder: Holder, named name: String, new: Bool) throws -> String {
        let (list, attach, key) =
            holder == .role
            ? ("ListAttachedRolePolicies", "AttachRolePolicy", "RoleName")
            : ("ListAttachedGroupPolicies", "AttachGroupPolicy", "GroupName")
        // A role holds at most 20 managed policies and a group 10 (IAM quotas): one page of 100 is all.
        if !new,
            try iam.call(list, [(key, name)], as: credentials, roleARN: nil).values(named: "PolicyArn").contains(arn)
        {
            return "unchanged attachment of \(policy) to \(holder.rawValue) \(name) (already as planned)"
        }
        _ = try iam.call(attach, [(key, name), ("PolicyArn", arn)], as: credentials, roleARN: nil)
        return "attached \(policy) to \(holder.rawValue) \(name)"
    }

    func ensureRole(_ plan: SetupPlan) throws -> Outcome {
        if let existing = try fetch("GetRole", [("RoleName", plan.roleName)]) {
            let document = existing.value(at: "Role", "AssumeRolePolicyDocument").map(ParsedURL.percentDecoded)
            return Self.sameJSON(document, plan.trustPolicy)
                ? .unchanged : .differs("its trust policy is different" + Self.differences(document, plan.trustPolicy))
        }
        _ = try iam.call(
            "CreateRole",
            [
                ("RoleName", plan.roleName), ("AssumeRolePolicyDocument", plan.trustPolicy),
                ("Description", "Assumed by eks-auth for \(plan.request.group) on \(plan.request.clusterName)"),
            ], as: credentials, roleARN: nil)
        return .created
    }

    func ensurePolicy(_ name: String, document: String, plan: SetupPlan) throws -> Outcome {
        let arn = plan.policyARN(name)
        if let existing = try fetch("GetPolicy", [("PolicyArn", arn)]) {
            let version = existing.value(at: "Policy", "DefaultVersionId") ?? "v1"
            let current = try fetch("GetPolicyVersion", [("PolicyArn", arn), ("VersionId", version)])?
                .value(at: "PolicyVersion", "Document").map(ParsedURL.percentDecoded)
            return Self.sameJSON(current, document)
                ? .unchanged : .differs("its document is different" + Self.differences(current, document))
        }
        _ = try iam.call(
            "CreatePolicy", [("PolicyName", name), ("PolicyDocument", document)], as: credentials, roleARN: nil)
        return .created
    }

    func ensureGroup(_ name: String) throws -> Outcome {
        if try fetch("GetGroup", [("GroupName", name)]) != nil { return .unchanged }
        _ = try iam.call("CreateGroup", [("GroupName", name)], as: credentials, roleARN: nil)
        return .created
    }

    /// The answer of a Get call, or nil when IAM says NoSuchEntity.
    func fetch(_ action: String, _ parameters: [(name: String, value: String)]) throws -> XMLText? {
        do {
            return try iam.call(action, parameters, as: credentials, roleARN: nil)
        } catch AWSServiceError.service(let failure) where failure.code == "NoSuchEntity" {
            return nil
        }
    }

    /// `: Statement[0].Effect is "Deny", planned "Allow"; …`: where an existing document (`have`) differs
    /// from the planned one, for the conflict message; empty when either is not JSON.
    static func differences(_ have: String?, _ planned: String) -> String {
        guard let have, let left = JSONValue.parse(have), let right = JSONValue.parse(planned) else { return "" }
        let found = left.differences(from: right)
        return found.isEmpty ? "" : ": " + found.joined(separator: "; ")
    }

    static func sameJSON(_ a: String?, _ b: String) -> Bool {
        guard let a, let left = JSONValue.parse(a), let right = JSONValue.parse(b) else { return false }
        return left == right
    }
}
