// The worker on Bun: the program in ../src, run by @corral/bun's run()
// (signals, exit code), with configuration from Bun.env, the status server
// on Bun.serve and the progress line on Bun.stdout.
import { hostname } from "node:os";
import { run, runtime } from "@corral/bun";
import { GRACE_PERIOD_MS, runWorker } from "../src/main.ts";
import { startStatusServer } from "./status-server.ts";

let ok = true;
const code = await run(async (signal) => {
  ok = await runWorker(signal, {
    runtime,
    env: (name) => Bun.env[name],
    hostname,
    stdout: {
      isTerminal: process.stdout.isTTY === true,
      write: async (text) => {
        await Bun.write(Bun.stdout, text);
      },
    },
    startStatusServer,
  });
}, { gracePeriod: GRACE_PERIOD_MS });
// The failure is printed already; run() leaves 0, or 143/130 after a signal.
if (!ok && code === 0) process.exitCode = 1;
