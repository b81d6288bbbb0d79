// Where each runtime's binary is. npm puts node_modules/.bin first on PATH,
// and node@24 (a devDependency) installs a `node` there, so "node" inside an
// npm script is Node 24. The machine's own Node 20 is found on PATH with
// every node_modules/.bin entry removed.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

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

/** The four legs, each with its binary; throws with a clear message if one is missing. */
export function runtimes() {
  const node20 = onPath("node");
  const node24 = join(root, "node_modules/node24/bin/node");
  const deno = join(root, "node_modules/.bin/deno");
  const bun = join(root, "node_modules/.bin/bun");
  const missing = [];
  if (!node20) missing.push("the machine's own node (Node 20) on PATH");
  for (const [name, bin] of [["node24", node24], ["deno", deno], ["bun", bun]]) {
    if (!existsSync(bin)) missing.push(`${name} at ${bin} (run npm ci)`);
  }
  if (missing.length) throw new Error(`missing runtimes: ${missing.join("; ")}`);
  const v20 = version(node20);
  if (!v20.startsWith("v20.")) throw new Error(`expected Node 20 on PATH, found ${v20} at ${node20}`);
  const v24 = version(node24);
  if (!v24.startsWith("v24.")) throw new Error(`expected Node 24 at ${node24}, found ${v24}`);
  return { node20, node24, deno, bun };
}
