#!/usr/bin/env node
// Runs one package's tests on the named legs, writing JUnit reports to
// .junit/<package>-<leg>.xml at the repository root
// (scripts/compare-conformance.mjs reads them).
// Usage: node scripts/run-tests.mjs <package-dir> <leg>...
//   legs: node20 node22 node24 node26 (vitest), deno (deno test), bun (bun test);
//   "<leg>+postgres4" runs that leg with every import of "postgres" resolved
//   to postgres 4 (the root devDependency "postgres4": "npm:postgres@4"):
//   vitest through the package's vitest.postgres4.config.ts, bun through a
//   preload that swaps the module, deno through a generated import map.
//   "<leg>+redis64" does the same for "redis" and redis 6.4 (the root
//   devDependency "redis64": "npm:redis@6.4.0"). The variant's env names
//   the version, for the suite's own check and its child processes.
// A package whose entries differ per runner (the drivers) keeps them in
// test/node/, test/deno/ and test/bun/, with its own vitest.config.ts.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
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

/** A second installed major of a dependency: what the import is, and where the alias is installed. */
const VARIANTS = {
  postgres4: { module: "postgres", alias: "postgres4", env: { CORRAL_POSTGRES_MAJOR: "4" } },
  redis64: { module: "redis", alias: "redis64", env: { CORRAL_REDIS_VERSION: "6.4" } },
};

/** The ESM entry of the package installed at node_modules/<dir> (for Bun and Deno). */
function entryOf(dir) {
  const pkg = JSON.parse(readFileSync(join(root, "node_modules", dir, "package.json"), "utf8"));
  const dot = typeof pkg.exports === "object" ? (pkg.exports["."] ?? pkg.exports) : undefined;
  const file = (typeof dot === "object" ? (dot.bun ?? dot.import ?? dot.default) : undefined) ?? pkg.module ??
    pkg.main;
  return join(root, "node_modules", dir, file);
}

/**
 * An import map for `deno test --no-config` in which `variant.module` is the
 * alias: every workspace package by name (its source), every package's own
 * npm imports, then the alias.
 */
function denoImportMap(variant, into) {
  const imports = {};
  for (const p of readdirSync(join(root, "packages"))) {
    const file = join(root, "packages", p, "deno.json");
    if (!existsSync(file)) continue;
    const manifest = JSON.parse(readFileSync(file, "utf8"));
    const exported = typeof manifest.exports === "string" ? manifest.exports : manifest.exports?.["."];
    if (manifest.name && exported) imports[manifest.name] = pathToFileURL(join(root, "packages", p, exported)).href;
    Object.assign(imports, manifest.imports ?? {});
  }
  imports[variant.module] = pathToFileURL(entryOf(variant.alias)).href;
  const path = join(into, "import_map.json");
  writeFileSync(path, JSON.stringify({ imports }, null, 2));
  return path;
}

const scratch = mkdtempSync(join(tmpdir(), "corral-legs-"));
process.on("exit", () => rmSync(scratch, { recursive: true, force: true }));

let failed = 0;
for (const leg of legs) {
  const report = join(junit, `${name}-${leg}.xml`);
  const [runner, variantName] = leg.split("+");
  const variant = variantName === undefined ? undefined : VARIANTS[variantName];
  if (variantName !== undefined && !variant) {
    console.error(`unknown variant ${variantName} in leg ${leg} (known: ${Object.keys(VARIANTS).join(", ")})`);
    process.exit(2);
  }
  let cmd;
  let args;
  let deno;
  switch (runner) {
    case "node20":
    case "node22":
    case "node24":
    case "node26": {
      const own = variant && join(cwd, `vitest.${variantName}.config.ts`);
      if (own && !existsSync(own)) {
        console.error(`leg ${leg} needs ${own} (the vitest configuration that aliases ${variant.module})`);
        process.exit(2);
      }
      cmd = bins[runner];
      args = [
        vitest,
        "run",
        "--config",
        own ?? config,
        "--reporter=default",
        "--reporter=junit",
        `--outputFile.junit=${report}`,
      ];
      break;
    }
    case "deno":
      cmd = bins.deno;
      args = ["test", "-A", `--junit-path=${report}`];
      // Without the workspace's configuration (its imports would win over
      // the map) and without type-checking (the alias is plain JS; tsc checks
      // the driver against postgres 4's types in the packaging type check).
      if (variant) {
        args.push("--no-check", "--no-config", "--node-modules-dir=manual");
        args.push("--import-map", denoImportMap(variant, scratch));
        deno = { CORRAL_DENO_IMPORT_MAP: join(scratch, "import_map.json") }; // for the suite's child processes
      }
      args.push(perRunner("deno") ? "test/deno/" : "test/");
      break;
    case "bun":
      cmd = bins.bun;
      args = ["test", "--conditions=@corral/source", "--reporter=junit", `--reporter-outfile=${report}`];
      if (variant) args.push("--preload", join(root, "scripts/lib/bun-alias.ts"));
      if (perRunner("bun")) args.push("./test/bun/");
      break;
    default:
      console.error(`unknown leg ${leg}`);
      process.exit(2);
  }
  console.log(`\n=== ${name} on ${leg} ===`);
  const env = { ...process.env, FORCE_COLOR: "0", ...variant?.env, ...deno };
  if (variant && runner === "bun") {
    env.CORRAL_BUN_ALIAS = JSON.stringify({ from: entryOf(variant.module), to: entryOf(variant.alias) });
  }
  const result = spawnSync(cmd, args, { cwd, stdio: "inherit", env });
  if (result.status !== 0) {
    console.error(`*** ${name} on ${leg} failed (exit ${result.status ?? result.signal})`);
    failed++;
  }
}
process.exit(failed ? 1 : 0);
