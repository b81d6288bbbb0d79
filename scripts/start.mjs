#!/usr/bin/env node
// `npm start`: the main job — the job worker (apps/worker) on Node 24, on a
// demo batch. With DATABASE_URL / REDIS_URL set it uses those servers;
// without them it runs on embedded defaults (PGlite on a local socket, the
// queue in that database). It runs from source (type stripping, the
// "@corral/source" export condition).
// `npm run start:deno` / `npm run start:bun` run the same program through
// its Deno and Bun shells (apps/worker/deno, apps/worker/bun).
// `npm run start:api` (`:deno`, `:bun`) runs the HTTP API (apps/api) until
// Ctrl-C or SIGTERM, on the same embedded default without DATABASE_URL.
// Usage: start.mjs [api] [node|deno|bun]
import { spawnSync } from "node:child_process";
import { root, runtimes } from "./lib/runtimes.mjs";

const api = process.argv[2] === "api";
const which = process.argv[api ? 3 : 2] ?? "node";
const app = api ? "apps/api" : "apps/worker";
const bins = runtimes();
const commands = {
  node: [bins.node24, ["--conditions=@corral/source", "--no-warnings", `${app}/node/main.ts`]],
  deno: [bins.deno, ["run", "-A", ...(api ? ["--unstable-no-legacy-abort"] : []), `${app}/deno/main.ts`]],
  bun: [bins.bun, ["--conditions=@corral/source", `${app}/bun/main.ts`]],
};
const [cmd, args] = commands[which] ?? [];
if (!cmd) {
  console.error(`usage: start.mjs [api] [node|deno|bun]`);
  process.exit(2);
}
const defaults = api ? {} : { DEMO_JOBS: "200", WORKER_ID: `${which}-demo` };
const r = spawnSync(cmd, args, { stdio: "inherit", cwd: root, env: { ...defaults, ...process.env } });
process.exit(r.status ?? (r.signal === "SIGINT" ? 130 : 143));
