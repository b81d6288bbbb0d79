import { deepEqual, equal, ok, rejects } from "../assert.ts";
import type { Suite } from "../harness.ts";
import type { Chain } from "./cleanup-support.ts";

/**
 * TC39's DisposeResources, for the throws of callbacks registered in
 * `order` (run newest first): a throw while another is in flight becomes
 * `SuppressedError(new, pending)`, whatever the values are.
 */
function specChain(order: unknown[]): { has: boolean; error: unknown } {
  let has = false;
  let error: unknown;
  for (let i = order.length - 1; i >= 0; i--) {
    error = has ? { name: "SuppressedError", error: order[i], suppressed: error } : order[i];
    has = true;
  }
  return { has, error };
}

/** A comparable picture of an outcome: SuppressedErrors by structure, leaves by type and value. */
function picture(outcome: { has: boolean; error?: unknown }): string {
  const leaf = (value: unknown): unknown => {
    if (typeof value === "object" && value !== null && (value as Error).name === "SuppressedError") {
      const chain = value as { error: unknown; suppressed: unknown };
      return { error: leaf(chain.error), suppressed: leaf(chain.suppressed) };
    }
    if (value instanceof Error) return `${value.name}: ${value.message}`;
    return `${typeof value} ${Object.is(value, -0) ? "-0" : String(value)}`;
  };
  return outcome.has ? JSON.stringify(leaf(outcome.error)) : "resolved";
}

async function outcomeOf(promise: PromiseLike<unknown>): Promise<{ has: boolean; error?: unknown }> {
  try {
    await promise;
    return { has: false };
  } catch (error) {
    return { has: true, error };
  }
}

// Exit stacks: how the errors of callbacks travel together (TC39 SuppressedError chains).
export function exitStackErrorCases(s: Suite): void {
  const { corral: c } = s;
  const { ExitStack, SuppressedError } = c;

  s.case("EX-13", "every callback runs even when earlier ones throw", async () => {
    const log: number[] = [];
    const stack = new ExitStack();
    for (let i = 0; i < 4; i++) {
      stack.defer(() => {
        log.push(i);
        if (i % 2 === 0) throw new Error(String(i));
      });
    }
    await rejects(stack.close());
    deepEqual(log, [3, 2, 1, 0]);
  });

  s.case("EX-14", "a single error is thrown as itself, not wrapped", async () => {
    const boom = new Error("boom");
    const stack = new ExitStack();
    stack.defer(() => {
      throw boom;
    });
    stack.defer(() => {});
    equal(await rejects(stack.close()), boom);
  });

  s.case("EX-15", "errors chain as SuppressedError(newer, older), the newest outermost", async () => {
    const [a, b, d] = [new Error("a"), new Error("b"), new Error("d")];
    const stack = new ExitStack();
    stack.defer(() => {
      throw d;
    });
    stack.defer(() => Promise.reject(b));
    stack.defer(() => {
      throw a;
    });
    const error = (await rejects(stack.close(), SuppressedError)) as Chain;
    equal(error.error, d, "the last to run is outermost");
    const inner = error.suppressed as Chain;
    ok(inner instanceof SuppressedError);
    equal(inner.error, b);
    equal(inner.suppressed, a);
  });

  s.case("EX-16", "the same error thrown again by another callback is not wrapped again", async () => {
    const boom = new Error("boom");
    const stack = new ExitStack();
    stack.push((error) => {
      throw error;
    });
    stack.defer(() => {
      throw boom;
    });
    equal(await rejects(stack.close()), boom);
  });

  s.case(
    "EX-17",
    "a rethrown error already inside the chain is not added twice (no duplicates, no cycles)",
    async () => {
      const [a, b] = [new Error("a"), new Error("b")];
      const stack = new ExitStack();
      stack.push(() => {
        throw a;
      });
      stack.defer(() => {
        throw b;
      });
      stack.defer(() => {
        throw a;
      });
      const error = (await rejects(stack.close(), SuppressedError)) as Chain;
      equal(error.error, b);
      equal(error.suppressed, a);
    },
  );

  s.case("EX-18", "thrown primitives are chained like errors (TC39)", async () => {
    const stack = new ExitStack();
    stack.defer(() => {
      throw 2;
    });
    stack.defer(() => {
      throw "one";
    });
    const error = (await rejects(stack.close(), SuppressedError)) as Chain;
    equal(error.error, 2);
    equal(error.suppressed, "one");
  });

  s.case("EX-47", "throwing undefined, null, 0 … chains exactly as TC39's AsyncDisposableStack does", async () => {
    const Native = (globalThis as { AsyncDisposableStack?: new () => AsyncDisposableStack }).AsyncDisposableStack;
    const a = new Error("a");
    const orders: unknown[][] = [
      [undefined, undefined],
      [null, null],
      [0, 0],
      ["x", "x"],
      [NaN, NaN],
      [false, undefined, false],
      [undefined, null, 0, undefined],
      [undefined],
      [a, undefined, undefined],
      [undefined, a],
    ];
    for (const order of orders) {
      const stack = new ExitStack();
      for (const value of order) {
        stack.defer(() => {
          throw value;
        });
      }
      const ours = picture(await outcomeOf(stack.close()));
      const expected = picture(specChain(order));
      equal(ours, expected, `corral, throws in order ${order.map(String)}`);
      if (Native !== undefined) {
        // Where the runtime has the native stack (Node 24, Deno, Bun), it must agree too: a check on the model.
        const native = new Native();
        for (const value of order) {
          native.defer(() => {
            throw value;
          });
        }
        equal(
          picture(await outcomeOf(native.disposeAsync())),
          expected,
          `native, throws in order ${order.map(String)}`,
        );
      }
    }
  });

  s.case("EX-48", "withExitStack: a body that throws undefined, null or 0 has an error in flight", async () => {
    for (const thrown of [undefined, null, 0]) {
      // A cleanup that throws the same primitive wraps it, as `await using` does.
      const wrapped = await rejects(
        c.withExitStack((stack) => {
          stack.defer(() => {
            throw thrown;
          });
          throw thrown;
        }),
        SuppressedError,
      );
      equal((wrapped as Chain).error, thrown, `${thrown}: the cleanup's throw is outermost`);
      equal((wrapped as Chain).suppressed, thrown, `${thrown}: the body's throw is suppressed`);
      // An exit callback sees it, may rethrow it unchanged, or suppress it.
      const seen: unknown[] = [];
      const rethrown = await rejects(c.withExitStack((stack) => {
        stack.push((error) => {
          seen.push(error);
          throw error;
        });
        throw thrown;
      }));
      equal(rethrown, thrown, `${thrown}: rethrown by the callback it was handed to, unchanged`);
      const value = await c.withExitStack((stack) => {
        stack.push((error) => {
          seen.push(error);
          return true;
        });
        throw thrown;
      });
      equal(value, undefined, `${thrown}: suppressed`);
      deepEqual(seen.map(String), [String(thrown), String(thrown)]);
    }
  });
}
