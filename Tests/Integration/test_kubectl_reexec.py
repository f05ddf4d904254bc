"""kubectl runs eks-auth again after a 401 from the API server and goes on with the new credential
(the cached-session reuse across kubectl processes is in test_kubeconfig.py)."""
from __future__ import annotations

import json
import os
import shutil
import stat
import threading

import peers

CLUSTER = "dev.my-eks-cluster"


class RejectFirst(peers._LoopbackServer):
    """An HTTPS API server that answers the first request 401 and every later one with a namespace,
    checking each bearer token's SigV4 signature with botocore."""

    def __init__(self, cert: str, key: str, check):
        import ssl

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self.check = check
        self.statuses: list[int] = []
        self.problems: list[list[str]] = []
        self._seen = threading.Lock()
        super().__init__(ssl_context=context)

    def handle(self, handler, method: str) -> None:
        handler.read_body()
        authorization = handler.headers.get("Authorization") or ""
        token = authorization[len("Bearer "):] if authorization.startswith("Bearer ") else ""
        with self._seen:
            first = not self.statuses
            problems = ["no bearer token"] if not token else self.check(token)
            status = 401 if first or problems else 200
            self.statuses.append(status)
            if problems:
                self.problems.append(problems)
        if status == 401:
            body = {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "Unauthorized", "code": 401}
        else:
            body = {"kind": "Namespace", "apiVersion": "v1", "metadata": {"name": "default"}}
        handler.reply(status, json.dumps(body).encode(), [("Content-Type", "application/json")])


def counting_wrapper(directory, eks_auth: str) -> tuple[str, str]:
    """A wrapper that records each run of eks-auth, so the test can count kubectl's plugin runs."""
    log = os.path.join(directory, "runs.log")
    wrapper = os.path.join(directory, "eks-auth-counted")
    with open(wrapper, "w") as script:
        script.write(f'#!/bin/sh\necho run >> "{log}"\nexec "{eks_auth}" "$@"\n')
    os.chmod(wrapper, stat.S_IRWXU)
    return wrapper, log


def test_kubectl_reruns_the_plugin_after_a_401_and_then_gets_in(run, eks_auth, home, tmp_path):
    cert, key = peers.make_self_signed_cert(str(tmp_path))
    wrapper, log = counting_wrapper(str(tmp_path), eks_auth)
    access_key, secret_key = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    with RejectFirst(cert, key, lambda token: peers.token_problems(token, CLUSTER, access_key, secret_key)) as api:
        config = {
            "apiVersion": "v1", "kind": "Config",
            "clusters": [{"name": "c", "cluster": {"server": api.endpoint, "certificate-authority": cert}}],
            "users": [{"name": "u", "user": {"exec": {
                "apiVersion": "client.authentication.k8s.io/v1beta1", "command": wrapper,
                "args": ["token", "--cluster-name", CLUSTER], "interactiveMode": "Never"}}}],
            "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u"}}], "current-context": "x",
        }
        path = tmp_path / "kubeconfig"
        path.write_text(json.dumps(config))
        kubectl = shutil.which("kubectl")
        assert kubectl, "kubectl is required by the integration suite"
        env = run.env(AWS_ACCESS_KEY_ID=access_key, AWS_SECRET_ACCESS_KEY=secret_key, AWS_REGION="us-east-1")
        rc, out, err = run.command(
            [kubectl, "--kubeconfig", str(path), "--request-timeout=20s", "get", "--raw", "/api/v1/namespaces/default"],
            env=env, timeout=60)
    runs = open(log).read().count("run")
    assert api.statuses[0] == 401
    assert api.problems == [], api.problems
    assert runs >= 2, f"kubectl ran the plugin {runs} time(s); after a 401 it must run it again"
    assert rc == 0, err
    assert json.loads(out)["metadata"]["name"] == "default"
