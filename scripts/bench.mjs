#!/usr/bin/env node
// Runs every packages/*/bench/*.bench.ts on Node 20, 22, 24, Deno and Bun.
// Each bench file is bundled once with esbuild (sources through the
// "@corral/source" condition, peers bundled in) and the same bundle runs on
// every runtime, so all of them measure identical code.
// Then the HTTP benchmark (scripts/bench-http.mjs: autocannon against plain
// Hono and @corral/hono's middleware on Node 24, Deno and Bun).
// Usage: npm run bench [-- <filter>] [-- --runtimes=node24,deno] [-- --no-forced-gc]
// --no-forced-gc runs V8 without --expose-gc and tells the harness not to
// collect between rounds (CORRAL_BENCH_NO_GC=1): the GC a user's program sees.
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync } from "node:fs";
import { basename, join } from "node:path";
import { build } from "esbuild";
import { root, runtimes } from "./lib/runtimes.mjs";

const args = process.argv.slice(2);
const only = args.find((a) => a.startsWith("--runtimes="))?.slice(11).split(",");
const filter = args.find((a) => !a.startsWith("--"));
const noForcedGc = args.includes("--no-forced-gc");
const gcFlag = noForcedGc ? [] : ["--expose-gc"];
const bins = runtimes();
const out = join(root, "node_modules/.cache/corral-bench");
mkdirSync(out, { recursive: true });

const benches = [];
for (const pkg of readdirSync(join(root, "packages"))) {
  let files = [];
  try {
    files = readdirSync(join(root, "packages", pkg, "bench"));
  } catch {
    continue;
  }
  for (const f of files) {
    if (f.endsWith(".bench.ts") && (!filter || f.includes(filter))) {
      benches.push(join(root, "packages", pkg, "bench", f));
    }
  }
}

const legs = {
  node20: [bins.node20, gcFlag],
  node22: [bins.node22, gcFlag],
  node24: [bins.node24, gcFlag],
  deno: [bins.deno, ["run", "-A", ...(noForcedGc ? [] : ["--v8-flags=--expose-gc"])]],
  bun: [bins.bun, ["run"]],
};
let failed = 0;
for (const file of benches) {
  const bundle = join(out, basename(file).replace(/\.ts$/, ".mjs"));
  await build({
    entryPoints: [file],
    bundle: true,
    format: "esm",
    platform: "node",
    target: "es2022",
    conditions: ["@corral/source"],
    outfile: bundle,
    logLevel: "warning",
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  for (const [leg, [bin, flags]] of Object.entries(legs)) {
    if (only && !only.includes(leg)) continue;
    console.log(`\n# ${basename(file)} on ${leg}`);
    const env = noForcedGc ? { ...process.env, CORRAL_BENCH_NO_GC: "1" } : process.env;
    const r = spawnSync(bin, [...flags, bundle], { stdio: "inherit", cwd: root, env });
    if (r.status !== 0) failed++;
  }
}
// The HTTP middleware's cost under a load generator (scripts/bench-http.mjs):
// its own processes per runtime, so it runs after the in-process benches.
if (!filter || "http".includes(filter)) {
  console.log("\n# HTTP request scopes (scripts/bench-http.mjs)");
  const legsFor = (only ?? ["node24", "deno", "bun"]).filter((l) => l !== "node20").join(",");
  const r = spawnSync(bins.node24, ["scripts/bench-http.mjs", `--runtimes=${legsFor}`], {
    stdio: "inherit",
    cwd: root,
  });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
