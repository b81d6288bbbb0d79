#!/usr/bin/env node
// `npm test`: every check and every test, in order, on all six targets.
// Each step runs even when an earlier one failed, so one run shows every
// problem; the exit code is non-zero if any step failed. The last line is
// "N passed, M failed" (steps).
import { spawnSync } from "node:child_process";
import { readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { root, runtimes } from "./lib/runtimes.mjs";

const bins = runtimes();
const only = process.argv.slice(2);
const node = bins.node20;
const turbo = join(root, "node_modules/.bin/turbo");

// Every doc comment's @example runs (deno test --doc type-checks and runs
// them). Bun's adapter is left out: Deno has no types for the Bun global.
function sources(dir) {
  const out = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...sources(path));
    else if (entry.endsWith(".ts") && !entry.endsWith(".test.ts")) out.push(path);
  }
  return out;
}
const documented = ["core", "conformance", "node", "deno", "postgres", "redis", "hono", "otel"]
  .flatMap((p) => sources(join(root, "packages", p, "src")));

const steps = [
  ["format", bins.deno, ["fmt", "--check"]],
  ["lint", bins.deno, ["lint"]],
  ["typecheck (tsc)", node, [join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"]],
  // The PostgreSQL driver's sources and suite against postgres 4's types (the line above: postgres 3's).
  ["typecheck (tsc: the postgres driver on postgres 4)", node, [
    join(root, "node_modules/typescript/bin/tsc"),
    "-p",
    "packages/postgres/tsconfig.postgres4.json",
  ]],
  ["typecheck (deno)", bins.deno, ["check", "packages/deno/src/", "packages/deno/test/"]],
  // The sample worker: tsc (above) checks its shared src/ and Node shell; each other shell on its own checker.
  ["typecheck apps (deno check: Deno shell)", bins.deno, ["check", "apps/worker/deno/"]],
  ["typecheck apps (tsc: Bun shell)", node, [join(root, "node_modules/typescript/bin/tsc"), "-p", "apps/worker/bun"]],
  ["typecheck apps (deno check: the API's Deno shell)", bins.deno, ["check", "apps/api/deno/"]],
  ["typecheck apps (tsc: the API's Bun shell)", node, [
    join(root, "node_modules/typescript/bin/tsc"),
    "-p",
    "apps/api/bun",
  ]],
  // The checkers' own tests plant violations in temp trees, then check this repository.
  ["layering", node, ["--test", "--test-reporter=spec", "scripts/check-layers.test.mjs"]],
  // No import cycle between files and no file over 400 lines of code (scripts/check-structure.mjs).
  ["structure", node, ["--test", "--test-reporter=spec", "scripts/check-structure.test.mjs"]],
  // No console.assert call (it only logs) and no machine's absolute path in any file.
  ["hygiene", node, ["--test", "--test-reporter=spec", "scripts/check-hygiene.test.mjs"]],
  ["manifests", node, ["scripts/check-packages.mjs"]],
  ["services", "bash", ["scripts/services.sh", "--check"]],
  [
    "tests (all packages, all runtimes)",
    turbo,
    ["run", "test", "--concurrency=1", "--log-order=stream", "--output-logs=full", "--log-prefix=none"],
  ],
  ["doc examples (deno test --doc)", bins.deno, ["test", "--doc", "-A", ...documented]],
  // deno doc --lint on every package's entry points: what JSR shows users (scripts/check-docs.mjs).
  ["public docs (deno doc --lint)", node, ["--test", "--test-reporter=spec", "scripts/check-docs.test.mjs"]],
  ["conformance counts", node, ["scripts/compare-conformance.mjs"]],
  ["packaging (build, npm pack, install core first; every Node line, Bun; deno publish --dry-run)", node, [
    "scripts/pack-check.mjs",
  ]],
  // The packed packages in a scratch project (postgres 3 and 4, redis 6.4): every doc example and
  // declaration under TypeScript 5.9 and 7, with and without the DOM lib.
  ["types in every setup (TypeScript 5.9 and 7)", node, ["scripts/check-types.mjs"]],
];

rmSync(join(root, ".junit"), { recursive: true, force: true });
const results = [];
for (const [name, cmd, args] of steps) {
  if (only.length && !only.some((o) => name.startsWith(o))) continue;
  console.log(`\n━━━ ${name} ━━━`);
  const start = Date.now();
  const r = spawnSync(cmd, args, {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1", FORCE_COLOR: "0", NO_COLOR: "1" },
  });
  const ok = r.status === 0;
  results.push([name, ok, ((Date.now() - start) / 1000).toFixed(1)]);
  if (!ok) console.error(`✗ ${name} failed (exit ${r.status ?? r.signal})`);
}

console.log("\n━━━ summary ━━━");
for (const [name, ok, secs] of results) console.log(`${ok ? "✓" : "✗"} ${name} (${secs} s)`);
const failed = results.filter(([, ok]) => !ok).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
