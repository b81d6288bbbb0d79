import { deepEqual, deferred, equal, ok, rejects } from "../assert.ts";
import type { Suite } from "../harness.ts";
import { type Res, settlesWithin, tracker, waitFor } from "./pool-support.ts";

// The owner's hooks (create, validate, reset, destroy): the cleanup ones run
// shielded whatever the caller's scope does, a hook may close the pool it
// belongs to without waiting on itself, and a create's failure is told from
// the pool's own cancellation by identity.
export function poolHookCases(s: Suite): void {
  const { corral: c } = s;
  const { createPool, PoolClosedError } = c;
  type Pool = ReturnType<typeof createPool<Res>>;

  s.case(
    "PL-55",
    "close() awaited inside destroy does not wait for that destroy; the outer close() waits for everything",
    async () => {
      const t = tracker();
      let inner: boolean | undefined;
      let finished = false;
      const pool: Pool = createPool<Res>({
        create: t.create,
        destroy: async (r) => {
          t.destroy(r);
          if (r.id !== 1) return;
          await c.sleep(1);
          inner = await settlesWithin(pool.close(), 2_000);
          await c.sleep(1);
          finished = true;
        },
        max: 2,
        cleanupTimeout: 20_000,
      });
      const a = await pool.acquire();
      await (await pool.acquire()).release();
      const destroying = a.destroy(new Error("broken"));
      await destroying;
      equal(inner, true, "close() inside the hook settled without waiting for the hook");
      equal(finished, true, "the hook ran to its end");
      await pool.close();
      equal(t.destroyed.join(), "1,2");
      equal(pool.stats.size, 0);
    },
  );

  s.case("PL-56", "terminate() returned from reset does not wait for that reset", async () => {
    const t = tracker();
    const pool: Pool = createPool<Res>({
      create: t.create,
      destroy: t.destroy,
      reset: (r) => (r.id === 1 ? pool.terminate() : undefined),
      max: 2,
      cleanupTimeout: 20_000,
    });
    const a = await pool.acquire();
    const b = await pool.acquire();
    ok(await settlesWithin(a.release(), 2_000), "the release (and its reset) settled");
    ok(pool.closed, "terminated");
    equal(b.active, false, "the other lease was revoked");
    await pool.terminate();
    equal(t.live.size, 0);
  });

  s.case("PL-57", "close() awaited inside validate or inside create does not wait for that hook", async () => {
    const t = tracker();
    const checked: Pool = createPool<Res>({
      create: t.create,
      destroy: t.destroy,
      validate: async () => {
        await checked.close();
        return true;
      },
      validateAfterIdle: 0,
      max: 1,
      cleanupTimeout: 20_000,
    });
    await (await checked.acquire()).release();
    const acquiring = checked.acquire();
    ok(await settlesWithin(acquiring, 2_000), "the acquire settled");
    await rejects(acquiring, PoolClosedError);
    await checked.close();
    equal(t.live.size, 0);

    const created: Pool = createPool<Res>({
      create: async () => {
        await created.close();
        return { id: 1 };
      },
      destroy: t.destroy,
      max: 1,
      cleanupTimeout: 20_000,
    });
    const pending = created.acquire();
    ok(await settlesWithin(pending, 2_000), "the acquire settled");
    await rejects(pending, PoolClosedError);
    await waitFor(() => created.stats.size === 0, "the create's late resource destroyed");
  });

  s.case("PL-58", "destroys that all await close() do not wait for each other", async () => {
    let finished = 0;
    const pool: Pool = createPool<Res>({
      create: tracker().create,
      destroy: async () => {
        await pool.close();
        finished++;
      },
      min: 3,
      max: 3,
      cleanupTimeout: 20_000,
    });
    await pool.ready();
    ok(await settlesWithin(pool.close(), 2_000), "close() settled");
    equal(finished, 3);
    equal(pool.stats.destroyed, 3);
  });

  s.case(
    "PL-59",
    "reset and destroy finish a sleep() while the releasing caller's scope is cancelled, on their own signal",
    async () => {
      const log: string[] = [];
      const hook = (name: string) => async (r: Res) => {
        const signal = c.currentSignal();
        ok(signal !== undefined && !signal.aborted, `${name}: the ambient signal is the hook's live one`);
        await c.sleep(5);
        log.push(`${name} ${r.id} ${c.currentSignal() === signal} ${signal.aborted}`);
      };
      const t = tracker();
      const pool = createPool<Res>({ create: t.create, reset: hook("reset"), destroy: hook("destroy"), max: 2 });
      const scope = new c.CancelScope();
      await scope.run(async () => {
        const a = await pool.acquire();
        const b = await pool.acquire();
        scope.cancel();
        await a.release();
        await b.destroy(new Error("broken"));
      });
      ok(scope.cancelCalled, "the scope was cancelled");
      deepEqual(log, ["reset 1 true false", "destroy 2 true false"]);
      equal(pool.stats.idle, 1, "the reset resource went back");
      await pool.close();
      deepEqual(log.slice(2), ["destroy 1 true false"]);
    },
  );

  s.case("PL-60", "use(): a body cancelled with its caller's scope still gets a full destroy", async () => {
    const log: string[] = [];
    const pool = createPool<Res>({
      create: tracker().create,
      destroy: async (r) => {
        await c.sleep(5);
        log.push(`destroyed ${r.id} ${c.currentSignal()?.aborted}`);
      },
      max: 1,
    });
    const scope = new c.CancelScope();
    const result = await scope.run(() =>
      pool.use(async () => {
        scope.cancel();
        await c.sleep(Infinity);
      })
    );
    equal(result, undefined);
    deepEqual(log, ["destroyed 1 false"]);
    await pool.close();
  });

  s.case(
    "PL-61",
    "validate is a check that runs shielded: an acquirer whose scope is cancelled leaves, the check finishes",
    async () => {
      const started = deferred();
      const log: string[] = [];
      const pool = createPool<Res>({
        create: tracker().create,
        validate: async (r) => {
          started.resolve();
          await c.sleep(10);
          log.push(`validated ${r.id} ${c.currentSignal()?.aborted}`);
          return true;
        },
        validateAfterIdle: 0,
        max: 1,
      });
      await (await pool.acquire()).release();
      const scope = new c.CancelScope();
      const result = await scope.run(async () => {
        const acquiring = pool.acquire();
        await started.promise;
        scope.cancel();
        return await acquiring;
      });
      equal(result, undefined, "the acquire left with the scope");
      await waitFor(() => log.length === 1, "the check finished");
      deepEqual(log, ["validated 1 false"]);
      await waitFor(() => pool.stats.idle === 1, "the checked resource is idle");
      await pool.close();
    },
  );

  s.case("PL-62", "close() from a cancelled scope runs every destroy to its end", async () => {
    const log: number[] = [];
    const pool = createPool<Res>({
      create: tracker().create,
      destroy: async (r) => {
        await c.sleep(5);
        log.push(r.id);
      },
      min: 2,
      max: 2,
    });
    await pool.ready();
    const scope = new c.CancelScope();
    scope.cancel();
    await scope.run(() => pool.close());
    deepEqual(log.sort(), [1, 2]);
  });

  s.case(
    "PL-63",
    "a cancelled create's own error is an error event; its cancellation (reason, cause, AbortError) is not",
    async () => {
      const domain = Object.assign(new Error("order cancelled by the customer"), { name: "Cancelled" });
      const endings: ((signal: AbortSignal) => unknown)[] = [
        (signal) => signal.reason,
        (signal) => new Error("connect aborted", { cause: signal.reason }),
        () => new DOMException("The operation was aborted", "AbortError"),
        () => domain,
      ];
      let next = 0;
      const pool = createPool<Res>({
        create: (signal) =>
          new Promise<Res>((_resolve, reject) => {
            const end = endings[next++]!;
            signal.addEventListener("abort", () => reject(end(signal)), { once: true });
          }),
        max: 1,
        retryDelay: 1,
      });
      const errors: unknown[] = [];
      pool.addEventListener("error", (e) => errors.push(e.error));
      for (let i = 0; i < endings.length; i++) {
        await rejects(pool.acquire({ timeout: 1 }), c.TimeoutError);
        await waitFor(() => pool.stats.creating === 0, "the cancelled create settled");
      }
      equal(next, endings.length);
      equal(errors.length, 1, "only the create's own error is reported");
      equal(errors[0], domain);
      await pool.close();
    },
  );
}
