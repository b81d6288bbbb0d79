import { deepEqual, equal, ok, rejects, throws } from "../assert.ts";
import type { Suite } from "../harness.ts";
import type { GeneratorContextManager as Manager } from "@corral/core";
import { type Chain, within } from "./cleanup-support.ts";

// Generator context managers: the cleanup after `yield` runs shielded and bounded by its grace
// period, however the manager is closed.
export function contextManagerCleanupCases(s: Suite): void {
  const { corral: c } = s;
  const {
    contextManager,
    withContext,
    SuppressedError,
    TimeoutError,
    ExitStack,
    CancelScope,
    GeneratorContextManager,
  } = c;

  s.case("CM-18", "the cleanup after yield runs under a cancelled scope, on a live ambient signal", async () => {
    const log: string[] = [];
    const scope = new CancelScope();
    const cm = contextManager(async function* () {
      try {
        yield;
      } finally {
        await c.sleep(2); // the ambient signal here is the cleanup's shield, not the cancelled scope
        log.push(`cleaned, aborted: ${c.currentSignal()?.aborted}`);
      }
    });
    await scope.run(() =>
      withContext(cm(), () => {
        scope.cancel();
      })
    );
    deepEqual(log, ["cleaned, aborted: false"]);
  });

  s.case("CM-19", "a hung cleanup fails with TimeoutError after withContext's grace period", async () => {
    const cm = contextManager(async function* () {
      yield;
      await new Promise(() => {});
    });
    await rejects(withContext(cm(), () => "v", { gracePeriod: 10 }), TimeoutError);
  });

  /**
   * Every way of closing a manager: each enters `cm` and closes it, with
   * `grace` as the cleanup's grace period where the closer takes one (a
   * manager closed on its own has its grace period from its constructor).
   */
  const closings: [string, (cm: Manager<unknown>, grace?: number) => Promise<unknown>][] = [
    ["await using", async (cm) => {
      await using m = cm;
      await m.enter();
    }],
    ["exit()", async (cm) => {
      await cm.enter();
      await cm.exit();
    }],
    ["exit(error)", async (cm) => {
      await cm.enter();
      const body = new Error("body");
      const outcome = await cm.exit(body).then(
        () => ({ failed: false, error: undefined as unknown }),
        (error: unknown) => ({ failed: true, error }),
      );
      if (!outcome.failed) return;
      const error = outcome.error;
      // What the cleanup threw travels with the error it was handed.
      ok(error instanceof SuppressedError && (error as Chain).suppressed === body, String(error));
      throw (error as Chain).error;
    }],
    ["withContext", (cm, grace) => withContext(cm, () => {}, { gracePeriod: grace })],
    ["ExitStack.enter + close()", async (cm, grace) => {
      const stack = new ExitStack({ gracePeriod: grace });
      await stack.enter(cm);
      await stack.close();
    }],
    ["ExitStack.enter + await using", async (cm, grace) => {
      await using stack = new ExitStack({ gracePeriod: grace });
      await stack.enter(cm);
    }],
    [
      "withExitStack",
      (cm, grace) => c.withExitStack(async (stack) => void await stack.enter(cm), { gracePeriod: grace }),
    ],
    ["ExitStack closed while entering", async (cm, grace) => {
      const stack = new ExitStack({ gracePeriod: grace });
      const entering = stack.enter(cm);
      await stack.close();
      const error = await rejects(entering);
      // The manager is exited at once; the ReferenceError travels with what its cleanup threw.
      if (error instanceof ReferenceError) return;
      ok(error instanceof SuppressedError && (error as Chain).suppressed instanceof ReferenceError, String(error));
      throw (error as Chain).error;
    }],
    ["ExitStack.use + close()", async (cm, grace) => {
      const stack = new ExitStack({ gracePeriod: grace });
      await stack.use(cm).enter();
      await stack.close();
    }],
  ];

  s.case("CM-22", "closed any way under a cancelled scope, cleanup runs on a live signal of its own", async () => {
    for (const [how, close] of closings) {
      const log: string[] = [];
      const scope = new CancelScope();
      const cm = contextManager(async function* () {
        try {
          yield;
        } catch {
          // exit(error): swallowed, so that only the cleanup is under test
        } finally {
          const signal = c.currentSignal();
          await c.sleep(2); // inherits the ambient signal: rejects if that is the cancelled scope's
          log.push(
            `aborted ${signal?.aborted}, outer ${signal === scope.signal}, kept ${c.currentSignal() === signal}`,
          );
        }
      });
      const value = await scope.run(async () => {
        scope.cancel();
        await close(cm());
        return "closed";
      });
      equal(value, "closed", how);
      deepEqual(log, ["aborted false, outer false, kept true"], how);
    }
  });

  s.case("CM-23", "closed any way under a cancelled scope, a hung cleanup still ends at its grace period", async () => {
    for (const [how, close] of closings) {
      // One cleanup honours its (ambient) signal, the other ignores every signal.
      let seen: AbortSignal | undefined;
      const honours = async function* () {
        try {
          yield;
        } catch {
          // exit(error) takes the same path as exit()
        }
        seen = c.currentSignal();
        await c.sleep(60_000);
      };
      const ignores = async function* () {
        try {
          yield;
        } catch {
          // as above
        }
        await new Promise(() => {});
      };
      for (const gen of [honours, ignores]) {
        const scope = new CancelScope();
        const run = scope.run(async () => {
          scope.cancel();
          await close(new GeneratorContextManager(gen(), { gracePeriod: 20 }), 20);
        });
        const error = await within(10_000, `${how}, ${gen.name}`, rejects(run));
        ok(error instanceof TimeoutError, `${how}, ${gen.name}: ${error}`);
        ok(/grace period of 20 ms/.test((error as Error).message), `${how}, ${gen.name}: ${(error as Error).message}`);
      }
      ok(seen?.aborted, `${how}: the cleanup's signal aborted`);
    }
  });

  s.case("CM-24", "a body that throws undefined, null or 0 has failed: the generator sees it at yield", async () => {
    for (const thrown of [undefined, null, 0]) {
      for (
        const [how, run] of [
          ["withContext", (cm: Manager<void>) => withContext(cm, () => Promise.reject(thrown))],
          ["withExitStack", (cm: Manager<void>) =>
            c.withExitStack(async (stack) => {
              await stack.enter(cm);
              throw thrown;
            })],
        ] as const
      ) {
        const log: string[] = [];
        const transaction = contextManager(async function* () {
          try {
            yield;
            log.push("commit");
          } catch (error) {
            log.push(`rollback ${error}`);
            throw error;
          }
        });
        const error = await rejects(run(transaction()));
        equal(error, thrown, `${how}, ${thrown}: rethrown unchanged`);
        deepEqual(log, [`rollback ${thrown}`], `${how}, ${thrown}`);
      }
    }
  });

  s.case("CM-25", "exit() from inside the manager's own cleanup fails at once, saying what to do instead", async () => {
    const cm = contextManager(async function* () {
      yield;
      await manager.exit();
    });
    const manager: Manager<void> = cm();
    await manager.enter();
    const error = await within(5_000, "exit()", rejects(manager.exit(), Error, /already exiting/));
    ok(!(error instanceof TimeoutError));
    ok(/from inside its own cleanup/.test((error as Error).message), (error as Error).message);
  });

  s.case(
    "CM-26",
    "a manager's gracePeriod is validated like an ExitStack's: -1, NaN and non-numbers throw",
    async () => {
      async function* gen() {
        yield;
      }
      throws(() => new GeneratorContextManager(gen(), { gracePeriod: -1 }), RangeError, /'gracePeriod'.*-1/);
      throws(() => new GeneratorContextManager(gen(), { gracePeriod: NaN }), RangeError, /'gracePeriod'.*NaN/);
      throws(() => new GeneratorContextManager(gen(), { gracePeriod: "1" as never }), TypeError, /'gracePeriod'/);
      throws(() => new GeneratorContextManager(gen(), 1 as never), TypeError, /'options'/);
      await rejects(
        withContext(contextManager(gen)(), () => {}, { gracePeriod: -1 }),
        RangeError,
        /withContext.*'gracePeriod'.*-1/,
      );
      // 0 is already expired, not an error: the cleanup still runs.
      equal(await new GeneratorContextManager(gen(), { gracePeriod: 0 }).enter(), undefined);
    },
  );
}
