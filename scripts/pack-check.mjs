#!/usr/bin/env node
// Proves the packages as users get them:
//  1. builds every package (tsc → dist/: ESM + .d.ts, `using` lowered for Node 20),
//  2. runs publint on each,
//  3. `npm pack`s each and installs the tarballs into a scratch project
//     (offline: no registry involved), then imports them on Node 20 (the
//     oldest supported runtime, without `using` or SuppressedError) and runs
//     a smoke program, and the Bun adapter's tarball on Bun,
//  4. `deno publish --dry-run` for the JSR side (type-checks, no slow types),
//     and fails unless it simulated every package that has a deno.json.
// Packages are found on disk (packages/<dir> with package.json and
// src/mod.ts), built in dependency order.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { root, runtimes } from "./lib/runtimes.mjs";

const bins = runtimes();
const read = (path) => JSON.parse(readFileSync(path, "utf8"));
// (check-packages fails on a package without src/mod.ts; here it is simply not packable yet)
const found = readdirSync(join(root, "packages")).sort()
  .filter((p) => existsSync(join(root, "packages", p, "package.json")))
  .filter((p) => existsSync(join(root, "packages", p, "src/mod.ts")));
/** Dependencies first: a package's build reads the .d.ts of the @corral packages it depends on. */
function dependencyOrder(dirs) {
  const deps = (p) =>
    Object.keys(read(join(root, "packages", p, "package.json")).dependencies ?? {})
      .filter((d) => d.startsWith("@corral/")).map((d) => d.slice("@corral/".length)).filter((d) => dirs.includes(d));
  const out = [];
  const visit = (p, path = []) => {
    if (out.includes(p)) return;
    if (path.includes(p)) throw new Error(`pack-check: dependency cycle ${[...path, p].join(" → ")}`);
    for (const d of deps(p)) visit(d, [...path, p]);
    out.push(p);
  };
  for (const p of dirs) visit(p);
  return out;
}
const packages = dependencyOrder(found);
/** What the smoke programs below install and import. */
const SMOKE = ["core", "node", "deno", "bun"];
/** Every package JSR gets: each has a deno.json naming it. */
const publishable = readdirSync(join(root, "packages")).sort()
  .filter((p) => existsSync(join(root, "packages", p, "deno.json")))
  .map((p) => read(join(root, "packages", p, "deno.json")).name ?? `(packages/${p}/deno.json has no name)`);
const tsc = join(root, "node_modules/typescript/bin/tsc");
const publint = join(root, "node_modules/publint/src/cli.js");

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: "pipe", encoding: "utf8", ...opts });
  if (r.status !== 0) {
    console.error(`$ ${cmd} ${args.join(" ")}\n${r.stdout ?? ""}${r.stderr ?? ""}`);
    throw new Error(`pack-check: ${[cmd, ...args].join(" ")} failed`);
  }
  return r.stdout ?? "";
}

const scratch = mkdtempSync(join(tmpdir(), "corral-pack-"));
try {
  const tarballs = {};
  for (const p of packages) {
    const dir = join(root, "packages", p);
    rmSync(join(dir, "dist"), { recursive: true, force: true });
    sh(bins.node20, [tsc, "-p", "tsconfig.build.json"], { cwd: dir });
    const lint = sh(bins.node20, [publint, "--strict"], { cwd: dir });
    if (/warning|error/i.test(lint) && !/All good/i.test(lint)) {
      console.error(lint);
      throw new Error(`pack-check: publint found problems in @corral/${p}`);
    }
    const out = sh("npm", ["pack", "--json", "--pack-destination", scratch], { cwd: dir });
    const info = JSON.parse(out)[0];
    tarballs[`@corral/${p}`] = `file:${join(scratch, info.filename)}`;
    if (info.files.some((f) => /\.test\.ts$/.test(f.path))) throw new Error(`@corral/${p} tarball ships tests`);
    console.log(`packed @corral/${p}: ${info.files.length} files, ${(info.size / 1024).toFixed(1)} KiB`);
  }

  const app = join(scratch, "app");
  sh("mkdir", ["-p", app]);
  writeFileSync(
    join(app, "package.json"),
    JSON.stringify({
      name: "scratch",
      private: true,
      type: "module",
      dependencies: Object.fromEntries(
        packages.filter((p) => SMOKE.includes(p)).map((p) => [`@corral/${p}`, tarballs[`@corral/${p}`]]),
      ),
      overrides: { "@corral/core": tarballs["@corral/core"] },
    }),
  );
  sh("npm", ["install", "--offline", "--no-audit", "--no-fund", "--ignore-scripts"], { cwd: app });

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
  process.stdout.write(sh(bins.node20, ["smoke.mjs"], { cwd: app }));
  process.stdout.write(sh(bins.node24, ["smoke.mjs"], { cwd: app }));
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
  const simulated = [...text.matchAll(/^Simulating publish of (@[\w.-]+\/[\w.-]+)@(\S+) with files:/gm)];
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
  console.log(
    `deno publish --dry-run: ok (${names.length} of ${publishable.length} packages)\n  ` +
      simulated.map((m) => `${m[1]}@${m[2]}`).join("\n  "),
  );
  console.log("pack-check: ok");
} finally {
  rmSync(scratch, { recursive: true, force: true });
  for (const p of packages) rmSync(join(root, "packages", p, "dist"), { recursive: true, force: true });
}
