#!/usr/bin/env node
// Proves the packages as users get them, by the README's "From a checkout"
// flow, step by step:
//  1. `npm run build` and `npm pack -w packages` (scripts/lib/pack.mjs);
//     publint on each package; every tarball carries its README.md and
//     LICENSE, and no test;
//  2. a project outside the repository installs the tarballs as the README
//     says — @corral/core first (it is on no registry yet, so npm finds it
//     only once it is installed), then the adapters — offline: no registry
//     involved; then imports them and runs a smoke program on every Node line
//     (20, the oldest, has no `using` and no SuppressedError), and the Bun
//     adapter's on Bun;
//  3. `deno publish --dry-run` for the JSR side (type-checks, no slow types):
//     it must simulate every package that has a deno.json, each with its
//     README.md.
// The drivers' tarballs need their peers (postgres, redis) from the registry:
// scripts/check-types.mjs installs and type-checks them.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NODE_LINES, root, runtimes } from "./lib/runtimes.mjs";
import { buildAndPack, cleanBuilds, packages, sh } from "./lib/pack.mjs";

const bins = runtimes();
const read = (path) => JSON.parse(readFileSync(path, "utf8"));
/** What the smoke programs below install and import. */
const SMOKE = ["@corral/node", "@corral/deno", "@corral/bun"];
/** Every package JSR gets: each has a deno.json naming it. */
const publishable = readdirSync(join(root, "packages")).sort()
  .filter((p) => existsSync(join(root, "packages", p, "deno.json")))
  .map((p) => read(join(root, "packages", p, "deno.json")).name ?? `(packages/${p}/deno.json has no name)`);
const publint = join(root, "node_modules/publint/src/cli.js");
const npmOffline = (args, cwd) =>
  sh("npm", [...args, "--offline", "--no-audit", "--no-fund", "--ignore-scripts"], { cwd });

const scratch = mkdtempSync(join(tmpdir(), "corral-pack-"));
try {
  const tarballs = join(scratch, "tarballs");
  mkdirSync(tarballs);
  const packed = buildAndPack(tarballs);
  for (const p of packages()) {
    const name = `@corral/${p}`;
    const lint = sh(bins.node20, [publint, "--strict"], { cwd: join(root, "packages", p) });
    if (/warning|error/i.test(lint) && !/All good/i.test(lint)) {
      console.error(lint);
      throw new Error(`pack-check: publint found problems in ${name}`);
    }
    const { info } = packed[name];
    const files = info.files.map((f) => f.path);
    if (files.some((f) => /\.test\.ts$/.test(f))) throw new Error(`${name} tarball ships tests`);
    for (const needed of ["README.md", "LICENSE", "dist/mod.js", "dist/mod.d.ts"]) {
      if (!files.includes(needed)) throw new Error(`${name} tarball lacks ${needed} (it has ${files.join(", ")})`);
    }
    console.log(`packed ${name}: ${info.files.length} files, ${(info.size / 1024).toFixed(1)} KiB, README.md included`);
  }

  // The README's install steps, in a project of the user's own.
  const app = join(scratch, "app");
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }, null, 2));
  npmOffline(["install", packed["@corral/core"].file], app);
  npmOffline(["install", ...SMOKE.map((name) => packed[name].file)], app);
  const manifest = read(join(app, "package.json"));
  for (const name of ["@corral/core", ...SMOKE]) {
    if (!manifest.dependencies?.[name]?.startsWith("file:")) {
      throw new Error(`pack-check: the app does not depend on ${name}'s tarball: ${JSON.stringify(manifest)}`);
    }
  }

  const smoke = `
    import * as corral from "@corral/node";
    import * as core from "@corral/core";
    const { moveOnAfter, failAfter, sleep, SuppressedError, TimeoutError, runtime, diagnostics } = corral;
    if (runtime.name !== "node") throw new Error("runtime " + runtime.name);
    for (const k of Object.keys(core)) if (corral[k] !== core[k]) throw new Error("export differs: " + k);
    const v = await moveOnAfter(5, (signal) => sleep(1000, { signal }).then(() => "late"));
    if (v !== undefined) throw new Error("moveOnAfter did not time out");
    const e = await failAfter(5, (signal) => sleep(1000, { signal })).catch((x) => x);
    if (!(e instanceof TimeoutError)) throw new Error("failAfter did not throw TimeoutError");
    const s = new SuppressedError(new Error("a"), new Error("b"), "m");
    if (s.name !== "SuppressedError") throw new Error("SuppressedError fallback");
    const d = diagnostics();
    if (d.timers || d.links || d.listeners) throw new Error("leak " + JSON.stringify(d));
    console.log("smoke ok on " + process.version + " with " + Object.keys(core).length + " core exports");
  `;
  writeFileSync(join(app, "smoke.mjs"), smoke);
  for (const line of NODE_LINES) process.stdout.write(sh(bins[`node${line}`], ["smoke.mjs"], { cwd: app }));
  writeFileSync(
    join(app, "smoke-bun.mjs"),
    `import { runtime, moveOnAfter, sleep } from "@corral/bun";
     if (runtime.name !== "bun") throw new Error(runtime.name);
     if ((await moveOnAfter(5, (s) => sleep(1000, { signal: s }))) !== undefined) throw new Error("bun timeout");
     console.log("smoke ok on bun " + runtime.version);`,
  );
  process.stdout.write(sh(bins.bun, ["smoke-bun.mjs"], { cwd: app }));

  const dry = spawnSync(bins.deno, ["publish", "--dry-run", "--allow-dirty"], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  // Colour codes split "Simulating publish of @corral/x@0.1.0" when a terminal
  // asks for them: strip any that are left.
  // deno-lint-ignore no-control-regex
  const text = `${dry.stdout}${dry.stderr}`.replace(/\x1b\[[0-9;]*m/g, "");
  if (dry.status !== 0) {
    console.error(text);
    throw new Error("pack-check: deno publish --dry-run failed");
  }
  const simulated = [
    ...text.matchAll(/^Simulating publish of (@[\w.-]+\/[\w.-]+)@(\S+) with files:\n((?:[ \t]+\S.*\n?)*)/gm),
  ];
  const names = simulated.map((m) => m[1]);
  const missing = publishable.filter((n) => !names.includes(n));
  const unexpected = names.filter((n) => !publishable.includes(n));
  if (missing.length || unexpected.length || names.length !== publishable.length) {
    console.error(text);
    throw new Error(
      `pack-check: deno publish --dry-run simulated ${names.length} of ${publishable.length} packages` +
        (missing.length ? `; missing ${missing.join(", ")}` : "") +
        (unexpected.length ? `; not in packages/: ${unexpected.join(", ")}` : ""),
    );
  }
  const withoutReadme = simulated.filter((m) => !/\/README\.md \(/.test(m[3])).map((m) => m[1]);
  if (withoutReadme.length) {
    console.error(text);
    throw new Error(`pack-check: deno publish --dry-run would publish without README.md: ${withoutReadme.join(", ")}`);
  }
  const stray = simulated.filter((m) => /\/vitest[^/]*\.ts \(|\.test\.ts \(/.test(m[3])).map((m) => m[1]);
  if (stray.length) throw new Error(`pack-check: JSR would get test files of ${stray.join(", ")}`);
  console.log(
    `deno publish --dry-run: ok (${names.length} of ${publishable.length} packages, each with its README.md)\n  ` +
      simulated.map((m) => `${m[1]}@${m[2]}`).join("\n  "),
  );
  console.log("pack-check: ok");
} finally {
  rmSync(scratch, { recursive: true, force: true });
  cleanBuilds();
}
