// The API on Node: the program in ../src, run by @corral/node's run()
// (signals, exit code), with configuration from process.env and the server
// on @hono/node-server.
import { run, runtime } from "@corral/node";
import { gracePeriod, loadConfig } from "../src/config.ts";
import { runApi } from "../src/main.ts";
import { serve } from "./server.ts";

const env = (name: string) => process.env[name];
let ok = true;
const code = await run(async (signal) => {
  ok = await runApi(signal, { runtime, env, serve });
}, { gracePeriod: gracePeriod(loadConfig({ env })) });
// The failure is printed already; run() leaves 0, or 143/130 after a signal.
if (!ok && code === 0) process.exitCode = 1;
