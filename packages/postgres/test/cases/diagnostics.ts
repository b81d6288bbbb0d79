// The driver's own timers and listeners count in corral's diagnostics(), so
// the zero check that ends every case sees a driver leak as it sees a core one.

import { connect, listen } from "../../src/mod.ts";
import { activeWith, eventually, makePool, ourConnection } from "../support.ts";
import type { PgSuite } from "../case-types.ts";
import { deepEqual, equal, ok, rejects } from "../assert.ts";

export function diagnosticsCases({ corral, add }: PgSuite): void {
  add("PG-60", "a lease tied to the caller's signal holds the core's link only, until it ends", async () => {
    await using pool = await makePool({ max: 1 });
    const base = corral.diagnostics().listeners;
    const controller = new AbortController();
    // What the core's own lease holds once its signal is read (tied to the caller's)…
    const plain = corral.createPool({ create: () => ({}), max: 1 });
    const coreLease = await plain.acquire({ signal: controller.signal });
    ok(!coreLease.signal.aborted, "the lease signal is made");
    const core = corral.diagnostics().listeners - base;
    ok(core > 0, "the core links the lease signal to the caller's");
    await coreLease.release();
    await plain.close();
    // … is all the driver's lease holds: its queries obey the lease signal itself.
    const lease = await pool.acquire({ signal: controller.signal });
    try {
      equal(corral.diagnostics().listeners, base + core, "the core's listeners, none of the driver's");
    } finally {
      await lease.release();
    }
    equal(corral.diagnostics().listeners, base, "removed when the lease ends");
  });

  add("PG-61", "a listen() wait counts its listener; the loop's end removes it", async () => {
    await using conn = await connect();
    const base = corral.diagnostics().listeners;
    const controller = new AbortController();
    const iterator = listen(conn, "corral_pg61", { signal: controller.signal });
    const next = iterator.next();
    // Once the LISTEN has run, the only listener left is the wait's own.
    let listening = false;
    for (let i = 0; i < 100 && !listening; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      listening = (await conn.sql<{ c: string }[]>`select pg_listening_channels() as c`).length === 1;
    }
    ok(listening, "listening");
    equal(corral.diagnostics().listeners, base + 1, "the wait's listener on the caller's signal");
    controller.abort();
    deepEqual(await next, { value: undefined, done: true });
    equal(corral.diagnostics().listeners, base, "none after the loop");
  });

  add("PG-62", "the driver's timers count while armed: a liveness check, a cancelled query's retries", async () => {
    await using conn = await ourConnection();
    const base = corral.diagnostics().timers;
    const ping = conn.ping();
    equal(corral.diagnostics().timers, base + 1, "the liveness check's bound");
    equal(await ping, true);
    equal(corral.diagnostics().timers, base, "freed once it answered");
    const controller = new AbortController();
    const slow = conn.bind(controller.signal)`select pg_sleep(30) /* corral-pg62 */`.execute();
    ok(await eventually(async () => (await activeWith("corral-pg62")) === 1, 5000), "the sleep runs");
    controller.abort(new Error("stop"));
    let armed = base;
    for (let i = 0; i < 20 && armed === base; i++) {
      await Promise.resolve();
      armed = corral.diagnostics().timers;
    }
    equal(armed, base + 1, "the timer that ends the connection if the cancelled query does not stop");
    // The caller is answered at once; the cancellation goes on in the background, counted.
    await rejects(slow, Error, /stop/);
    await conn.reset(); // waits until the cancelled query has stopped
    equal(corral.diagnostics().timers, base, "freed once the query stopped");
  });
}
