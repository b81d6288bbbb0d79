// The Redis integration suite under `bun test`.
import { test } from "bun:test";
import { redisSuite } from "../suite.ts";

const worker = new URL("../fixtures/worker.ts", import.meta.url).pathname;
redisSuite({
  test: (name, fn) => test(name, fn, 60_000),
  worker: (args) => Promise.resolve([process.execPath, "--conditions=@corral/source", worker, ...args]),
});
