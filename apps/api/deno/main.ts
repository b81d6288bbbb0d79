// The API on Deno: the program in ../src, run by @corral/deno's run()
// (signals, exit code), with configuration from Deno.env and the server on
// node:http (see server.ts for why not Deno.serve).
import { run, runtime } from "@corral/deno";
import { gracePeriod, loadConfig } from "../src/config.ts";
import { runApi } from "../src/main.ts";
import { serve } from "./server.ts";

const env = (name: string) => Deno.env.get(name);
let ok = true;
const code = await run(async (signal) => {
  ok = await runApi(signal, { runtime, env, serve });
}, { gracePeriod: gracePeriod(loadConfig({ env })) });
// The failure is printed already; run() leaves 0, or 143/130 after a signal.
if (!ok && code === 0) Deno.exitCode = 1;
