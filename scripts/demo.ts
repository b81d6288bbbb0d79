// A short tour of corral's cancellation: a slow step timed out, its cleanup
// shielded, and a deadline that fails loudly.
import { CancelScope, failAfter, moveOnAfter, runtime, shield, sleep, TimeoutError } from "@corral/node";

console.log(`corral on ${runtime.name} ${runtime.version}`);

const log: string[] = [];
const result = await moveOnAfter(50, async (signal) => {
  try {
    await sleep(10_000, { signal });
    return "finished";
  } finally {
    // Cleanup after cancellation still runs, bounded by its own grace period.
    await shield(async () => {
      await sleep(5);
      log.push("connection closed");
    }, { timeout: 1_000 });
  }
});
console.log(`moveOnAfter(50 ms): ${result ?? "gave up"}; cleanup: ${log.join(", ")}`);

const error = await failAfter(20, (signal) => sleep(10_000, { signal })).catch((e: unknown) => e);
console.log(`failAfter(20 ms): ${error instanceof TimeoutError ? "TimeoutError" : String(error)}`);

const parent = new CancelScope();
const child = new CancelScope({ signal: parent.signal, timeout: 60_000 });
parent.cancel("shutting down");
console.log(`child of a cancelled parent: aborted=${child.signal.aborted}, reason: ${child.signal.reason.message}`);
child[Symbol.dispose]();
