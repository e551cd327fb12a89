#!/usr/bin/env bash
# Host collectors, nodeprobe vs node_exporter (issue 2): CPU per scrape and resident memory of
# both servers run side by side with the same collectors, plus the floor (the cost of merely
# reading the kernel files those collectors read). docs/performance.md explains the method.
#
# Usage: bench/run.sh [PATH-TO-NODEPROBE]      (default: build/nodeprobe)
# Environment:
#   SCRAPES=2000        measured scrapes per server and per mode
#   ROUNDS=10           interleaved rounds the scrapes are split into
#   WARMUP=100          unmeasured scrapes per server and mode first
#   MODES=plain,gzip,plain+keepalive,gzip+keepalive
#                       plain/gzip: Accept-Encoding; +keepalive: one connection per batch of
#                       scrapes (as Prometheus does) instead of a new connection per scrape
#   FLOOR_SECONDS=1     CPU budget of the floor measurement
#   BREAKDOWN=1         0: skip the in-process breakdown of nodeprobe's scrape
#   NODE_EXPORTER=/usr/bin/prometheus-node-exporter
#   SET=issue2          which collectors both servers run: issue2 or issue3 (see below)
#   BENCH_BIN=DIR       where nodeprobe_scrape_client, nodeprobe_read_floor and
#                       nodeprobe_scrape_cost are (default: bench/ next to the nodeprobe binary)
set -euo pipefail

nodeprobe=${1:-build/nodeprobe}
scrapes=${SCRAPES:-2000}
rounds=${ROUNDS:-10}
warmup=${WARMUP:-100}
modes=${MODES:-plain,gzip,plain+keepalive,gzip+keepalive}
floor_seconds=${FLOOR_SECONDS:-1}
node_exporter=${NODE_EXPORTER:-/usr/bin/prometheus-node-exporter}
bench_bin=${BENCH_BIN:-$(dirname "$nodeprobe")/bench}
client=$bench_bin/nodeprobe_scrape_client
floor=$bench_bin/nodeprobe_read_floor
scrape_cost=$bench_bin/nodeprobe_scrape_cost

for f in "$nodeprobe" "$node_exporter" "$client" "$floor" "$scrape_cost"; do
  if [[ ! -x $f ]]; then
    echo "bench: $f is missing or not executable (build with 'make build')" >&2
    exit 1
  fi
done

# Both servers get exactly these collectors; the textfile collector reads an empty directory.
# SET=issue2 (default): the host collectors of issue 2. SET=issue3: every collector of
# node_exporter's default Linux set that nodeprobe has (issues 2 and 3).
case ${SET:-issue2} in
  issue2)
    names=(cpu loadavg meminfo stat vmstat pressure uname time filefd os textfile) ;;
  issue3)
    names=(arp conntrack cpu cpufreq diskstats dmi edac entropy filefd filesystem hwmon loadavg
      meminfo netclass netdev netstat os powersupplyclass pressure schedstat selinux sockstat
      softnet stat textfile thermal_zone time timex udp_queues uname vmstat) ;;
  *)
    echo "bench: SET must be issue2 or issue3" >&2
    exit 1 ;;
esac
collectors=(--collector.disable-defaults)
for n in "${names[@]}"; do collectors+=("--collector.$n"); done

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
mkdir "$work/textfile"

np_port=$("$client" free-port)
"$nodeprobe" --web.listen-address="127.0.0.1:$np_port" "${collectors[@]}" \
  --collector.textfile.directory="$work/textfile" >"$work/nodeprobe.log" 2>&1 &
np_pid=$!
pids+=("$np_pid")
ne_port=$("$client" free-port)
"$node_exporter" --web.listen-address="127.0.0.1:$ne_port" "${collectors[@]}" \
  --collector.textfile.directory="$work/textfile" >"$work/node_exporter.log" 2>&1 &
ne_pid=$!
pids+=("$ne_pid")

for server in "nodeprobe $np_port $work/nodeprobe.log" \
  "node_exporter $ne_port $work/node_exporter.log"; do
  read -r name port log <<<"$server"
  if ! "$client" wait "$port" 20; then
    echo "bench: $name did not come up; its log:" >&2
    cat "$log" >&2
    exit 1
  fi
done

echo "host: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')," \
  "kernel $(uname -r)"
echo "nodeprobe: $("$nodeprobe" --version | head -1)"
echo "node_exporter: $("$node_exporter" --version 2>&1 | head -1)"
echo "scrapes: $scrapes per server and mode ($modes), in $rounds interleaved rounds," \
  "after $warmup warm-up scrapes"
echo

"$client" run --target "nodeprobe=$np_port:$np_pid" --target "node_exporter=$ne_port:$ne_pid" \
  --scrapes "$scrapes" --rounds "$rounds" --warmup "$warmup" --modes "$modes" >"$work/results"

memory() { awk -v key="$2:" '$1 == key { print $2 }' "/proc/$1/status"; }
for server in "nodeprobe $np_pid" "node_exporter $ne_pid"; do
  read -r name pid <<<"$server"
  echo "memory target=$name rss_kb=$(memory "$pid" VmRSS) hwm_kb=$(memory "$pid" VmHWM)" \
    "anon_kb=$(memory "$pid" RssAnon) threads=$(memory "$pid" Threads)" >>"$work/results"
done

"$floor" --seconds "$floor_seconds" >"$work/floor"
grep '^floor ' "$work/floor" >>"$work/results"

# The goals of the issue the set belongs to: issue 2, CPU <= 1/5; issue 3, CPU <= 0.3; memory
# <= 1/3 for both.
case ${SET:-issue2} in
  issue2) cpu_goal=0.2 ;;
  issue3) cpu_goal=0.3 ;;
