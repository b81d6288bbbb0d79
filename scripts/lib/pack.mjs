// The packages as a user of a checkout gets them (README, "From a checkout"):
// each package built (tsc → dist/: ESM + .d.ts, `using` lowered for Node 20)
// and `npm pack`ed into one folder. Used by pack-check.mjs and
// check-types.mjs; both then install the tarballs into a scratch project
// outside the repository, @corral/core first, as the README says.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { root } from "./runtimes.mjs";

/** Runs a command; on failure prints its output and throws. */
export function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: "pipe", encoding: "utf8", ...opts });
  if (r.status !== 0) {
    console.error(`$ ${cmd} ${args.join(" ")}\n${r.stdout ?? ""}${r.stderr ?? ""}`);
    throw new Error(`${[cmd, ...args].join(" ")} failed (exit ${r.status ?? r.signal})`);
  }
  return r.stdout ?? "";
}

/** The packable packages: packages/<dir> with package.json and src/mod.ts. */
export function packages() {
  return readdirSync(join(root, "packages")).sort()
    .filter((p) => existsSync(join(root, "packages", p, "package.json")))
    .filter((p) => existsSync(join(root, "packages", p, "src/mod.ts")));
}

/**
 * What the README's "From a checkout" does: `npm run build` (every
 * package's tsc build, through turbo) and `npm pack -w packages` into
 * `into`. Returns `{ "@corral/x": { file, info } }` (info: npm pack's JSON
 * for it). Call {@linkcode cleanBuilds} afterwards.
 */
export function buildAndPack(into) {
  const env = { ...process.env, TURBO_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1" };
  sh("npm", ["run", "build"], { cwd: root, env });
  const packed = JSON.parse(sh("npm", ["pack", "-w", "packages", "--json", "--pack-destination", into], { cwd: root }));
  const tarballs = {};
  for (const info of packed) tarballs[info.name] = { file: join(into, info.filename), info };
  const missing = packages().map((p) => `@corral/${p}`).filter((name) => !tarballs[name]);
  if (missing.length) throw new Error(`npm pack -w packages did not pack ${missing.join(", ")}`);
  return tarballs;
}

/** Removes what {@linkcode buildAndPack} built. */
export function cleanBuilds() {
  for (const p of packages()) rmSync(join(root, "packages", p, "dist"), { recursive: true, force: true });
}
