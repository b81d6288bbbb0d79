// The Redis integration suite under vitest (Node 20 and Node 24). Node 20
// cannot run .ts, so the worker fixture is bundled once with esbuild.
import { afterAll, test } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { redisSuite } from "../suite.ts";

const dir = mkdtempSync(join(tmpdir(), "corral-redis-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let bundled: Promise<string> | undefined;

function bundle(): Promise<string> {
  const outfile = join(dir, "worker.mjs");
  return bundled ??= build({
    entryPoints: [fileURLToPath(new URL("../fixtures/worker.ts", import.meta.url))],
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    conditions: ["@corral/source"],
    outfile,
    logLevel: "warning",
    // A "+redis64" leg: the child process runs on the same redis as the suite.
    ...(process.env.CORRAL_REDIS_VERSION === "6.4" ? { alias: { redis: "redis64" } } : {}),
    // The redis package is CommonJS and requires node: builtins.
    banner: { js: 'import { createRequire } from "node:module"; const require = createRequire(import.meta.url);' },
  }).then(() => outfile);
}

redisSuite({ test, worker: async (args) => [process.execPath, await bundle(), ...args] });