esac
awk -v scrapes="$scrapes" -v set="${SET:-issue2}" -v cpu_goal="$cpu_goal" '
  function kv(line, key,   n, i, parts, f) {
    n = split(line, f, " ")
    for (i = 1; i <= n; i++) {
      split(f[i], parts, "=")
      if (parts[1] == key) return parts[2]
    }
    return ""
  }
  function row(label, a, b, fmt,   ratio) {
    ratio = b != 0 ? a / b : 0
    printf("%-36s " fmt " " fmt " %10.3f\n", label, a, b, ratio)
  }
  /^result / {
    t = kv($0, "target"); m = kv($0, "mode")
    if (t == "nodeprobe") order[++nmodes] = m
    cpu[t, m] = kv($0, "cpu_ns_per_scrape") / 1000
    p50[t, m] = kv($0, "latency_p50_ns") / 1000
    p99[t, m] = kv($0, "latency_p99_ns") / 1000
    wire[t, m] = kv($0, "wire_bytes_per_scrape")
    text[t] = kv($0, "text_bytes")
    statcpu[t] = kv($0, "stat_cpu_ns_per_scrape_all_modes") / 1000
  }
  /^memory / {
    t = kv($0, "target"); rss[t] = kv($0, "rss_kb"); hwm[t] = kv($0, "hwm_kb")
    anon[t] = kv($0, "anon_kb"); threads[t] = kv($0, "threads")
  }
  /^floor / { floor_us = kv($0, "all_cpu_ns") / 1000; filenr_us = kv($0, "file_nr_cpu_ns") / 1000 }
  END {
    np = "nodeprobe"; ne = "node_exporter"
    printf "%-36s %14s %14s %10s\n", "", np, ne, "ratio"
    worst = 0; worst_kept = 0
    for (k = 1; k <= nmodes; k++) {
      m = order[k]
      row("CPU per scrape, " m " (us)", cpu[np, m], cpu[ne, m], "%14.1f")
      row("  latency p50 (us)", p50[np, m], p50[ne, m], "%14.0f")
      row("  latency p99 (us)", p99[np, m], p99[ne, m], "%14.0f")
      row("  bytes on the wire", wire[np, m], wire[ne, m], "%14d")
      ratio = cpu[np, m] / cpu[ne, m]
      if (ratio > worst) worst = ratio
      if (m ~ /keepalive/ && ratio > worst_kept) worst_kept = ratio
      summary_cpu = summary_cpu sprintf(" np_cpu_us_%s=%.1f ne_cpu_us_%s=%.1f cpu_ratio_%s=%.3f",
                                        m, cpu[np, m], m, cpu[ne, m], m, ratio)
    }
    row("exposition text (bytes)", text[np], text[ne], "%14d")
    row("check: /proc/PID/stat CPU (us)", statcpu[np], statcpu[ne], "%14.1f")
    row("VmRSS after the run (kB)", rss[np], rss[ne], "%14d")
    row("  of which anonymous (kB)", anon[np], anon[ne], "%14d")
    row("VmHWM, peak resident (kB)", hwm[np], hwm[ne], "%14d")
    printf "%-36s %14d %14d\n", "threads", threads[np], threads[ne]
    printf "%-36s %14.1f\n", "floor: reading the files (us)", floor_us
    printf "%-36s %14.1f\n", "floor: /proc/sys/fs/file-nr (us)", filenr_us
    cpu_ok = worst <= cpu_goal
    kept_ok = worst_kept > 0 && worst_kept <= cpu_goal
    mem_ok = rss[np] <= rss[ne] / 3
    # Two CPU verdicts: on keep-alive connections, as Prometheus scrapes; and in every mode,
    # where a new connection per scrape adds what the HTTP server costs per connection.
    printf "\ngoals (%s): CPU per scrape <= %.1f of node_exporter on keep-alive connections" \
           " (as Prometheus scrapes): %s (worst ratio %.3f); in every mode: %s (worst ratio" \
           " %.3f); VmRSS <= 1/3: %s (%.3f)\n", set, cpu_goal,
           worst_kept == 0 ? "not measured" : kept_ok ? "met" : "MISSED", worst_kept,
           cpu_ok ? "met" : "MISSED", worst, mem_ok ? "met" : "MISSED", rss[np] / rss[ne]
    printf "summary scrapes=%d%s worst_cpu_ratio=%.3f worst_keepalive_cpu_ratio=%.3f" \
           " np_rss_kb=%d ne_rss_kb=%d rss_ratio=%.3f" \
           " np_hwm_kb=%d ne_hwm_kb=%d hwm_ratio=%.3f floor_us=%.1f file_nr_us=%.1f" \
           " cpu_goal=%s cpu_goal_keepalive=%s memory_goal=%s\n",
           scrapes, summary_cpu, worst, worst_kept, rss[np], rss[ne], rss[np] / rss[ne], hwm[np],
           hwm[ne], hwm[np] / hwm[ne], floor_us, filenr_us, cpu_ok ? "met" : "missed",
           worst_kept == 0 ? "unmeasured" : kept_ok ? "met" : "missed", mem_ok ? "met" : "missed"
  }' "$work/results"

echo
echo "floor, file by file:"
grep -v '^floor ' "$work/floor"

if [[ ${BREAKDOWN:-1} == 1 ]]; then
  echo
  echo "nodeprobe's scrape taken apart, in one process without HTTP (CPU per call):"
  "$scrape_cost" --iterations 1000 "${collectors[@]}" \
    --collector.textfile.directory="$work/textfile"
fi
