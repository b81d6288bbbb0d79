#!/usr/bin/env node
// Fails when an import crosses the layering in DESIGN.md the wrong way:
//   core            imports nothing outside itself; touches no runtime global
//   conformance     imports only core (types) — never a test runner
//   node/deno/bun   import core (and runtime builtins), never a driver
//   postgres/redis  import core and npm drivers, never an app
//   apps            anything below; nothing imports an app
// No file anywhere imports from jsr: (JSR is out of reach here).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { root } from "./lib/runtimes.mjs";

const LAYER = { core: 0, conformance: 1, node: 2, deno: 2, bun: 2, postgres: 3, redis: 3 };
const ADAPTERS = new Set(["node", "deno", "bun"]);
const DRIVERS = new Set(["postgres", "redis"]);
const RUNNERS = /^(vitest|bun:test|node:test|@std\/|jsr:|mocha|jest|tap)/;
const RUNTIME_GLOBALS = /\b(process|Deno|Bun|Buffer|setImmediate|require|__dirname|window|document)\b\s*[.([]/;

function files(dir) {
  const out = [];
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const entry of entries) {
    if (entry === "node_modules" || entry === "dist") continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...files(path));
    else if (/\.(ts|tsx|mts|js|mjs)$/.test(entry)) out.push(path);
  }
  return out;
}

/** Source without comments and string contents (specifiers are read before this). */
function code(text) {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/(^|[^:])\/\/.*$/gm, "$1")
    .replace(/`(?:\\[\s\S]|[^`\\])*`/g, "``")
    .replace(/"(?:\\.|[^"\\\n])*"/g, '""')
    .replace(/'(?:\\.|[^'\\\n])*'/g, "''");
}

function specifiers(text) {
  const stripped = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  const out = [];
  const re =
    /(?:^|[\s;])(?:import|export)\s[^;]*?from\s*["']([^"']+)["']|import\s*\(\s*["']([^"']+)["']\s*\)|^\s*import\s*["']([^"']+)["']/gm;
  for (const m of stripped.matchAll(re)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

const problems = [];
let checked = 0;
for (const group of ["packages", "apps"]) {
  let names;
  try {
    names = readdirSync(join(root, group));
  } catch {
    continue;
  }
  for (const name of names) {
    const base = join(root, group, name);
    for (const file of files(base)) {
      const rel = relative(root, file);
      // Tests, fixtures and benchmarks may use runners, peers and any package
      // below them; the layering binds shipped source (src/, minus tests).
      const isTest = /\.test\.ts$|\/(test|bench|fixtures)\//.test(rel);
      const inSrc = rel.includes("/src/") && !isTest;
      const text = readFileSync(file, "utf8");
      checked++;
      for (const spec of specifiers(text)) {
        const fail = (why) => problems.push(`${rel}: imports "${spec}" — ${why}`);
        if (spec.startsWith("jsr:")) fail("jsr: imports are not allowed (JSR is unreachable here)");
        if (spec.startsWith(".")) {
          if (!/\.(ts|js|mjs|json)$/.test(spec)) fail("relative imports carry their extension");
          continue;
        }
        const target = spec.match(/^@corral\/([^/]+)/)?.[1];
        if (isTest) continue;
        if (group === "packages" && name === "core" && inSrc) {
          fail("the core imports nothing outside itself");
          continue;
        }
        if (name === "conformance" && inSrc) {
          if (spec !== "@corral/core" || !/import\s+type|export\s+type/.test(text)) {
            if (spec !== "@corral/core") fail("the conformance suite imports only @corral/core (types)");
          }
          if (RUNNERS.test(spec)) fail("the conformance suite imports no test runner");
          continue;
        }
        if (target && group === "packages") {
          if (target === name) fail("a package does not import itself by name");
          if (LAYER[target] === undefined) fail(`unknown package @corral/${target}`);
          else if (
            ADAPTERS.has(name) && (LAYER[target] >= LAYER[name]) && !(inSrc === false && target === "conformance")
          ) {
            fail("an adapter imports only the core (its tests may use the conformance suite)");
          } else if (DRIVERS.has(name) && DRIVERS.has(target)) fail("drivers do not import each other");
          else if (LAYER[name] <= LAYER[target] && !(inSrc === false && target === "conformance")) {
            fail(`@corral/${name} (layer ${LAYER[name]}) may not import @corral/${target} (layer ${LAYER[target]})`);
          }
        }
        if (group === "packages" && /^apps\//.test(spec)) fail("nothing imports an app");
      }
      if (group === "packages" && name === "core" && inSrc) {
        const body = code(text);
        const hit = body.match(RUNTIME_GLOBALS);
        if (hit) problems.push(`${rel}: the core touches a runtime global (${hit[1]})`);
        if (/\bglobalThis\s*\.\s*(process|Deno|Bun)\b/.test(body)) {
          problems.push(`${rel}: the core touches a runtime global through globalThis`);
        }
      }
    }
  }
}

if (problems.length) {
  console.error(`check-layers: ${problems.length} problem(s)\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
console.log(`check-layers: ${checked} files, layering holds`);
