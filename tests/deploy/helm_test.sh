#!/usr/bin/env bash
# The Helm chart: `helm lint --strict`, then `helm template` with default values, with every
# toggle on, and with the privileged fallback, every rendered object validated against the
# Kubernetes and Prometheus Operator schemas (validate.mjs), and the rendered objects checked for
# what docs/deploy.md promises (chart_checks.mjs).
#   helm_test.sh TOOLS_DIR REPO_ROOT NODEPROBE_BINARY
set -euo pipefail
tools=$1
repo=$2
binary=$3
helm=$tools/bin/helm
chart=$repo/deploy/helm/nodeprobe
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

all_on=(
  --set metrics.serviceMonitor.enabled=true
  --set-string metrics.serviceMonitor.additionalLabels.release=kube-prometheus-stack
  --set 'metrics.serviceMonitor.metricRelabelings[0].action=drop'
  --set 'metrics.serviceMonitor.metricRelabelings[0].sourceLabels[0]=__name__'
  --set 'metrics.serviceMonitor.metricRelabelings[0].regex=node_scrape_collector_duration_seconds'
  --set prometheusRule.enabled=true
  --set-string prometheusRule.additionalLabels.release=kube-prometheus-stack
  --set dashboards.enabled=true
  --set hostMounts.tracefs=true
  --set kubernetes.podLabels=app.kubernetes.io/name
  --set 'extraArgs[0]=--collector.textfile.directory=/host/root/var/lib/node_exporter'
  --set 'extraCapabilities[0]=SYS_PTRACE'
  --set-string 'podAnnotations.example\.com/team=observability'
)

echo "== helm lint"
"$helm" lint --strict "$chart"
"$helm" lint --strict "$chart" "${all_on[@]}"
"$helm" lint --strict "$chart" --set privileged=true --set hostNetwork=false

echo "== helm template"
"$helm" template nodeprobe "$chart" --namespace monitoring >"$tmp/default.yaml"
"$helm" template nodeprobe "$chart" --namespace monitoring "${all_on[@]}" >"$tmp/all.yaml"
"$helm" template nodeprobe "$chart" --namespace monitoring \
  --set privileged=true --set hostNetwork=false --set hostPID=false \
  --set hostMounts.cgroup=false --set hostMounts.btf=false >"$tmp/privileged.yaml"

echo "== schemas"
node "$here/validate.mjs" "$tools" "$tmp/default.yaml" "$tmp/all.yaml" "$tmp/privileged.yaml"

echo "== what the chart promises"
node "$here/chart_checks.mjs" "$tools" "$repo" "$tmp/default.yaml" "$tmp/all.yaml" "$tmp/privileged.yaml" \
  "$binary"

echo "== NOTES.txt"
"$helm" install nodeprobe "$chart" --namespace monitoring --dry-run=client "${all_on[@]}" \
  >"$tmp/install.txt"
grep -q "rollout status daemonset/nodeprobe" "$tmp/install.txt"
grep -q "The ServiceMonitor monitoring/nodeprobe scrapes every 30s" "$tmp/install.txt"
echo "helm chart: all checks passed"
