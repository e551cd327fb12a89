#!/usr/bin/env bash
# The alert and recording rules: `promtool check rules`, `promtool test rules` (rules_test.yaml),
# and every alert of the rule file has a unit test that expects it to fire.
#   rules_test.sh REPO_ROOT
set -euo pipefail
repo=$1
rules=$repo/deploy/helm/nodeprobe/files/nodeprobe.rules.yaml
here=$(cd "$(dirname "$0")" && pwd)

promtool check rules "$rules"
(cd "$here" && promtool test rules rules_test.yaml)

alerts=$(sed -n 's/^ *- alert: *//p' "$rules" | sort -u)
tested=$(awk '/alertname:/ { name = $2 } /exp_labels:/ { print name }' "$here/rules_test.yaml" | sort -u)
untested=$(comm -23 <(echo "$alerts") <(echo "$tested"))
if [[ -n "$untested" ]]; then
  echo "alerts without a test that fires them:" $untested >&2
  exit 1
fi
echo "rules: $(echo "$alerts" | wc -l) alerts, each fired and held back by a unit test"
