#!/usr/bin/env node
// Fails when the npm and JSR manifests of a package drift apart: every
// packages/* has package.json and deno.json with the same name and version,
// the same export entry points (npm's "@corral/source" condition and JSR's
// export point at the same source file; npm lists "types" first), internal
// dependencies pinned to the monorepo's single version, and the Deno
// workspace lists every package.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { root } from "./lib/runtimes.mjs";

const problems = [];
const read = (p) => JSON.parse(readFileSync(p, "utf8"));
const rootDeno = read(join(root, "deno.json"));
const versions = new Set();
const names = [];

for (const dir of readdirSync(join(root, "packages")).sort()) {
  const base = join(root, "packages", dir);
  const npmPath = join(base, "package.json");
  const jsrPath = join(base, "deno.json");
  if (!existsSync(npmPath) || !existsSync(jsrPath)) {
    problems.push(`packages/${dir}: needs both package.json and deno.json`);
    continue;
  }
  const npm = read(npmPath);
  const jsr = read(jsrPath);
  const where = `packages/${dir}`;
  names.push(npm.name);
  if (npm.name !== `@corral/${dir}`) problems.push(`${where}: npm name ${npm.name} should be @corral/${dir}`);
  if (jsr.name !== npm.name) problems.push(`${where}: JSR name ${jsr.name} differs from npm name ${npm.name}`);
  if (jsr.version !== npm.version) problems.push(`${where}: JSR version ${jsr.version} ≠ npm version ${npm.version}`);
  versions.add(npm.version);
  if (npm.type !== "module") problems.push(`${where}: package.json must say "type": "module"`);

  const npmExports = npm.exports ?? {};
  const jsrExports = typeof jsr.exports === "string" ? { ".": jsr.exports } : (jsr.exports ?? {});
  const npmKeys = Object.keys(npmExports).sort();
  const jsrKeys = Object.keys(jsrExports).sort();
  if (npmKeys.join() !== jsrKeys.join()) {
    problems.push(`${where}: export entry points differ — npm [${npmKeys}] vs JSR [${jsrKeys}]`);
  }
  for (const key of npmKeys) {
    const entry = npmExports[key];
    if (typeof entry !== "object") {
      problems.push(`${where}: npm export "${key}" must be a conditions object`);
      continue;
    }
    const conditions = Object.keys(entry);
    if (conditions[0] !== "types") problems.push(`${where}: npm export "${key}" must list "types" first`);
    const source = entry["@corral/source"];
    if (source !== jsrExports[key]) {
      problems.push(`${where}: export "${key}" source ${source} (npm) ≠ ${jsrExports[key]} (JSR)`);
    }
    if (source && !existsSync(join(base, source))) problems.push(`${where}: ${source} does not exist`);
    const js = entry.default ?? entry.import;
    const dts = entry.types;
    if (source && js !== source.replace(/^\.\/src\//, "./dist/").replace(/\.ts$/, ".js")) {
      problems.push(`${where}: npm export "${key}" should point at the built ${source} (got ${js})`);
    }
    if (source && dts !== source.replace(/^\.\/src\//, "./dist/").replace(/\.ts$/, ".d.ts")) {
      problems.push(`${where}: npm export "${key}" types should be the built .d.ts (got ${dts})`);
    }
  }
  for (const [dep, range] of Object.entries(npm.dependencies ?? {})) {
    if (dep.startsWith("@corral/") && range !== npm.version) {
      problems.push(`${where}: depends on ${dep}@${range}, not the monorepo version ${npm.version}`);
    }
  }
  if (!(rootDeno.workspace ?? []).includes(`./packages/${dir}`)) {
    problems.push(`deno.json: workspace does not list ./packages/${dir}`);
  }
}
if (versions.size > 1) problems.push(`packages are not in lockstep: versions ${[...versions].join(", ")}`);

if (problems.length) {
  console.error(`check-packages: ${problems.length} problem(s)\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
console.log(`check-packages: ${names.length} packages (${names.join(", ")}), npm and JSR manifests agree`);
