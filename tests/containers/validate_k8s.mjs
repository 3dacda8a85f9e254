// Validates Kubernetes objects against their schemas with kubernetes-models (npm):
//   node validate_k8s.mjs FILE.yaml...          (multi-document YAML; "-" reads stdin)
// HOTPOD_NPM_DIR is the directory whose node_modules has kubernetes-models,
// @kubernetes-models/validate, @kubernetes-models/prometheus-operator and yaml (the tests install
// them into /var/cache/hotpod-test/npm). Each object's apiVersion/kind is mapped to its model
// class; `validate()` checks types, required fields, enums and formats (quantities, ports...).
// Prometheus Operator's CRDs (ServiceMonitor, PrometheusRule) are validated the same way,
// against the OpenAPI schemas of the operator's CRDs that @kubernetes-models/prometheus-operator
// generates models from. An apiVersion/kind without a model is an error, so nothing passes
// unchecked. Prints one line per object; exits 1 on the first file with an invalid object.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const npmDir = process.env.HOTPOD_NPM_DIR;
if (!npmDir) {
  console.error("HOTPOD_NPM_DIR is not set");
  process.exit(2);
}
const load = (pkg, sub) =>
  import(pathToFileURL(join(npmDir, "node_modules", pkg, sub, "index.js")).href);
const YAML = await import(pathToFileURL(join(npmDir, "node_modules", "yaml", "dist", "index.js")).href);

// apiVersion → [package, directory of the model classes]
function modelsFor(apiVersion) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  if (group === "monitoring.coreos.com") {
    return ["@kubernetes-models/prometheus-operator", `${group}/${version}`];
  }
  return ["kubernetes-models", group ? `${group}/${version}` : version];
}

let failed = 0;
let count = 0;
for (const file of process.argv.slice(2)) {
  const text = readFileSync(file === "-" ? 0 : file, "utf8");
  for (const doc of YAML.parseAllDocuments(text)) {
    if (doc.errors.length) {
      console.log(`${file}: YAML error: ${doc.errors[0].message}`);
      failed++;
      continue;
    }
    const obj = doc.toJS();
    if (obj === null || obj === undefined) continue;
    count++;
    const where = `${file}: ${obj.apiVersion}/${obj.kind} ${obj.metadata?.name ?? "(no name)"}`;
    let Model;
    try {
      const [pkg, dir] = modelsFor(String(obj.apiVersion));
      Model = (await load(pkg, dir))[obj.kind];
    } catch (e) {
      Model = undefined;
    }
    if (typeof Model !== "function") {
      console.log(`${where}: INVALID: no schema known for this apiVersion/kind`);
      failed++;
      continue;
    }
    try {
      new Model(obj).validate();
      console.log(`${where}: valid`);
    } catch (e) {
      const details = e.errors ? JSON.stringify(e.errors.slice(0, 5)) : "";
      console.log(`${where}: INVALID: ${e.message} ${details}`);
      failed++;
    }
  }
}
console.log(`${count} objects, ${failed} invalid`);
process.exit(failed ? 1 : 0);
