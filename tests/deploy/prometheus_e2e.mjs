// End to end with a real Prometheus (Debian's, on loopback, in a temporary directory):
// nodeprobe is scraped with the configuration the chart's ServiceMonitor makes the Operator
// generate (honor_labels, the node name relabelled to `instance`, the Operator's target labels),
// with the chart's rule file loaded. Then:
//  - `up` is 1 for the target, named by its node;
//  - every rule is healthy and every recording rule yields series;
//  - every dashboard variable has values, and every dashboard panel's query parses and returns
//    data, with Grafana's variables replaced as Grafana would.
//
//   node prometheus_e2e.mjs TOOLS_DIR NODEPROBE_BINARY REPO_ROOT
//
// The Kubernetes Job and workload families need a cluster, which this machine lacks: they come
// from stand-in samples in a textfile (and the agent's own kubernetes/workloads collectors, when
// the binary has them, are switched off so they cannot clash). Everything else is the agent's own
// output on this host, eBPF families included (CI runs as root on a kernel with BTF).
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { execFileSync } from "node:child_process";

const [toolsDir, binary, repo] = process.argv.slice(2).map((p) => path.resolve(p));
const { parse } = await import(pathToFileURL(path.join(toolsDir, "node_modules/yaml/dist/index.js")));
const chart = path.join(repo, "deploy/helm/nodeprobe");
const rulesFile = path.join(chart, "files/nodeprobe.rules.yaml");
const dashboardsDir = path.join(chart, "files/dashboards");
const NODE = "e2e-node";
const SCRAPE_SECONDS = Number(process.env.NODEPROBE_E2E_SCRAPE_SECONDS ?? 15);

const failures = [];
let passed = 0;
let skipped = 0;
// The eBPF probes load only as root on a kernel with BTF (CI has both). Elsewhere the queries on
// their families are still checked to parse, and their "returns data" checks are skipped, said so.
const ebpfFamilies = /node_sched_runqueue_latency|node_disk_io_latency|node_process_(execs|exits|lifetime)|node_oom_kills_total|node_tcp_retransmits_total|nodeprobe_ebpf_/;
const ebpfReason = process.getuid() !== 0 ? "not root" :
  !fs.existsSync("/sys/kernel/btf/vmlinux") ? "the kernel exposes no BTF" : null;
