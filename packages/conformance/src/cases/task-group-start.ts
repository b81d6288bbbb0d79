import { deferred, equal, ok, rejects } from "../assert.ts";
import type { Suite } from "../harness.ts";
import { groupHelpers, type TaskGroupErrorT } from "./task-group-support.ts";

// Task groups: start(), Trio's nursery.start.
export function taskGroupStartCases(s: Suite): void {
  const { corral: c } = s;
  const { Cancelled, CancelScope, TaskGroupError, taskGroup } = c;
  const { until, isCancelled } = groupHelpers(c);

  // --- start() ---------------------------------------------------------------

  s.case(
    "TG-27",
    "start() resolves with the value passed to started(); the child keeps running in the group",
    async () => {
      const log: string[] = [];
      await taskGroup(async (tg) => {
        const port = await tg.start<number>(async (signal, started) => {
          log.push("listening");
          started(8080);
          await c.sleep(5, { signal });
          log.push("served");
        });
        equal(port, 8080);
        log.push("caller goes on");
      });
      equal(log.join(), "listening,caller goes on,served", "the group waited for the started child");
    },
  );

  s.case("TG-28", "start(): an error before started() goes to the caller only", async () => {
    const boom = new Error("failed to bind");
    const value = await taskGroup(async (tg) => {
      const sibling = tg.spawn(async (signal) => {
        await c.sleep(3, { signal });
        return "sibling finished";
      });
      const error = await rejects(tg.start(async () => {
        await s.tick();
        throw boom;
      }));
      equal(error, boom, "the caller gets the error itself");
      equal(tg.signal.aborted, false, "the group is not cancelled");
      return await sibling;
    });
    equal(value, "sibling finished");
  });

  s.case("TG-29", "start(): returning without started() rejects start(); a second started() throws", async () => {
    await taskGroup(async (tg) => {
      await rejects(tg.start(async () => {}), Error, /started\(\)/);
      let second: unknown;
      const value = await tg.start<string>((_signal, started) => {
        started("first");
        try {
          started("second");
        } catch (e) {
          second = e;
        }
      });
      equal(value, "first");
      ok(second instanceof Error && /already/.test(second.message), "the second started() threw");
    });
  });

  s.case("TG-30", "start(): after started() the child's failure is the group's failure", async () => {
    const boom = new Error("crashed after start");
    let siblingSaw: unknown;
    const error = await rejects(
      taskGroup(async (tg) => {
        tg.spawn(async (signal) => {
          try {
            await until(signal);
          } catch (e) {
            siblingSaw = e;
            throw e;
          }
        });
        await tg.start(async (_signal, started) => {
          started();
          await s.tick();
          throw boom;
        });
      }),
      TaskGroupError,
    ) as TaskGroupErrorT;
    equal(error.errors[0], boom);
    ok(isCancelled(siblingSaw, "sibling"));
  });

  s.case("TG-31", "start(): until started() the child lives in the caller's scope, then in the group's", async () => {
    await taskGroup(async (tg) => {
      const caller = new CancelScope();
      let before: boolean | undefined;
      const ready = deferred();
      let signalAfter: AbortSignal | undefined;
      await caller.run(async () => {
        // The caller's scope is cancelled while the child is starting: the child sees it.
        const starting = tg.start(async (signal) => {
          await s.tick();
          caller.cancel("caller gave up");
          before = signal.aborted;
          await until(signal);
        });
        await rejects(starting, Cancelled);
      });
      equal(before, true, "the caller's cancellation reached the starting child");
      equal(tg.signal.aborted, false, "and not the group");
      // Once started, the caller's scope no longer governs the child.
      const other = new CancelScope();
      await other.run(async () => {
        await tg.start(async (signal, started) => {
          signalAfter = signal;
          started();
          await ready.promise;
        });
        other.cancel();
      });
      equal(signalAfter!.aborted, false, "cancelling the former caller's scope does not reach it");
      ready.resolve();
    });
  });

  s.case("TG-32", "start(): a group cancelled while the child is starting cancels it; start() rejects", async () => {
    const boom = new Error("boom");
    const error = await rejects(
      taskGroup(async (tg) => {
        tg.spawn(async () => {
          await s.tick();
          throw boom;
        });
        const error = await rejects(tg.start((signal) => until(signal)), Cancelled);
        equal(error, tg.signal.reason, "the group's own reason");
      }),
      TaskGroupError,
    ) as TaskGroupErrorT;
    equal(error.errors.length, 1);
  });
}
