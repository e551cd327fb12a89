#!/usr/bin/env bash
# Renders the plain manifests in daemonset/ from the Helm chart: default values plus the
# ServiceMonitor, release "nodeprobe" in namespace "monitoring". Run it after changing the chart;
# tests/deploy/manifests_test.sh fails while daemonset/ differs from this rendering.
#   deploy/render-manifests.sh [OUTPUT_DIR]   (default: daemonset/)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/daemonset}
tools=$("$root/scripts/install-deploy-tools.sh")
chart=$root/deploy/helm/nodeprobe

mkdir -p "$out"
for template in serviceaccount rbac service daemonset servicemonitor; do
  "$tools/bin/helm" template nodeprobe "$chart" --namespace monitoring \
    --set metrics.serviceMonitor.enabled=true \
    --show-only "templates/$template.yaml" >"$out/$template.yaml"
done
