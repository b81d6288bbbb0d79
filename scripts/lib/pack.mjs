// The packages as a user of a checkout gets them (README, "From a checkout"):
// each package built (tsc → dist/: ESM + .d.ts, `using` lowered for Node 20)
// and `npm pack`ed into one folder. Used by pack-check.mjs and
// check-types.mjs; both then install the tarballs into a scratch project
// outside the repository, @corral/core first.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { root } from "./runtimes.mjs";

const read = (path) => JSON.parse(readFileSync(path, "utf8"));

/** Runs a command; on failure prints its output and throws. */
export function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: "pipe", encoding: "utf8", ...opts });
  if (r.status !== 0) {
    console.error(`$ ${cmd} ${args.join(" ")}\n${r.stdout ?? ""}${r.stderr ?? ""}`);
    throw new Error(`${[cmd, ...args].join(" ")} failed (exit ${r.status ?? r.signal})`);
  }
  return r.stdout ?? "";
}

/**
 * The packable packages (packages/<dir> with package.json and src/mod.ts),
 * dependencies first: a package's build reads the .d.ts of the @corral
 * packages it depends on.
 */
export function packages() {
  const dirs = readdirSync(join(root, "packages")).sort()
    .filter((p) => existsSync(join(root, "packages", p, "package.json")))
    .filter((p) => existsSync(join(root, "packages", p, "src/mod.ts")));
  const deps = (p) =>
    Object.keys(read(join(root, "packages", p, "package.json")).dependencies ?? {})
      .filter((d) => d.startsWith("@corral/")).map((d) => d.slice("@corral/".length)).filter((d) => dirs.includes(d));
  const out = [];
  const visit = (p, path = []) => {
    if (out.includes(p)) return;
    if (path.includes(p)) throw new Error(`dependency cycle ${[...path, p].join(" → ")}`);
    for (const d of deps(p)) visit(d, [...path, p]);
    out.push(p);
  };
  for (const p of dirs) visit(p);
  return out;
}

/**
 * Builds every package with `node` and packs it into `into`. Returns
 * `{ "@corral/x": { file, info } }` (info: npm pack's JSON). Call
 * {@linkcode cleanBuilds} afterwards.
 */
export function buildAndPack(node, into, { check } = {}) {
  const tsc = join(root, "node_modules/typescript/bin/tsc");
  const tarballs = {};
  for (const p of packages()) {
    const dir = join(root, "packages", p);
    rmSync(join(dir, "dist"), { recursive: true, force: true });
    sh(node, [tsc, "-p", "tsconfig.build.json"], { cwd: dir });
    check?.(p, dir);
    const info = JSON.parse(sh("npm", ["pack", "--json", "--pack-destination", into], { cwd: dir }))[0];
    tarballs[`@corral/${p}`] = { file: join(into, info.filename), info };
  }
  return tarballs;
}

/** Removes what {@linkcode buildAndPack} built. */
export function cleanBuilds() {
  for (const p of packages()) rmSync(join(root, "packages", p, "dist"), { recursive: true, force: true });
}
