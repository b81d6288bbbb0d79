#!/usr/bin/env node
// Types in every setup. A scratch project outside the repository installs
// the packed packages the way the README says (build, `npm pack`, install the
// tarballs with @corral/core first), with the drivers' peers from the
// registry — `postgres` 3, then 4, and `redis` 6.4 — and compiles, in strict
// mode with `skipLibCheck: false`:
//   - every package's declarations (one module imports them all),
//   - every TypeScript example of the README, the guides and the package
//     READMEs (scripts/lib/doc-examples.mjs: the blocks themselves, with what
//     they take as given written next to them in the markdown),
//   - scripts/types/contract.ts: what the types promise beyond the examples
//     (typed pool events, TaskGroupError.errors, the PgSql helper type),
// under TypeScript 5.9 and TypeScript 7 (the native compiler), each in
// three setups: TypeScript 7's `tsc --init` as generated (its default lib
// includes the DOM, no @types/node), and a Node project without the DOM
// (`lib: ["es2023"]` and `lib: ["esnext"]`, with @types/node). Last, the
// Node project without the DOM once more with @types/node 24.3.0, whose
// DOM-event types (EventListenerObject, AddEventListenerOptions) are not
// global as later ones' are: a declaration that needs the DOM lib fails there.
// Errors are reported at the markdown line they come from. The peers and
// TypeScript 7 come from the npm registry (or npm's cache).
// Usage: node scripts/check-types.mjs [--keep] (keeps the scratch project)
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { root, runtimes } from "./lib/runtimes.mjs";
import { buildAndPack, cleanBuilds, sh } from "./lib/pack.mjs";
import { examples, moduleOf } from "./lib/doc-examples.mjs";

/** What the scratch project installs from the registry (exact versions: the check must not drift). */
const PEERS = {
  redis: "6.4.0",
  hono: "4.13.23",
  "@opentelemetry/api": "1.9.0",
  "@opentelemetry/sdk-metrics": "2.12.1",
  "@opentelemetry/sdk-trace-base": "2.12.1",
  "@types/node": "26.6.11",
  typescript7: "npm:typescript@7.0.2",
};
/** The documents whose ```ts blocks are compiled. */
const DOCS = [
  "README.md",
  "docs/rosetta.md",
  "docs/drivers/postgres.md",
  "docs/drivers/redis.md",
  ...readdirSync(join(root, "packages")).sort().map((p) => `packages/${p}/README.md`)
    .filter((p) => existsSync(join(root, p))),
];
/** TypeScript 7's `tsc --init` (7.0.2), checking only, with skipLibCheck off. */
const INIT = {
  module: "nodenext",
  target: "esnext",
  types: [],
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  strict: true,
  verbatimModuleSyntax: true,
  isolatedModules: true,
  noUncheckedSideEffectImports: true,
  moduleDetection: "force",
  skipLibCheck: false,
  noEmit: true,
};
const SETUPS = {
  dom: ["tsc --init (DOM)", {}],
  es2023: ["Node, es2023, no DOM", { lib: ["es2023"], types: ["node"] }],
  esnext: ["Node, esnext, no DOM", { lib: ["esnext"], types: ["node"] }],
};
/**
 * What is installed (on top of the previous phase), then which setups each
 * compiler checks. @types/node 24.3.0 does not compile under TypeScript 7
 * itself (its https.d.ts), so that phase is TypeScript 5.9's.
 */
const PHASES = [
  { install: { postgres: "3.4.9" }, ts59: ["dom", "es2023", "esnext"], ts7: ["dom", "es2023", "esnext"] },
  { install: { postgres: "4.2.0" }, ts59: ["dom", "es2023", "esnext"], ts7: ["dom", "es2023", "esnext"] },
  { install: { "@types/node": "24.3.0" }, ts59: ["es2023"], ts7: [] },
];

const keep = process.argv.includes("--keep");
const bins = runtimes();
const node = bins.node20;
const scratch = mkdtempSync(join(tmpdir(), "corral-types-"));
const npm = (args, cwd) => sh("npm", [...args, "--no-audit", "--no-fund", "--prefer-offline"], { cwd });

