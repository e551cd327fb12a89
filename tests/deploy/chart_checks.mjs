// What the chart promises (docs/deploy.md), checked on its renderings:
//   node chart_checks.mjs TOOLS_DIR REPO_ROOT DEFAULT.yaml ALL_ON.yaml PRIVILEGED.yaml [NODEPROBE]
// DEFAULT: default values; ALL_ON: every toggle on (helm_test.sh lists them); PRIVILEGED: the
// privileged fallback without host namespaces and optional mounts. With NODEPROBE, every flag the
// default rendering passes must be one the agent knows.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [toolsDir, repo, defaultFile, allFile, privilegedFile, binary] = process.argv.slice(2);
const { parseAllDocuments, parse } = await import(
  pathToFileURL(path.join(toolsDir, "node_modules/yaml/dist/index.js"))
);
const load = (f) => parseAllDocuments(fs.readFileSync(f, "utf8")).map((d) => d.toJS()).filter(Boolean);
const chartFiles = path.join(repo, "deploy/helm/nodeprobe/files");

let checks = 0;
const failures = [];
function check(name, fn) {
  checks++;
  try {
    fn();
  } catch (e) {
    failures.push(name);
    console.error(`FAIL: ${name}\n  ${e.message.split("\n").join("\n  ")}`);
  }
}
const one = (objs, kind) => {
  const found = objs.filter((o) => o.kind === kind);
  assert.equal(found.length, 1, `one ${kind}`);
  return found[0];
};

// --- default values ---------------------------------------------------------------------------
{
  const objs = load(defaultFile);
  check("default: the expected objects and no Operator objects", () => {
    assert.deepEqual(objs.map((o) => o.kind).sort(),
      ["ClusterRole", "ClusterRoleBinding", "DaemonSet", "Service", "ServiceAccount"]);
  });
  const ds = one(objs, "DaemonSet");
  const pod = ds.spec.template.spec;
  const c = pod.containers[0];
  check("default: host namespaces, priority, every node, rolling update", () => {
    assert.equal(pod.hostPID, true);
    assert.equal(pod.hostNetwork, true);
    assert.equal(pod.dnsPolicy, "ClusterFirstWithHostNet");
    assert.equal(pod.priorityClassName, "system-node-critical");
    assert.deepEqual(pod.tolerations, [{ operator: "Exists" }]);
    assert.equal(ds.spec.updateStrategy.type, "RollingUpdate");
    assert.equal(pod.serviceAccountName, one(objs, "ServiceAccount").metadata.name);
  });
  check("default: host paths mounted read-only where the --path flags point", () => {
    const volumes = Object.fromEntries(pod.volumes.map((v) => [v.name, v.hostPath.path]));
    const mounts = Object.fromEntries(c.volumeMounts.map((m) => [m.mountPath, m]));
    assert.deepEqual(
      Object.fromEntries(c.volumeMounts.map((m) => [m.mountPath, volumes[m.name]])),
      {
        "/host/proc": "/proc",
        "/host/sys": "/sys",
        "/host/root": "/",
        "/host/sys/fs/cgroup": "/sys/fs/cgroup",
        "/host/sys/kernel/btf": "/sys/kernel/btf",
      });
    for (const m of c.volumeMounts) assert.equal(m.readOnly, true, `${m.mountPath} read-only`);
    assert.equal(mounts["/host/root"].mountPropagation, "HostToContainer");
    for (const [flag, dir] of [["procfs", "/host/proc"], ["sysfs", "/host/sys"], ["rootfs", "/host/root"]]) {
      assert.ok(c.args.includes(`--path.${flag}=${dir}`), `--path.${flag}=${dir}`);
    }
    assert.ok(c.args.includes("--path.udev.data=/host/root/run/udev/data"));
  });
  check("default: least privilege", () => {
    const sc = c.securityContext;
    assert.equal(sc.readOnlyRootFilesystem, true);
    assert.equal(sc.privileged, false);
    assert.equal(sc.allowPrivilegeEscalation, false);
    assert.deepEqual(sc.capabilities, { drop: ["ALL"], add: ["BPF", "PERFMON", "DAC_READ_SEARCH"] });
    assert.equal(sc.seccompProfile.type, "RuntimeDefault");
  });
  check("default: NODE_NAME from the Downward API, probes, port, resources", () => {
    const env = c.env.find((e) => e.name === "NODE_NAME");
    assert.equal(env.valueFrom.fieldRef.fieldPath, "spec.nodeName");
    assert.deepEqual(c.ports, [{ name: "metrics", containerPort: 9110, protocol: "TCP" }]);
    assert.ok(c.args.includes("--web.listen-address=:9110"));
    assert.deepEqual(c.livenessProbe.httpGet, { path: "/healthz", port: "metrics" });
    assert.deepEqual(c.readinessProbe.httpGet, { path: "/readyz", port: "metrics" });
    for (const r of ["cpu", "memory"]) {
      assert.ok(c.resources.requests[r] && c.resources.limits[r], `${r} request and limit`);
    }
  });
  check("default: headless Service with the port named metrics, selecting the pods", () => {
    const svc = one(objs, "Service");
    assert.equal(svc.spec.clusterIP, "None");
    assert.deepEqual(svc.spec.ports.map((p) => [p.name, p.port, p.targetPort]), [["metrics", 9110, "metrics"]]);
    for (const [k, v] of Object.entries(svc.spec.selector)) {
      assert.equal(ds.spec.template.metadata.labels[k], v, `pod label ${k}`);
    }
  });
  check("default: RBAC reads pods and nothing else", () => {
    assert.deepEqual(one(objs, "ClusterRole").rules,
      [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] }]);
    const binding = one(objs, "ClusterRoleBinding");
    assert.equal(binding.roleRef.name, one(objs, "ClusterRole").metadata.name);
    assert.deepEqual(binding.subjects, [{ kind: "ServiceAccount", name: "nodeprobe", namespace: "monitoring" }]);
  });
  if (binary) {
    check("default: every flag passed is one the agent knows", () => {
      const help = execFileSync(binary, ["--help"], { encoding: "utf8" });
      for (const arg of c.args) {
        const flag = arg.split("=")[0];
        assert.ok(new RegExp(`(^|[\\s,])${flag.replace(/\./g, "\\.")}[\\s=,{]`, "m").test(help), `${flag} in --help`);
      }
    });
  }
}

