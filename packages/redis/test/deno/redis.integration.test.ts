// The Redis integration suite under `deno test`, sanitizers on.
import { redisSuite } from "../suite.ts";

const worker = new URL("../fixtures/worker.ts", import.meta.url).pathname;
redisSuite({
  test: (name, fn) => Deno.test(name, fn),
  worker: (args) => Promise.resolve([Deno.execPath(), "run", "-A", worker, ...args]),
});
