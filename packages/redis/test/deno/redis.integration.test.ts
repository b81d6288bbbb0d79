// The Redis integration suite under `deno test`, sanitizers on.
import { redisSuite } from "../suite.ts";

const worker = new URL("../fixtures/worker.ts", import.meta.url).pathname;
// A "+redis64" leg runs under an import map (scripts/run-tests.mjs): so does the child.
const map = Deno.env.get("CORRAL_DENO_IMPORT_MAP");
const importMap = () => map ? ["--no-check", "--no-config", "--node-modules-dir=manual", "--import-map", map] : [];
redisSuite({
  test: (name, fn) => Deno.test(name, fn),
  worker: (args) => Promise.resolve([Deno.execPath(), "run", "-A", ...importMap(), worker, ...args]),
});
