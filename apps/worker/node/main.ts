// The worker on Node: the program in ../src, run by @corral/node's run()
// (signals, exit code), with configuration from process.env, the status
// server on node:http and the progress line on process.stdout.
import { hostname } from "node:os";
import { run, runtime } from "@corral/node";
import { GRACE_PERIOD_MS, runWorker } from "../src/main.ts";
import { startStatusServer } from "./status-server.ts";

let ok = true;
const code = await run(async (signal) => {
  ok = await runWorker(signal, {
    runtime,
    env: (name) => process.env[name],
    hostname,
    stdout: {
      isTerminal: process.stdout.isTTY === true,
      write: (text) => void process.stdout.write(text),
    },
    startStatusServer,
  });
}, { gracePeriod: GRACE_PERIOD_MS });
// The failure is printed already; run() leaves 0, or 143/130 after a signal.
if (!ok && code === 0) process.exitCode = 1;