function checkData(ok, what, expr) {
  if (!ok && ebpfReason && ebpfFamilies.test(expr)) {
    skipped++;
    console.log(`SKIP: ${what} (eBPF probes cannot load: ${ebpfReason})`);
    return;
  }
  check(ok, what);
}
function check(ok, what) {
  if (ok) {
    passed++;
  } else {
    failures.push(what);
    console.error(`FAIL: ${what}`);
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(url, what, timeoutMs = 20000) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {}
    await sleep(200);
  }
  throw new Error(`${what} did not answer ${url} within ${timeoutMs} ms`);
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nodeprobe-prom-e2e-"));
const children = [];
function start(cmd, args, name) {
  const log = fs.openSync(path.join(tmp, `${name}.log`), "w");
  const child = spawn(cmd, args, { stdio: ["ignore", log, log] });
  child.on("exit", (code, signal) => {
    if (!child.stopping) console.error(`${name} exited early (${code ?? signal}); log in ${tmp}`);
  });
  children.push(child);
  return child;
}
function stopAll() {
  for (const c of children) {
    c.stopping = true;
    if (c.exitCode === null && c.signalCode === null) c.kill("SIGTERM");
  }
}
// Stops the children and waits for them to exit (so none is left behind, not even as a zombie).
async function stopAndWait() {
  stopAll();
  await Promise.all(
    children.map((c) =>
      c.exitCode !== null || c.signalCode !== null
        ? null
        : new Promise((resolve) => {
            const timer = setTimeout(() => c.kill("SIGKILL"), 10000);
            c.on("exit", () => {
              clearTimeout(timer);
              resolve();
            });
          }),
    ),
  );
}
process.on("exit", stopAll);
process.on("unhandledRejection", async (e) => {
  console.error(e);
  await stopAndWait();
  process.exit(1);
});

// --- the stand-in Kubernetes families ----------------------------------------------------------
const textfileDir = path.join(tmp, "textfile");
fs.mkdirSync(textfileDir);
fs.writeFileSync(path.join(textfileDir, "kubernetes-standin.prom"), `\
# HELP node_kubernetes_job_pods_finished_total Stand-in for the e2e test: pods of Jobs finished on this node, by result.
# TYPE node_kubernetes_job_pods_finished_total counter
node_kubernetes_job_pods_finished_total{namespace="batch",job_name="nightly",result="succeeded"} 3
node_kubernetes_job_pods_finished_total{namespace="batch",job_name="nightly",result="failed"} 1
# HELP node_workload_cpu_usage_seconds_total Stand-in for the e2e test: CPU time of a container.
# TYPE node_workload_cpu_usage_seconds_total counter
node_workload_cpu_usage_seconds_total{namespace="batch",pod="nightly-x7k2p",container="main"} 12.5
# HELP node_workload_memory_working_set_bytes Stand-in for the e2e test: working set of a container.
# TYPE node_workload_memory_working_set_bytes gauge
node_workload_memory_working_set_bytes{namespace="batch",pod="nightly-x7k2p",container="main"} 1.2e+08
# HELP node_workload_oom_kills_total Stand-in for the e2e test: OOM kills in a container.
# TYPE node_workload_oom_kills_total counter
node_workload_oom_kills_total{namespace="batch",pod="nightly-x7k2p",container="main"} 0
`);

// --- nodeprobe ---------------------------------------------------------------------------------
const agentPort = await freePort();
const help = execFileSync(binary, ["--help"], { encoding: "utf8" });
const agentArgs = [
  `--web.listen-address=127.0.0.1:${agentPort}`,
  `--collector.textfile.directory=${textfileDir}`,
];
for (const c of ["kubernetes", "workloads"]) {
  if (help.includes(`--no-collector.${c}`)) agentArgs.push(`--no-collector.${c}`);
}
start(binary, agentArgs, "nodeprobe");
await waitFor(`http://127.0.0.1:${agentPort}/readyz`, "nodeprobe");

// --- Prometheus, configured as the Operator would from the ServiceMonitor ----------------------
// The Operator's kubernetes_sd gives each endpoint the pod's node, namespace, pod and container
// as target labels; static labels stand in for that discovery here.
const promPort = await freePort();
const config = {
  global: { scrape_interval: "1s", scrape_timeout: "1s", evaluation_interval: "1s" },
  rule_files: [rulesFile],
  scrape_configs: [
    {
      job_name: "serviceMonitor/monitoring/nodeprobe/0",
      honor_labels: true,
      metrics_path: "/metrics",
      scheme: "http",
      static_configs: [
        {
          targets: [`127.0.0.1:${agentPort}`],
          labels: {
            __meta_kubernetes_pod_node_name: NODE,
            namespace: "monitoring",
            pod: "nodeprobe-x1y2z",
            container: "nodeprobe",
            service: "nodeprobe",
            endpoint: "metrics",
          },
        },
      ],
      // The ServiceMonitor's relabelings: the node name becomes `instance`.
      relabel_configs: [
        { action: "replace", source_labels: ["__meta_kubernetes_pod_node_name"], target_label: "instance" },
      ],
    },
  ],
};
const configFile = path.join(tmp, "prometheus.yml");
fs.writeFileSync(configFile, JSON.stringify(config, null, 2));
execFileSync("promtool", ["check", "config", configFile], { stdio: "inherit" });
start("prometheus", [
  `--config.file=${configFile}`,
  `--storage.tsdb.path=${path.join(tmp, "data")}`,
  `--web.listen-address=127.0.0.1:${promPort}`,
], "prometheus");
const api = `http://127.0.0.1:${promPort}/api/v1`;
await waitFor(`http://127.0.0.1:${promPort}/-/ready`, "prometheus", 30000);

async function query(expr) {
  const r = await fetch(`${api}/query?query=${encodeURIComponent(expr)}`);
  const body = await r.json();
  if (body.status !== "success") return { error: `${body.errorType}: ${body.error}`, result: [] };
  return { result: body.data.result };
}

// Prometheus applies discovered targets every 5 s: wait for the first scrape, then let it
// scrape long enough for rates and the rules (evaluated every second) to have data.
{
  const end = Date.now() + 30000;
  while (Date.now() < end && (await query("up")).result.length === 0) await sleep(250);
}
console.log(`scraping for ${SCRAPE_SECONDS} s (logs in ${tmp})`);
await sleep(SCRAPE_SECONDS * 1000);

// --- the target -------------------------------------------------------------------------------
{
  const { result } = await query('up{job="serviceMonitor/monitoring/nodeprobe/0"}');
  check(result.length === 1 && result[0].value[1] === "1", `up is 1 (got ${JSON.stringify(result)})`);
  check(result[0]?.metric.instance === NODE, `instance is the node name (got ${result[0]?.metric.instance})`);
  // honor_labels: the workload series keep the namespace the agent wrote, the node series get
  // the target's.
  const w = await query("node_workload_cpu_usage_seconds_total");
  check(w.result[0]?.metric.namespace === "batch", "honor_labels keeps the agent's namespace label");
  const n = await query("node_load1");
  check(n.result[0]?.metric.namespace === "monitoring", "node series carry the target's namespace");
  // The eBPF families are the agent's own.
  for (const family of ["node_sched_runqueue_latency_seconds_bucket", "node_process_execs_total"]) {
    const { result: r } = await query(family);
    checkData(r.length > 0, `the agent serves ${family} on this host`, family);
  }
}

// --- rules ------------------------------------------------------------------------------------
const rulesDoc = parse(fs.readFileSync(rulesFile, "utf8"));
{
  const r = await (await fetch(`${api}/rules`)).json();
  const loaded = r.data.groups.flatMap((g) => g.rules);
  const defined = rulesDoc.groups.flatMap((g) => g.rules);
  check(loaded.length === defined.length, `all ${defined.length} rules loaded (got ${loaded.length})`);
  for (const rule of loaded) {
    check(rule.health === "ok", `rule ${rule.name} is healthy (${rule.health} ${rule.lastError ?? ""})`);
  }
  const records = [...new Set(defined.filter((x) => x.record).map((x) => x.record))];
  for (const record of records) {
    const { result, error } = await query(record);
    check(!error, `recording rule ${record} can be queried ${error ?? ""}`);
    const expr = defined.find((x) => x.record === record).expr;
    checkData(result.length > 0, `recording rule ${record} yields series`, expr);
  }
}

// A collector whose feature this host lacks reports success 0 from the start: that must not
// make NodeprobeCollectorFailing pending or firing.
{
  const absent = await query("node_scrape_collector_success == 0");
  const alerts = await query('ALERTS{alertname="NodeprobeCollectorFailing"}');
  if (absent.result.length === 0) {
    console.log("SKIP: every collector succeeds on this host; no absent feature to check the alert on");
    skipped++;
  } else {
    const names = absent.result.map((r) => r.metric.collector).join(", ");
    check(alerts.result.length === 0,
      `NodeprobeCollectorFailing stays silent for collectors absent here (${names}): ${JSON.stringify(alerts.result)}`);
  }
}

// --- dashboards -------------------------------------------------------------------------------
// Grafana's variables, as Grafana substitutes them for this one node.
const substitutions = {
  $__rate_interval: "1m",
  $__interval: "15s",
  $__range: "5m",
  $instance: NODE,
  $device: ".*",
  $namespace: ".*",
};
function substitute(expr) {
  let out = expr;
  for (const [name, value] of Object.entries(substitutions)) out = out.split(name).join(value);
  return out;
}
let panels = 0;
for (const file of fs.readdirSync(dashboardsDir).filter((f) => f.endsWith(".json")).sort()) {
  const dash = JSON.parse(fs.readFileSync(path.join(dashboardsDir, file), "utf8"));
  for (const v of dash.templating.list.filter((x) => x.type === "query")) {
    const m = v.definition.match(/^label_values\((.+), *(\w+)\)$/);
    check(m !== null, `${file}: variable ${v.name} is a label_values() query`);
    if (!m) continue;
    const match = substitute(m[1]);
    const r = await (await fetch(`${api}/label/${m[2]}/values?match[]=${encodeURIComponent(match)}`)).json();
    checkData(r.status === "success" && r.data.length > 0, `${file}: variable ${v.name} has values (${match})`, match);
  }
  for (const panel of dash.panels.filter((p) => p.type !== "row")) {
    for (const target of panel.targets) {
      panels++;
      const expr = substitute(target.expr);
      check(!expr.includes("$"), `${file}: "${panel.title}" uses only known variables: ${expr}`);
      const { result, error } = await query(expr);
      check(!error, `${file}: "${panel.title}" query parses: ${expr} ${error ?? ""}`);
      checkData(result.length > 0, `${file}: "${panel.title}" returns data: ${expr}`, expr);
    }
  }
}
check(panels >= 30, `the dashboards have their panels (${panels} queries)`);

await stopAndWait();
console.log(`${passed} passed, ${failures.length} failed, ${skipped} skipped`);
if (failures.length === 0) fs.rmSync(tmp, { recursive: true, force: true });
process.exit(failures.length ? 1 : 0);
