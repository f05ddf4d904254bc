"""A loopback stand-in for the EKS access-entry API, which moto 5.2.1 lacks, written from the EKS API
reference (CreateAccessEntry, DescribeAccessEntry, ListAccessEntries, AssociateAccessPolicy,
ListAssociatedAccessPolicies; errors ResourceInUseException 409, ResourceNotFoundException 404,
InvalidParameterException 400). Everything else (DescribeCluster, ListClusters) is forwarded to moto
with its request checking off, and DescribeCluster's reply gains ``accessConfig.authenticationMode``.

Each request's SigV4 header signature is recomputed with botocore for the access key it names (the
keys in ``secrets``, plus any moto issued through AssumeRole) and refused with
``InvalidSignatureException`` when it differs: an independent check of our path encoding."""
from __future__ import annotations

import json
import re
import urllib.parse

import botocore.auth
import botocore.awsrequest
import botocore.credentials

import peers

POLICY_NAMES = {"AmazonEKSClusterAdminPolicy", "AmazonEKSAdminPolicy", "AmazonEKSEditPolicy", "AmazonEKSViewPolicy",
                "AmazonEKSAdminViewPolicy"}
NODE_TYPES = {"EC2_LINUX", "EC2_WINDOWS", "FARGATE_LINUX", "HYBRID_LINUX", "EC2", "HYPERPOD_LINUX"}
RESERVED_PREFIXES = ("system:", "eks:", "aws:", "amazon:", "iam:")


