// Validates Kubernetes manifests (multi-document YAML files) against the Kubernetes and
// Prometheus Operator schemas of the npm packages kubernetes-models and
// @kubernetes-models/prometheus-operator (installed by scripts/install-deploy-tools.sh).
//
//   node validate.mjs TOOLS_DIR FILE.yaml...
//
// Two checks per object:
//  - the package's validate(): types, enums, required fields, formats;
//  - unknown fields: those schemas allow extra properties, so a misspelt field
//    (`mountPropogation`) would pass them, while the API server rejects or drops it. The
//    property lists of the packages' type declarations (.d.ts) are walked instead.
// Exits non-zero and names every problem; prints one line per valid object.
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [toolsDir, ...files] = process.argv.slice(2);
if (!toolsDir || files.length === 0) {
  console.error("usage: node validate.mjs TOOLS_DIR FILE.yaml...");
  process.exit(2);
}
const modules = path.join(toolsDir, "node_modules");
const { parseAllDocuments } = await import(pathToFileURL(path.join(modules, "yaml/dist/index.js")));

// apiVersion -> folder of the model classes, one <Kind>.js/.d.ts per kind.
function modelBase(apiVersion) {
  if (apiVersion === "monitoring.coreos.com/v1") {
    return path.join(modules, "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1");
  }
  return path.join(modules, "kubernetes-models", apiVersion);
}

// --- unknown-field check from the .d.ts declarations -------------------------------------------
const declarations = new Map();  // .d.ts path -> Map(prop -> type ref) or null for a leaf type

function resolveImport(fromFile, spec) {
  let target;
  if (spec.startsWith(".")) {
    target = path.resolve(path.dirname(fromFile), spec);
  } else {
    target = path.join(modules, spec);
  }
  return target.replace(/\.js$/, "") + ".d.ts";
}

// Returns Map(prop -> {file, array}) for a class declaration, or null for a type without one
// (strings, quantities, IntOrString, durations, maps): those are not walked.
function properties(dtsFile) {
  if (declarations.has(dtsFile)) return declarations.get(dtsFile);
  const text = fs.readFileSync(dtsFile, "utf8");
  const imports = new Map();
  for (const m of text.matchAll(/import \{ (\w+) \} from "([^"]+)";/g)) {
    imports.set(m[1], resolveImport(dtsFile, m[2]));
  }
  const start = text.search(/export declare class \w+ extends Model<[^>]*>[^{]*\{/);
  if (start < 0) {
    declarations.set(dtsFile, null);
    return null;
  }
  const props = new Map();
  const lines = text.slice(start).split("\n").slice(1);
  let depth = 0;
  for (const line of lines) {
    if (depth === 0) {
      if (/^\s*constructor\(/.test(line) || /^}/.test(line)) break;
      const m = line.match(/^\s*"([^"]+)"\??: (.*);?$/);
      if (m) {
        const type = m[2].replace(/;$/, "").trim();
        const arr = type.match(/^Array<(\w+)>$/);
        const name = arr ? arr[1] : type;
        props.set(m[1], { file: imports.get(name) ?? null, array: Boolean(arr) });
      }
    }
    depth += (line.match(/\{/g) || []).length - (line.match(/\}/g) || []).length;
  }
  declarations.set(dtsFile, props);
  return props;
}

function unknownFields(value, dtsFile, where, problems) {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return;
  const props = properties(dtsFile);
  if (props === null) return;
  for (const [key, child] of Object.entries(value)) {
    const prop = props.get(key);
    if (!prop) {
      problems.push(`${where}/${key}: unknown field`);
      continue;
    }
    if (!prop.file || !fs.existsSync(prop.file)) continue;
    if (prop.array && Array.isArray(child)) {
      child.forEach((item, i) => unknownFields(item, prop.file, `${where}/${key}/${i}`, problems));
    } else {
      unknownFields(child, prop.file, `${where}/${key}`, problems);
    }
  }
}

// --- main -------------------------------------------------------------------------------------
let failures = 0;
let objects = 0;
for (const file of files) {
  const docs = parseAllDocuments(fs.readFileSync(file, "utf8"));
  for (const doc of docs) {
    if (doc.errors.length) {
      console.error(`${file}: YAML error: ${doc.errors[0].message}`);
      failures++;
      continue;
    }
    const obj = doc.toJS();
    if (obj === null || obj === undefined) continue;
    objects++;
    const id = `${file}: ${obj.kind ?? "?"} ${obj.metadata?.namespace ?? ""}/${obj.metadata?.name ?? "?"}`;
    const base = modelBase(String(obj.apiVersion));
    const js = path.join(base, `${obj.kind}.js`);
    if (!obj.kind || !fs.existsSync(js)) {
      console.error(`${id}: no schema for apiVersion ${obj.apiVersion} kind ${obj.kind}`);
      failures++;
      continue;
    }
    const problems = [];
    const Model = (await import(pathToFileURL(js)))[obj.kind];
    try {
      new Model(obj).validate();
    } catch (e) {
      problems.push(e.message);
    }
    unknownFields(obj, path.join(base, `${obj.kind}.d.ts`), "", problems);
    if (problems.length) {
      failures++;
      console.error(`${id}: INVALID`);
      for (const p of problems) console.error(`  ${p}`);
    } else {
      console.log(`${id}: valid`);
    }
  }
}
if (objects === 0) {
  console.error("no objects found");
  process.exit(1);
}
process.exit(failures ? 1 : 0);
