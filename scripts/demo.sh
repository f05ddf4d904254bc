#!/usr/bin/env bash
# Make an EKS token from the documented AWS example keys and take it apart.
# No AWS account and no network: the token is signed locally and never sent.
#
# Usage: scripts/demo.sh [path/to/eks-auth]   (make demo passes .build/release/eks-auth)
set -euo pipefail

bin=${1:-.build/release/eks-auth}
if [[ ! -x $bin ]]; then
    echo "demo: no executable at $bin (run 'make build' first)" >&2
    exit 66
fi
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")

cluster=dev.my-eks-cluster
region=eu-west-1

work=$(mktemp -d "${TMPDIR:-/tmp}/eks-auth-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/home"

heading() {
    printf '\n== %s ==\n' "$1"
}

# A clean environment: an empty HOME (no ~/.aws), the documented example keys
# (https://docs.aws.amazon.com/IAM/latest/UserGuide/security-creds.html), and
# nothing else from the caller that could pick another profile or endpoint.
run_eks_auth() {
    env -i \
        PATH="$PATH" \
        HOME="$work/home" \
        AWS_ACCESS_KEY_ID=AKIDEXAMPLE \
        AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY \
        AWS_REGION="$region" \
        "$bin" "$@"
}

heading "1. Command"
echo "AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=wJalr…EXAMPLEKEY AWS_REGION=$region \\"
echo "  $bin token --cluster-name $cluster --verbose"

heading "2. Trace (stderr, from --verbose; never shows secrets)"
credential=$(run_eks_auth token --cluster-name "$cluster" --verbose 2>"$work/trace")
cat "$work/trace"

heading "3. ExecCredential (stdout; this is what kubectl reads)"
if command -v python3 >/dev/null 2>&1; then
    printf '%s\n' "$credential" | python3 -m json.tool
else
    printf '%s\n' "$credential"
fi

heading "4. Anatomy of the token (eks-auth decode: the EKS server's checks, offline)"
printf '%s\n' "$credential" | run_eks_auth decode -
echo "(scripts/decode-token.py takes the same token apart with Python's standard library alone.)"

heading "5. kubeconfig user entry that runs this binary"
cat <<EOF
users:
- name: $cluster
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: $bin
      args: ["token", "--cluster-name", "$cluster"]
      env:
      - name: AWS_REGION
        value: $region
      interactiveMode: IfAvailable
      provideClusterInfo: false
EOF
echo
echo "kubectl runs the command before each request whose cached token is missing or past expirationTimestamp."
echo "Use an absolute command path: kubectl resolves a relative one containing '/' against the kubeconfig's folder."