let failures = 0;
const rows = [];
try {
  // 1. The packages as the README's "From a checkout" makes them.
  const tarballs = join(scratch, "tarballs");
  mkdirSync(tarballs);
  const packed = buildAndPack(tarballs);
  cleanBuilds();

  // 2. A project of the user's own, outside the repository: @corral/core first
  //    (it is on no registry yet), then the rest with the drivers' peers.
  const app = join(scratch, "app");
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }, null, 2));
  npm(["install", packed["@corral/core"].file], app);
  const rest = Object.entries(packed).filter(([name]) => name !== "@corral/core").map(([, t]) => t.file);
  npm(["install", ...rest, ...Object.entries(PEERS).map(([name, version]) => `${name}@${version}`)], app);

  // 3. The examples, each a module, and one module that loads every declaration.
  const dir = join(app, "examples");
  mkdirSync(dir);
  const sources = new Map();
  for (const doc of DOCS) {
    for (const example of examples(join(root, doc), doc)) {
      const file = `${doc.replace(/[/.]/g, "_")}_${example.line}.ts`;
      const module = moduleOf(example);
      writeFileSync(join(dir, file), module.text);
      sources.set(`examples/${file}`, module);
    }
  }
  const contract = readFileSync(join(root, "scripts/types/contract.ts"), "utf8");
  writeFileSync(join(dir, "contract.ts"), contract);
  sources.set("examples/contract.ts", { toDoc: (line) => `scripts/types/contract.ts:${line}` });
  writeFileSync(
    join(dir, "declarations.ts"),
    Object.keys(packed).map((name, i) => `import type * as p${i} from "${name}";\nexport type { p${i} };`)
      .join("\n") + "\n",
  );
  console.log(`${sources.size} examples from ${DOCS.length} documents, and every package's declarations`);

  const compilers = {
    ts59: ["TypeScript 5.9", join(root, "node_modules/typescript/bin/tsc")],
    ts7: ["TypeScript 7", join(app, "node_modules/typescript7/bin/tsc")],
  };
  const installed = {};
  for (const phase of PHASES) {
    npm(["install", ...Object.entries(phase.install).map(([name, version]) => `${name}@${version}`)], app);
    Object.assign(installed, phase.install);
    const deps = `postgres ${installed.postgres}, @types/node ${installed["@types/node"] ?? PEERS["@types/node"]}`;
    for (const [key, [compiler, tsc]] of Object.entries(compilers)) {
      for (const setupKey of phase[key]) {
        const [setup, options] = SETUPS[setupKey];
        const config = join(app, "tsconfig.json");
        writeFileSync(
          config,
          JSON.stringify({ compilerOptions: { ...INIT, ...options }, include: ["examples"] }, null, 2),
        );
        const start = Date.now();
        const r = spawnSync(node, [tsc, "-p", config, "--pretty", "false"], { cwd: app, encoding: "utf8" });
        const lines = `${r.stdout}${r.stderr}`.split("\n").filter((l) => l.trim());
        const errors = lines.filter((l) => /error TS\d+/.test(l));
        rows.push([compiler, setup, deps, errors.length, ((Date.now() - start) / 1000).toFixed(1)]);
        if (r.status === 0 && errors.length === 0) continue;
        failures++;
        console.error(`\n✗ ${compiler}, ${setup}, ${deps}: ${errors.length} error(s)`);
        for (const l of lines) {
          const m = l.match(/^(examples\/[^(]+)\((\d+),(\d+)\): (.*)$/);
          const module = m && sources.get(m[1]);
          if (module) console.error(`  ${module.toDoc(Number(m[2]))}:${m[3]} ${m[4]}`);
          else console.error(`  ${l.replace(app + "/", "")}`);
        }
      }
    }
  }
} finally {
  cleanBuilds();
  if (keep) console.log(`scratch project kept at ${scratch}`);
  else rmSync(scratch, { recursive: true, force: true });
}

console.log("\n| compiler | setup | installed | errors | s |\n| --- | --- | --- | ---: | ---: |");
for (const r of rows) console.log(`| ${r.join(" | ")} |`);
if (failures) {
  console.error(`check-types: ${failures} of ${rows.length} compilations failed`);
  process.exit(1);
}
console.log(`check-types: all ${rows.length} compilations passed`);
