// The worker on Deno: the program in ../src, run by @corral/deno's run()
// (signals, exit code), with configuration from Deno.env, the status server
// on Deno.serve and the progress line on Deno.stdout.
import { run, runtime } from "@corral/deno";
import { GRACE_PERIOD_MS, runWorker } from "../src/main.ts";
import { startStatusServer } from "./status-server.ts";

const encoder = new TextEncoder();

/** Writes all of `text` to stdout (writeSync may write only part of it). */
function write(text: string): void {
  const bytes = encoder.encode(text);
  for (let at = 0; at < bytes.length;) at += Deno.stdout.writeSync(bytes.subarray(at));
}

let ok = true;
const code = await run(async (signal) => {
  ok = await runWorker(signal, {
    runtime,
    env: (name) => Deno.env.get(name),
    hostname: () => Deno.hostname(),
    stdout: { isTerminal: Deno.stdout.isTerminal(), write },
    startStatusServer,
  });
}, { gracePeriod: GRACE_PERIOD_MS });
// The failure is printed already; run() leaves 0, or 143/130 after a signal.
if (!ok && code === 0) Deno.exitCode = 1;
