// The Redis integration suite under `bun test`.
import { test } from "bun:test";
import { redisSuite } from "../suite.ts";

const worker = new URL("../fixtures/worker.ts", import.meta.url).pathname;
const preload = () =>
  process.env.CORRAL_BUN_ALIAS
    ? ["--preload", new URL("../../../../scripts/lib/bun-alias.ts", import.meta.url).pathname]
    : [];
redisSuite({
  test: (name, fn) => test(name, fn, 60_000),
  // A "+redis64" leg preloads the alias (scripts/run-tests.mjs): so does the child.
  worker: (args) => Promise.resolve([process.execPath, "--conditions=@corral/source", ...preload(), worker, ...args]),
});
