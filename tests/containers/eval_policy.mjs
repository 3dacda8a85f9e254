// Evaluates a ValidatingAdmissionPolicy's CEL the way the API server does, with a maintained CEL
// library (@marcbachmann/cel-js from npm), against example pods:
//   node eval_policy.mjs POLICY.yaml < pods.json     (a JSON object: name → pod)
// Variables are evaluated in order, each seeing `object` and the variables before it; then each
// validation. Prints a JSON object: pod name → the messages of the validations it fails
// (empty: the pod is admitted). HOTPOD_NPM_DIR has node_modules with the library and yaml.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const npmDir = process.env.HOTPOD_NPM_DIR;
const load = (path) => import(pathToFileURL(join(npmDir, "node_modules", path)).href);
const { evaluate } = await load("@marcbachmann/cel-js/lib/index.js");
const YAML = await load("yaml/dist/index.js");

const policy = YAML.parseAllDocuments(readFileSync(process.argv[2], "utf8"))
  .map((doc) => doc.toJS())
  .find((doc) => doc && doc.kind === "ValidatingAdmissionPolicy");
const pods = JSON.parse(readFileSync(0, "utf8"));
const verdicts = {};
for (const [name, pod] of Object.entries(pods)) {
  const variables = {};
  for (const variable of policy.spec.variables ?? []) {
    variables[variable.name] = evaluate(variable.expression, { object: pod, variables });
  }
  verdicts[name] = policy.spec.validations
    .filter((v) => evaluate(v.expression, { object: pod, variables }) !== true)
    .map((v) => v.message.trim());
}
console.log(JSON.stringify(verdicts, null, 1));
