#!/usr/bin/env node
// Runs one package's tests on the named legs, writing JUnit reports to
// .junit/<leg>.xml at the repository root (scripts/compare-conformance.mjs
// reads them). Usage: node scripts/run-tests.mjs <package-dir> <leg>...
//   legs: node20 node24 (vitest), deno (deno test), bun (bun test)
// A package whose entries differ per runner (the drivers) keeps them in
// test/node/, test/deno/ and test/bun/, with its own vitest.config.ts.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { root, runtimes } from "./lib/runtimes.mjs";

const [dir, ...legs] = process.argv.slice(2);
if (!dir || legs.length === 0) {
  console.error("usage: run-tests.mjs <package-dir> <leg>...");
  process.exit(2);
}
const cwd = resolve(dir);
const bins = runtimes();
const junit = join(root, ".junit");
mkdirSync(junit, { recursive: true });
const name = basename(cwd);
const vitest = join(root, "node_modules/vitest/vitest.mjs");
const config = existsSync(join(cwd, "vitest.config.ts"))
  ? join(cwd, "vitest.config.ts")
  : join(root, "vitest.config.ts");
const perRunner = (runner) => existsSync(join(cwd, "test", runner));

let failed = 0;
for (const leg of legs) {
  const report = join(junit, `${name}-${leg}.xml`);
  let cmd;
  let args;
  switch (leg) {
    case "node20":
    case "node24":
      cmd = bins[leg];
      args = [
        vitest,
        "run",
        "--config",
        config,
        "--reporter=default",
        "--reporter=junit",
        `--outputFile.junit=${report}`,
      ];
      break;
    case "deno":
      cmd = bins.deno;
      args = ["test", "-A", `--junit-path=${report}`, perRunner("deno") ? "test/deno/" : "test/"];
      break;
    case "bun":
      cmd = bins.bun;
      args = ["test", "--conditions=@corral/source", "--reporter=junit", `--reporter-outfile=${report}`];
      if (perRunner("bun")) args.push("./test/bun/");
      break;
    default:
      console.error(`unknown leg ${leg}`);
      process.exit(2);
  }
  console.log(`\n=== ${name} on ${leg} ===`);
  const result = spawnSync(cmd, args, { cwd, stdio: "inherit", env: { ...process.env, FORCE_COLOR: "0" } });
  if (result.status !== 0) {
    console.error(`*** ${name} on ${leg} failed (exit ${result.status ?? result.signal})`);
    failed++;
  }
}
process.exit(failed ? 1 : 0);
