#!/usr/bin/env bash
# The plain manifests in daemonset/ are the chart's rendering with default values plus the
# ServiceMonitor (deploy/render-manifests.sh), `kubectl kustomize daemonset/` builds, and what it
# builds passes the schemas.
#   manifests_test.sh TOOLS_DIR REPO_ROOT
set -euo pipefail
tools=$1
repo=$2
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$repo/deploy/render-manifests.sh" "$tmp/rendered"
for f in "$tmp"/rendered/*.yaml; do
  if ! diff -u "$repo/daemonset/$(basename "$f")" "$f"; then
    echo "daemonset/$(basename "$f") differs from the chart's rendering: run deploy/render-manifests.sh" >&2
    exit 1
  fi
done

"$tools/bin/kubectl" kustomize "$repo/daemonset" >"$tmp/kustomized.yaml"
node "$here/validate.mjs" "$tools" "$tmp/kustomized.yaml"
# Every rendered file is in the kustomization, and its image tag is the chart's appVersion.
for f in "$tmp"/rendered/*.yaml; do
  grep -q "^  - $(basename "$f")$" "$repo/daemonset/kustomization.yaml" ||
    { echo "daemonset/kustomization.yaml does not list $(basename "$f")" >&2; exit 1; }
done
app_version=$(sed -n 's/^appVersion: *"\(.*\)"/\1/p' "$repo/deploy/helm/nodeprobe/Chart.yaml")
grep -q "newTag: \"$app_version\"" "$repo/daemonset/kustomization.yaml" ||
  { echo "daemonset/kustomization.yaml: image tag is not the chart's appVersion $app_version" >&2; exit 1; }
kinds=$(grep -c '^kind:' "$tmp/kustomized.yaml")
[[ $kinds -eq 7 ]] || { echo "kustomize built $kinds objects, expected 7" >&2; exit 1; }
echo "manifests: equal to the chart's rendering; kustomize builds $kinds valid objects"