class FakeEKS(peers._LoopbackServer):
    """``entries[cluster][principalArn]`` holds each entry (the API's ``accessEntry`` shape plus
    ``associatedAccessPolicies``); ``modes[cluster]`` the authentication mode (default
    ``API_AND_CONFIG_MAP``); ``calls`` every operation served, in order; ``page_size`` caps list pages so
    paging is exercised; ``principal_exists(arn)`` says whether IAM has the principal (default: moto's
    IAM, in process)."""

    def __init__(self, moto_endpoint: str, secrets: dict[str, str] | None = None, page_size: int = 2,
                 principal_exists=None):
        self.upstream = moto_endpoint
        self.secrets = dict(secrets or {})
        self.page_size = page_size
        self.entries: dict[str, dict[str, dict]] = {}
        self.modes: dict[str, str] = {}
        self.calls: list[str] = []
        self.signature_failures: list[str] = []
        self.principal_exists = principal_exists or moto_principal_exists
        super().__init__()

    # -- helpers ---------------------------------------------------------------------------------

    def _secret(self, access_key: str) -> tuple[str, str | None] | None:
        if access_key in self.secrets:
            return self.secrets[access_key], None
        issued = peers.moto_assumed_credentials(access_key)
        return (issued["SecretAccessKey"], issued["SessionToken"]) if issued else None

    def _signature_problem(self, handler, method: str, body: bytes) -> str | None:
        authorization = handler.headers.get("Authorization") or ""
        match = re.match(r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/eks/aws4_request, "
                         r"SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$", authorization)
        if not match:
            return f"no SigV4 authorization for eks: {authorization[:60]!r}"
        access_key, _, region, signed, signature = match.groups()
        found = self._secret(access_key)
        if found is None:
            return f"unknown access key {access_key}"
        secret, token = found
        url = f"http://{handler.headers.get('Host')}{handler.path}"
        headers = {name: handler.headers.get(name) for name in signed.split(";")}
        request = botocore.awsrequest.AWSRequest(method=method, url=url, data=body, headers=headers)
        signer = botocore.auth.SigV4Auth(botocore.credentials.Credentials(access_key, secret, token), "eks", region)
        canonical = signer.canonical_request(request)
        # SigV4Auth signs with its own timestamp; use the request's.
        request.context["timestamp"] = handler.headers.get("X-Amz-Date")
        string_to_sign = signer.string_to_sign(request, canonical)
        expected = signer.signature(string_to_sign, request)
        return None if expected == signature else f"signature differs (canonical request:\n{canonical})"

    def _error(self, handler, status: int, code: str, message: str) -> None:
        body = json.dumps({"message": message}).encode()
        handler.reply(status, body, [("Content-Type", "application/json"), ("x-amzn-ErrorType", f"{code}:http://x/"),
                                     ("x-amzn-RequestId", "fake-eks-request")])

    def _json(self, handler, body: dict) -> None:
        handler.reply(200, json.dumps(body).encode(), [("Content-Type", "application/json")])

    def _cluster_exists(self, name: str) -> bool:
        from moto.eks.models import eks_backends

        return name in eks_backends[peers.ACCOUNT_ID][peers.REGION].clusters

    # -- dispatch --------------------------------------------------------------------------------

    def handle(self, handler, method: str) -> None:
        body = handler.read_body()
        split = urllib.parse.urlsplit(handler.path)
        query = urllib.parse.parse_qs(split.query)
        segments = [urllib.parse.unquote(part) for part in split.path.split("/") if part]
        problem = self._signature_problem(handler, method, body)
        if problem:
            with self._lock:
                self.signature_failures.append(problem)
            self._error(handler, 403, "InvalidSignatureException", "The request signature we calculated does not "
                        "match the signature you provided.")
            return
        if len(segments) < 3 or segments[0] != "clusters" or segments[2] != "access-entries":
            self._forward(handler, method, body, segments)
            return
        cluster = segments[1]
        with self._lock:
            self.calls.append(self._operation(method, segments))
        if not self._cluster_exists(cluster):
            self._error(handler, 404, "ResourceNotFoundException", f"No cluster found for name: {cluster}.")
            return
        entries = self.entries.setdefault(cluster, {})
        try:
            request = json.loads(body) if body else {}
        except ValueError:
            self._error(handler, 400, "InvalidParameterException", "The request body is not JSON.")
            return
        with self._lock:
            if len(segments) == 3 and method == "POST":
                self._create(handler, cluster, entries, request)
            elif len(segments) == 3 and method == "GET":
                self._list(handler, list(entries), query, "accessEntries")
            elif len(segments) == 4 and method == "GET":
                entry = entries.get(segments[3])
                if entry is None:
                    self._missing_entry(handler, segments[3])
                else:
                    self._json(handler, {"accessEntry": {k: v for k, v in entry.items()
                                                         if k != "associatedAccessPolicies"}})
            elif len(segments) == 5 and segments[4] == "access-policies":
                entry = entries.get(segments[3])
                if entry is None:
                    self._missing_entry(handler, segments[3])
                elif method == "POST":
                    self._associate(handler, cluster, entry, request)
                else:
                    self._list(handler, entry["associatedAccessPolicies"], query, "associatedAccessPolicies",
                               extra={"clusterName": cluster, "principalArn": entry["principalArn"]})
            else:
                self._error(handler, 404, "ResourceNotFoundException", "Unknown operation.")

    @staticmethod
    def _operation(method: str, segments: list[str]) -> str:
        if len(segments) == 3:
            return "CreateAccessEntry" if method == "POST" else "ListAccessEntries"
        if len(segments) == 4:
            return "DescribeAccessEntry"
        return "AssociateAccessPolicy" if method == "POST" else "ListAssociatedAccessPolicies"

    def _forward(self, handler, method: str, body: bytes, segments: list[str]) -> None:
        with peers.moto_checking_off():
            status, headers, answer = peers.forward(self.upstream, handler, method, body)
        if status == 200 and method == "GET" and len(segments) == 2 and segments[0] == "clusters":
            document = json.loads(answer)
            mode = self.modes.get(segments[1], "API_AND_CONFIG_MAP")
            document["cluster"]["accessConfig"] = {"authenticationMode": mode,
                                                   "bootstrapClusterCreatorAdminPermissions": True}
            answer = json.dumps(document).encode()
        handler.reply(status, answer, [(name, value) for name, value in headers if name.lower() != "content-length"])

    def _missing_entry(self, handler, principal: str) -> None:
        self._error(handler, 404, "ResourceNotFoundException",
                    f"The specified access entry resource could not be found: {principal}")

    def _list(self, handler, items: list, query: dict, key: str, extra: dict | None = None) -> None:
        size = min(int(query.get("maxResults", ["100"])[0]), self.page_size)
        start = int(query.get("nextToken", ["0"])[0])
        page = items[start:start + size]
        answer = dict(extra or {})
        answer[key] = page
        if start + size < len(items):
            answer["nextToken"] = str(start + size)
        self._json(handler, answer)

    def _create(self, handler, cluster: str, entries: dict, request: dict) -> None:
        principal = request.get("principalArn") or ""
        kind = request.get("type") or "STANDARD"
        groups = request.get("kubernetesGroups") or []
        username = request.get("username")
        invalid = None
        if not re.match(r"^arn:aws[a-z-]*:iam::\d{12}:(role|user)/", principal):
            invalid = f"The specified principalArn is invalid: {principal}"
        elif kind not in NODE_TYPES | {"STANDARD"}:
            invalid = f"The specified type is invalid: {kind}"
        elif kind in NODE_TYPES and (groups or username):
            invalid = "Kubernetes groups and username cannot be specified for this access entry type."
        elif any(group.startswith("system:") for group in groups):
            invalid = "The kubernetes group name system:masters is invalid, it cannot start with system:"
        elif username and username.startswith(RESERVED_PREFIXES):
            invalid = f"The username {username} is invalid, it cannot start with a reserved prefix"
        elif not self.principal_exists(principal):
            invalid = f"The specified principalArn is invalid: invalid principal {principal}"
        if invalid:
            self._error(handler, 400, "InvalidParameterException", invalid)
            return
        if self.modes.get(cluster, "API_AND_CONFIG_MAP") == "CONFIG_MAP":
            self._error(handler, 400, "InvalidRequestException", "The cluster's authentication mode must be set to "
                        "one of [API, API_AND_CONFIG_MAP] to perform this operation.")
            return
        if principal in entries:
            self._error(handler, 409, "ResourceInUseException",
                        "The specified access entry resource is already in use on this cluster.")
            return
        entry = {"clusterName": cluster, "principalArn": principal, "kubernetesGroups": groups,
                 "accessEntryArn": f"arn:aws:eks:{peers.REGION}:{peers.ACCOUNT_ID}:access-entry/{cluster}/x",
                 "createdAt": 1700000000.0, "modifiedAt": 1700000000.0, "tags": dict(request.get("tags") or {}),
                 "username": username or default_username(principal, kind), "type": kind,
                 "associatedAccessPolicies": []}
        entries[principal] = entry
        self._json(handler, {"accessEntry": {k: v for k, v in entry.items() if k != "associatedAccessPolicies"}})

    def _associate(self, handler, cluster: str, entry: dict, request: dict) -> None:
        policy = request.get("policyArn") or ""
        scope = request.get("accessScope") or {}
        name = policy.rsplit("/", 1)[-1]
        if not policy.startswith("arn:aws:eks::aws:cluster-access-policy/") or name not in POLICY_NAMES:
            self._error(handler, 400, "InvalidParameterException", f"The policy ARN {policy} is invalid.")
            return
        if scope.get("type") not in ("cluster", "namespace") or (
                scope.get("type") == "namespace" and not scope.get("namespaces")):
            self._error(handler, 400, "InvalidParameterException", "The access scope is invalid.")
            return
        if entry["type"] != "STANDARD":
            self._error(handler, 400, "InvalidParameterException", "Policies cannot be associated with this type.")
            return
        associated = {"policyArn": policy, "accessScope": {"type": scope["type"],
                                                           "namespaces": scope.get("namespaces") or []},
                      "associatedAt": 1700000000.0, "modifiedAt": 1700000000.0}
        entry["associatedAccessPolicies"] = [p for p in entry["associatedAccessPolicies"] if p["policyArn"] != policy]
        entry["associatedAccessPolicies"].append(associated)
        self._json(handler, {"clusterName": cluster, "principalArn": entry["principalArn"],
                             "associatedAccessPolicy": associated})


def default_username(principal: str, kind: str) -> str:
    """The user name EKS generates (EKS user guide, "Set a custom username")."""
    if kind != "STANDARD":
        return "system:node:{{SessionName}}" if kind == "FARGATE_LINUX" else "system:node:{{EC2PrivateDNSName}}"
    match = re.match(r"^arn:([a-z-]+):iam::(\d{12}):role/(?:.*/)?([^/]+)$", principal)
    if match:
        return f"arn:{match.group(1)}:sts::{match.group(2)}:assumed-role/{match.group(3)}/{{{{SessionName}}}}"
    return principal


def moto_principal_exists(arn: str) -> bool:
    """Whether moto's IAM (in this process) has the role or user ``arn`` names, path included."""
    from moto.iam.models import iam_backends

    backend = iam_backends[peers.ACCOUNT_ID]["global"]
    kind, _, rest = arn.split(":", 5)[5].partition("/")
    name = rest.rsplit("/", 1)[-1]
    if kind == "role":
        return any(role.arn == arn for role in backend.roles.values() if role.name == name)
    if kind == "user":
        return any(user.arn == arn for user in backend.users.values() if user.name == name)
    return False
