import { deepEqual, equal, ok, rejects, throws } from "../assert.ts";
import type { Suite } from "../harness.ts";
import type { ExitStack as Stack } from "@corral/core";
import { type Chain, never, within } from "./cleanup-support.ts";

// Exit stacks: cleanup is shielded and bounded by its grace period, however the stack is closed.
export function exitStackGraceCases(s: Suite): void {
  const { corral: c } = s;
  const { ExitStack, SuppressedError, TimeoutError, CancelScope } = c;

  s.case("EX-37", "a hung callback fails with TimeoutError after the grace period; the rest still run", async () => {
    const log: string[] = [];
    let hungSignal: AbortSignal | undefined;
    const stack = new ExitStack({ gracePeriod: 20 });
    stack.defer((signal) => void log.push(`older ${signal.aborted}`));
    stack.defer((signal) => {
      hungSignal = signal;
      return never();
    });
    stack.defer(() => void log.push("newer"));
    const error = await rejects(stack.close(), TimeoutError, /grace period of 20 ms/);
    deepEqual(log, ["newer", "older false"]);
    ok(hungSignal?.aborted, "the hung callback's signal aborted");
    ok((error as Error).cause instanceof c.Cancelled, "caused by the grace deadline");
  });

  s.case("EX-38", "a callback that honours its signal is stopped by the grace period too", async () => {
    const stack = new ExitStack({ gracePeriod: 10 });
    let finished = false;
    stack.defer(async (signal) => {
      await c.sleep(60_000, { signal });
      finished = true;
    });
    await rejects(stack.close(), TimeoutError);
    await s.tick();
    equal(finished, false);
  });

  s.case("EX-39", "close() awaited from inside one of the stack's own callbacks fails at once, saying so", async () => {
    const grace = 2_000; // long enough that a wait on itself would end in a TimeoutError instead
    const ways: [string, (stack: Stack) => void][] = [
      ["defer(() => stack.close())", (stack) => stack.defer(() => stack.close())],
      ["after an await", (stack) =>
        stack.defer(async () => {
          await c.sleep(1);
          await stack.close();
        })],
      ["[Symbol.asyncDispose]()", (stack) => stack.push(() => stack[Symbol.asyncDispose]())],
      ["a manager's cleanup", (stack) =>
        void stack.enter(
          c.contextManager(async function* () {
            yield;
            await stack.close();
          })(),
        )],
    ];
    for (const [how, register] of ways) {
      for (
        const [closer, close] of [
          ["close()", async () => {
            const stack = new ExitStack({ gracePeriod: grace });
            register(stack);
            await s.tick();
            await stack.close();
          }],
          ["withExitStack", () =>
            c.withExitStack(async (stack) => {
              register(stack);
              await s.tick();
            }, { gracePeriod: grace })],
        ] as const
      ) {
        const error = await within(10_000, `${how}, ${closer}`, rejects(close(), Error));
        ok(!(error instanceof TimeoutError), `${how}, ${closer}: failed at once, not after the grace period`);
        ok(
          /Cannot await close\(\) of an ExitStack from inside one of its own callbacks/.test((error as Error).message),
          `${how}, ${closer}: ${(error as Error).message}`,
        );
      }
    }
  });

  s.case("EX-40", "gracePeriod is validated at construction", () => {
    throws(() => new ExitStack({ gracePeriod: NaN }), RangeError, /'gracePeriod'.*NaN/);
    throws(() => new ExitStack({ gracePeriod: "5" as never }), TypeError, /'gracePeriod'.*"5"/);
    throws(() => new ExitStack(null as never), TypeError, /'options'/);
  });

  s.case("EX-41", "gracePeriod 0 is already expired: callbacks run, with an aborted signal", async () => {
    const stack = new ExitStack({ gracePeriod: 0 });
    const seen: boolean[] = [];
    stack.defer((signal) => void seen.push(signal.aborted));
    stack.defer((signal) => Promise.resolve(void seen.push(signal.aborted)));
    await stack.close();
    deepEqual(seen, [true, true]);
  });

  s.case("EX-42", "a custom thenable is awaited", async () => {
    const log: string[] = [];
    const stack = new ExitStack();
    stack.defer(() => void log.push("older"));
    stack.defer(() => ({
      then(resolve: () => void) {
        setTimeout(() => {
          log.push("thenable");
          resolve();
        }, 1);
      },
    }));
    await stack.close();
    deepEqual(log, ["thenable", "older"]);
  });

  /** Every way of closing a stack; each registers callbacks with `register` and closes. */
  const closings: [string, (register: (stack: Stack) => void, grace?: number) => Promise<unknown>][] = [
    ["close()", async (register, grace) => {
      const stack = new ExitStack({ gracePeriod: grace });
      register(stack);
      await stack.close();
    }],
    ["await using", async (register, grace) => {
      await using stack = new ExitStack({ gracePeriod: grace });
      register(stack);
    }],
    ["withExitStack", (register, grace) => c.withExitStack(register, { gracePeriod: grace })],
    ["withExitStack, the body failed", async (register, grace) => {
      const body = new Error("body");
      const error = await rejects(c.withExitStack((stack) => {
        register(stack);
        throw body;
      }, { gracePeriod: grace }));
      if (error === body) return;
      ok(error instanceof SuppressedError && (error as Chain).suppressed === body, String(error));
      throw (error as Chain).error;
    }],
    ["move() and close()", async (register, grace) => {
      const stack = new ExitStack({ gracePeriod: grace });
      register(stack);
      await stack.move().close();
    }],
  ];

  s.case(
    "EX-45",
    "closed any way under a cancelled scope, every callback runs on a live signal of its own",
    async () => {
      for (const [how, close] of closings) {
        const log: string[] = [];
        const scope = new CancelScope();
        const check = async (kind: string, handed?: AbortSignal) => {
          const ambient = c.currentSignal();
          await c.sleep(1); // inherits the ambient signal: rejects if that is the cancelled scope's
          const same = handed === undefined || handed === ambient;
          log.push(`${kind}: aborted ${ambient?.aborted}, outer ${ambient === scope.signal}, handed ${same}`);
        };
        const value = await scope.run(async () => {
          scope.cancel();
          await close((stack) => {
            stack.use({
              [Symbol.dispose]: () => void log.push(`use sync: aborted ${c.currentSignal()?.aborted}`),
            });
            stack.use({ [Symbol.asyncDispose]: () => check("use") });
            stack.adopt("v", (_, signal) => check("adopt", signal));
            stack.push(async (_, signal) => void await check("push", signal));
            stack.defer(() => check("defer()"));
            stack.defer((signal) => check("defer(signal)", signal));
            stack.defer(() => c.shield((signal) => check("shield", signal)));
          });
          return "closed";
        });
        equal(value, "closed", how);
        const fine = "aborted false, outer false, handed true";
        deepEqual(log, [
          `shield: ${fine}`,
          `defer(signal): ${fine}`,
          `defer(): ${fine}`,
          `push: ${fine}`,
          `adopt: ${fine}`,
          `use: ${fine}`,
          "use sync: aborted false",
        ], how);
      }
    },
  );

  s.case(
    "EX-46",
    "closed any way under a cancelled scope, a hung callback still ends at its grace period",
    async () => {
      for (const [how, close] of closings) {
        for (const hang of ["honours", "ignores"]) {
          let seen: AbortSignal | undefined;
          let after = false;
          const scope = new CancelScope();
          const run = scope.run(async () => {
            scope.cancel();
            await close((stack) => {
              stack.defer(() => void (after = true));
              stack.defer(() => {
                seen = c.currentSignal();
                return hang === "honours" ? c.sleep(60_000) : never();
              });
            }, 20);
          });
          const error = await within(10_000, `${how}, ${hang}`, rejects(run, TimeoutError, /grace period of 20 ms/));
          ok((error as Error).cause instanceof c.Cancelled, `${how}, ${hang}: caused by the grace deadline`);
          ok(seen?.aborted, `${how}, ${hang}: the callback's ambient signal aborted`);
          ok(after, `${how}, ${hang}: the older callback still ran`);
        }
      }
    },
  );

  s.case(
    "EX-49",
    "gracePeriod must be a number >= 0: -1, -Infinity, NaN and non-numbers throw, naming it",
    async () => {
      for (const bad of [-1, -Infinity, -0.5]) {
        throws(
          () => new ExitStack({ gracePeriod: bad }),
          RangeError,
          /ExitStack as 'gracePeriod' must be >= 0: received -/,
        );
        await rejects(c.withExitStack(() => 1, { gracePeriod: bad }), RangeError, /withExitStack as 'gracePeriod'.*-/);
      }
      throws(() => new ExitStack({ gracePeriod: NaN }), RangeError, /'gracePeriod'.*NaN/);
      await rejects(c.withExitStack(() => 1, { gracePeriod: "1" as never }), TypeError, /'gracePeriod'.*"1"/);
      // 0 (already expired) and Infinity (no limit) are fine, and so is leaving it out.
      for (const fine of [0, Infinity, undefined]) await new ExitStack({ gracePeriod: fine }).close();
    },
  );

  s.case("EX-50", "shield(): a cleanup that ignores its signal still ends at the grace period", async () => {
    let seen: AbortSignal | undefined;
    const scope = new CancelScope();
    const run = scope.run(async () => {
      scope.cancel();
      return await c.shield((signal) => {
        seen = c.currentSignal();
        ok(seen === signal, "currentSignal() is the shield's signal");
        return never();
      }, { timeout: 20 });
    });
    const error = await within(10_000, "shield", rejects(run, TimeoutError, /grace period of 20 ms/));
    ok((error as Error).cause instanceof c.Cancelled);
    ok(seen?.aborted, "the shield's signal aborted when its grace period passed");
  });

  s.case("EX-51", "shield(): 'timeout' must be a number >= 0: -1, NaN and non-numbers throw, naming it", async () => {
    await rejects(c.shield(() => 1, { timeout: -1 }), RangeError, /shield as 'timeout' must be >= 0: received -1/);
    await rejects(c.shield(() => 1, { timeout: -Infinity }), RangeError, /'timeout'.*-Infinity/);
    await rejects(c.shield(() => 1, { timeout: NaN }), RangeError, /'timeout'.*NaN/);
    await rejects(c.shield(() => 1, { timeout: "1" as never }), TypeError, /'timeout'.*"1"/);
    // 0 is already expired: fn still runs, with an aborted signal, and a value it returns at once is kept.
    equal(await c.shield((signal) => signal.aborted, { timeout: 0 }), true);
    equal(await c.shield(() => "no limit", { timeout: Infinity }), "no limit");
  });
}
