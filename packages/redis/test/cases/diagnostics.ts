// The driver's own timers and listeners count in corral's diagnostics(), so
// the zero check that ends every case sees a driver leak as it sees a core one.
import { diagnostics } from "@corral/core";
import { connectRedis, createSemaphore } from "../../src/mod.ts";
import { equal, ok, rejects } from "../assert.ts";
import type { RedisSuite } from "../harness.ts";
import { URL, withAdmin } from "../support.ts";

export function diagnosticsCases(s: RedisSuite): void {
  s.case(
    "LV-01",
    "a connect and a blocking call count their abort listener until they settle",
    () =>
      withAdmin(async (admin, keys) => {
        const base = diagnostics().listeners;
        const controller = new AbortController();
        const connecting = connectRedis({ url: URL, signal: controller.signal });
        equal(diagnostics().listeners, base + 1, "the connect's listener");
        await using conn = await connecting;
        equal(diagnostics().listeners, base, "removed once connected");
        const popping = conn.blpop(`${keys}q`, { signal: controller.signal });
        equal(diagnostics().listeners, base + 1, "the call's listener");
        await admin.rPush(`${keys}q`, "job");
        equal((await popping)?.element, "job");
        equal(diagnostics().listeners, base, "removed once it answered");
        const cancelled = conn.blpop(`${keys}q`, { signal: controller.signal });
        controller.abort(new Error("stop"));
        await rejects(cancelled, Error, /stop/);
        equal(diagnostics().listeners, base, "and once it was cancelled");
      }),
  );

  s.case(
    "LV-02",
    "a semaphore counts its connect bound and its renewal timer",
    () =>
      withAdmin(async (_admin, keys) => {
        const base = diagnostics().timers;
        await using sem = createSemaphore({ name: "lv", prefix: keys, limit: 1, url: URL });
        const counting = sem.count();
        equal(diagnostics().timers, base + 1, "the bound on the first connect");
        equal(await counting, 0);
        equal(diagnostics().timers, base, "freed once connected");
        const permit = await sem.acquire();
        equal(diagnostics().timers, base + 1, "the renewal timer while a permit is held");
        await permit.release();
        equal(diagnostics().timers, base, "stopped once none is held");
        ok(!permit.lost);
      }),
  );
}
