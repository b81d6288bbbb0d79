// The API on Bun: the program in ../src, run by @corral/bun's run()
// (signals, exit code), with configuration from Bun.env and the server on
// Bun.serve.
import { run, runtime } from "@corral/bun";
import { gracePeriod, loadConfig } from "../src/config.ts";
import { runApi } from "../src/main.ts";
import { serve } from "./server.ts";

const env = (name: string) => Bun.env[name];
let ok = true;
const code = await run(async (signal) => {
  ok = await runApi(signal, { runtime, env, serve });
}, { gracePeriod: gracePeriod(loadConfig({ env })) });
// The failure is printed already; run() leaves 0, or 143/130 after a signal.
if (!ok && code === 0) process.exitCode = 1;
