#!/usr/bin/env bash
# The systemd unit (deploy/systemd/nodeprobe.service):
#  1. `systemd-analyze verify` accepts it without a warning (ExecStart pointed at the built binary);
#  2. `systemd-analyze security --offline` rates its exposure below 4 ("OK");
#  3. the agent, run as root with only the unit's CapabilityBoundingSet (setpriv), starts, every
#     eBPF program attaches and the collectors that need privileges succeed; without CAP_BPF the
#     programs do not attach (so the check can fail);
#  4. every system call the agent makes through start-up and two scrapes (strace) is allowed by
#     the unit's SystemCallFilter.
# PID 1 here is not systemd, so the unit is not started by systemd itself; 3 and 4 apply its
# capability and system call limits by hand. 3 and 4 need root and a kernel with BTF: without
# them they are skipped (exit 77) and say why, after 1 and 2 have passed.
#   systemd_test.sh NODEPROBE_BINARY REPO_ROOT
set -euo pipefail
binary=$(realpath "$1")
repo=$2
unit_src=$repo/deploy/systemd/nodeprobe.service
tmp=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

echo "== systemd-analyze verify"
unit=$tmp/nodeprobe.service
sed "s#^ExecStart=/usr/bin/nodeprobe #ExecStart=$binary #" "$unit_src" >"$unit"
grep -q "^ExecStart=$binary " "$unit"
if ! systemd-analyze verify "$unit" >"$tmp/verify.log" 2>&1 || [[ -s $tmp/verify.log ]]; then
  cat "$tmp/verify.log" >&2
  echo "systemd-analyze verify: the unit has problems" >&2
  exit 1
fi

echo "== systemd-analyze security"
systemd-analyze security --offline=yes --no-pager "$unit" >"$tmp/security.log" 2>&1
exposure=$(sed -n 's/.*Overall exposure level for nodeprobe.service: \([0-9.]*\).*/\1/p' "$tmp/security.log")
[[ -n $exposure ]] || { cat "$tmp/security.log" >&2; exit 1; }
awk -v e="$exposure" 'BEGIN { exit !(e < 4.0) }' ||
  { echo "exposure $exposure is not below 4" >&2; exit 1; }
echo "exposure $exposure"

if [[ $(id -u) -ne 0 ]]; then
  echo "SKIP capability and system call checks: they need root (uid $(id -u))"
  exit 77
fi
if [[ ! -r /sys/kernel/btf/vmlinux ]]; then
  echo "SKIP capability and system call checks: the kernel exposes no BTF, the probes cannot load"
  exit 77
fi

for tool in setpriv strace curl node; do
  command -v "$tool" >/dev/null || { echo "$tool is missing (scripts/install-deps.sh)" >&2; exit 1; }
done
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$unit_src")
bounding=-all
for cap in $caps; do bounding+=",+$(echo "${cap#CAP_}" | tr 'A-Z' 'a-z')"; done
allowed_list=$(sed -n 's/^SystemCallFilter=//p' "$unit_src")

free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}
# run_agent NAME BOUNDING [strace]: runs the agent with that bounding set, waits for /readyz,
# scrapes twice into $tmp/NAME.prom and stops it.
run_agent() {
  local name=$1 set=$2 trace=${3:-}
  local port
  port=$(free_port)
  local cmd=(setpriv --bounding-set="$set" --inh-caps=-all)
  [[ -n $trace ]] && cmd+=(strace -f -qq -o "$tmp/$name.strace")
  cmd+=("$binary" "--web.listen-address=127.0.0.1:$port" "--collector.textfile.directory=$tmp")
  "${cmd[@]}" >"$tmp/$name.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  local ready=0
  for _ in $(seq 300); do
    curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && { ready=1; break; }
    sleep 0.1
  done
  [[ $ready -eq 1 ]] || { cat "$tmp/$name.log" >&2; echo "the agent ($name) was not ready in 30 s" >&2; exit 1; }
  curl -sf "http://127.0.0.1:$port/metrics" >/dev/null
  curl -sf "http://127.0.0.1:$port/metrics" >"$tmp/$name.prom"
  # setpriv execs what it runs, so $pid is the agent, or strace with the agent as its child.
  if [[ -n $trace ]]; then
    kill $(pgrep -P "$pid") 2>/dev/null || true
  else
    kill "$pid"
  fi
  wait "$pid" || true
}

echo "== capabilities: $caps"
run_agent unit "$bounding"
attached=$(grep -c '^nodeprobe_ebpf_program_attached{.*} 1$' "$tmp/unit.prom" || true)
detached=$(grep -c '^nodeprobe_ebpf_program_attached{.*} 0$' "$tmp/unit.prom" || true)
if [[ $attached -eq 0 || $detached -ne 0 ]]; then
  grep nodeprobe_ebpf_program_attached "$tmp/unit.prom" >&2 || true
  cat "$tmp/unit.log" >&2
  echo "with the unit's capabilities, $attached eBPF programs attached and $detached did not" >&2
  exit 1
fi
for collector in ebpf filesystem timex netdev conntrack; do
  grep -q "^node_scrape_collector_success{collector=\"$collector\"} 1$" "$tmp/unit.prom" ||
    { echo "collector $collector failed with the unit's capabilities" >&2; exit 1; }
done
echo "all $attached eBPF programs attached"
run_agent nobpf "${bounding/,+bpf/}"
if grep -q '^nodeprobe_ebpf_program_attached{.*} 1$' "$tmp/nobpf.prom"; then
  echo "programs attached without CAP_BPF: the capability check cannot tell" >&2
  exit 1
fi

echo "== system calls: SystemCallFilter=$allowed_list"
expand() {
  local item
  for item in "$@"; do
    if [[ $item == @* ]]; then
      # shellcheck disable=SC2046
      expand $(systemd-analyze syscall-filter --no-pager "$item" | tail -n +2 | sed 's/^ *//' |
        grep -v '^#' | grep -v '^$')
    else
      echo "$item"
    fi
  done
}
# shellcheck disable=SC2086
expand $allowed_list | sort -u >"$tmp/allowed.txt"
run_agent traced "$bounding" strace
# strace lines: "PID name(args...) = ret", "PID <... name resumed>", "PID +++ exited ...".
awk '{ print $2 }' "$tmp/traced.strace" | grep -v '^<\.\.\.\|^+++\|^---' | sed 's/(.*//' |
  sort -u >"$tmp/used.txt"
[[ $(wc -l <"$tmp/used.txt") -gt 20 ]] || { echo "strace saw too few system calls" >&2; exit 1; }
denied=$(comm -23 "$tmp/used.txt" "$tmp/allowed.txt")
if [[ -n $denied ]]; then
  echo "system calls the agent makes that SystemCallFilter denies: $denied" >&2
  exit 1
fi
echo "systemd unit: $(wc -l <"$tmp/used.txt") system calls used, all allowed"
