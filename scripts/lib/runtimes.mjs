// Where each runtime's binary is. npm puts node_modules/.bin first on PATH,
// and node@24 (a devDependency) installs a `node` there, so "node" inside an
// npm script is Node 24. The machine's own Node 20 is found on PATH with
// every node_modules/.bin entry removed. Node 22, 24 and 26 are the `node`
// package from npm under the aliases node22, node24 and node26.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** The Node lines every Node leg runs on, oldest first; 20 is the machine's own. */
export const NODE_LINES = [20, 22, 24, 26];

function onPath(name) {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (!dir || dir.includes("node_modules")) continue;
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

function version(bin, args = ["--version"]) {
  return execFileSync(bin, args, { encoding: "utf8" }).trim().split("\n")[0];
}

/** Every leg's binary (node20 … node26, deno, bun); throws with a clear message if one is missing. */
export function runtimes() {
  const bins = { node20: onPath("node") };
  for (const line of NODE_LINES.slice(1)) bins[`node${line}`] = join(root, `node_modules/node${line}/bin/node`);
  bins.deno = join(root, "node_modules/.bin/deno");
  bins.bun = join(root, "node_modules/.bin/bun");
  const missing = [];
  if (!bins.node20) missing.push("the machine's own node (Node 20) on PATH");
  for (const [name, bin] of Object.entries(bins)) {
    if (name !== "node20" && !existsSync(bin)) missing.push(`${name} at ${bin} (run npm ci)`);
  }
  if (missing.length) throw new Error(`missing runtimes: ${missing.join("; ")}`);
  for (const line of NODE_LINES) {
    const bin = bins[`node${line}`];
    const v = version(bin);
    if (!v.startsWith(`v${line}.`)) throw new Error(`expected Node ${line} at ${bin}, found ${v}`);
  }
  return bins;
}