// --- every toggle on --------------------------------------------------------------------------
{
  const objs = load(allFile);
  const ds = one(objs, "DaemonSet");
  const c = ds.spec.template.spec.containers[0];
  check("all on: ServiceMonitor", () => {
    const sm = one(objs, "ServiceMonitor");
    assert.equal(sm.metadata.labels.release, "kube-prometheus-stack");
    const ep = sm.spec.endpoints[0];
    assert.equal(ep.port, "metrics");
    assert.equal(ep.interval, "30s");
    assert.equal(ep.scrapeTimeout, "10s");
    assert.equal(ep.honorLabels, true);
    assert.ok(ep.relabelings.some((r) =>
      r.sourceLabels?.[0] === "__meta_kubernetes_pod_node_name" && r.targetLabel === "instance"),
      "node name relabelled to instance");
    assert.deepEqual(ep.metricRelabelings,
      [{ action: "drop", sourceLabels: ["__name__"], regex: "node_scrape_collector_duration_seconds" }]);
    const svc = one(objs, "Service");
    for (const [k, v] of Object.entries(sm.spec.selector.matchLabels)) {
      assert.equal(svc.metadata.labels[k], v, `Service label ${k}`);
    }
    assert.deepEqual(sm.spec.namespaceSelector.matchNames, [svc.metadata.namespace]);
  });
  check("all on: PrometheusRule carries exactly the rule file promtool tests", () => {
    const rule = one(objs, "PrometheusRule");
    assert.equal(rule.metadata.labels.release, "kube-prometheus-stack");
    const file = parse(fs.readFileSync(path.join(chartFiles, "nodeprobe.rules.yaml"), "utf8"));
    assert.deepEqual(rule.spec, file);
  });
  check("all on: one dashboard ConfigMap per dashboard, labelled for Grafana's sidecar", () => {
    const maps = objs.filter((o) => o.kind === "ConfigMap");
    const files = fs.readdirSync(path.join(chartFiles, "dashboards")).filter((f) => f.endsWith(".json"));
    assert.equal(maps.length, files.length);
    assert.ok(files.length >= 3);
    for (const m of maps) {
      assert.equal(m.metadata.labels.grafana_dashboard, "1");
      const [[key, text]] = Object.entries(m.data);
      const source = key.replace(/^nodeprobe-/, "");
      assert.deepEqual(JSON.parse(text),
        JSON.parse(fs.readFileSync(path.join(chartFiles, "dashboards", source), "utf8")));
    }
  });
  check("all on: tracefs, pod labels, extra flags and capabilities", () => {
    assert.ok(c.volumeMounts.some((m) => m.mountPath === "/host/sys/kernel/tracing" && m.readOnly));
    assert.ok(c.args.includes("--collector.kubernetes.pod-labels=app.kubernetes.io/name"));
    assert.ok(c.args.includes("--collector.textfile.directory=/host/root/var/lib/node_exporter"));
    assert.deepEqual(c.securityContext.capabilities.add, ["BPF", "PERFMON", "DAC_READ_SEARCH", "SYS_PTRACE"]);
    assert.equal(ds.spec.template.metadata.annotations["example.com/team"], "observability");
  });
}

// --- privileged fallback ----------------------------------------------------------------------
{
  const objs = load(privilegedFile);
  const pod = one(objs, "DaemonSet").spec.template.spec;
  const sc = pod.containers[0].securityContext;
  check("privileged: privileged, no capability lists, host namespaces off", () => {
    assert.equal(sc.privileged, true);
    assert.equal(sc.capabilities, undefined);
    assert.equal(sc.readOnlyRootFilesystem, true);
    assert.equal(pod.hostNetwork, false);
    assert.equal(pod.hostPID, false);
    assert.equal(pod.dnsPolicy, undefined);
    assert.deepEqual(pod.containers[0].volumeMounts.map((m) => m.mountPath).sort(),
      ["/host/proc", "/host/root", "/host/sys"]);
  });
}

console.log(`${checks - failures.length} passed, ${failures.length} failed`);
process.exit(failures.length ? 1 : 0);
