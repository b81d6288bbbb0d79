import fc from "fast-check";
import { describe, expect, test, vi } from "vitest";
import { diagnostics } from "../base/diagnostics.ts";
import { SuppressedError, type SuppressedErrorLike, TimeoutError } from "../base/errors.ts";
import { ExitStack, withExitStack } from "./exit-stack.ts";
import { sleep } from "../cancellation/sleep.ts";

type Action = "ok" | "throw" | "suppress" | "hang" | "asyncOk" | "asyncThrow" | "asyncSuppress" | "hangAbortable";
const ACTIONS: Action[] = [
  "ok",
  "throw",
  "suppress",
  "hang",
  "asyncOk",
  "asyncThrow",
  "asyncSuppress",
  "hangAbortable",
];
const GRACE = 5;

/** A chain, newest first: SuppressedErrors we made are unrolled; anything else is a leaf. */
function flatten(error: unknown): unknown[] {
  const out: unknown[] = [];
  let e = error;
  while (e instanceof SuppressedError) {
    out.push((e as SuppressedErrorLike).error);
    e = (e as SuppressedErrorLike).suppressed;
  }
  out.push(e);
  return out;
}

/** Leaves comparable with the model: our own errors by identity, timeouts by kind. */
function shape(chain: unknown[]): unknown[] {
  return chain.map((e) => (e instanceof TimeoutError ? "timeout" : e));
}

describe("ExitStack properties", () => {
  test("every callback runs exactly once, newest first, and exactly the thrown errors are aggregated", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...ACTIONS), { maxLength: 12 }).filter((a) =>
          a.filter((x) => x.startsWith("hang")).length <= 2
        ),
        fc.boolean(),
        async (actions, bodyThrows) => {
          const errors = actions.map((a, k) => new Error(`${a} #${k}`));
          const body = new Error("body");
          const ran: number[] = [];
          const seen: unknown[][] = [];

          // The model: walk newest first, tracking the error in flight.
          let pending: unknown[] | undefined = bodyThrows ? [body] : undefined;
          const expectedSeen: unknown[][] = [];
          for (let k = actions.length - 1; k >= 0; k--) {
            expectedSeen[k] = pending ?? [undefined];
            const a = actions[k]!;
            if (a === "throw" || a === "asyncThrow") pending = [errors[k], ...(pending ?? [])];
            else if (a === "hang" || a === "hangAbortable") pending = ["timeout", ...(pending ?? [])];
            else if (a === "suppress" || a === "asyncSuppress") pending = undefined;
          }

          const register = (stack: ExitStack) => {
            actions.forEach((a, k) => {
              stack.push((error, signal) => {
                ran.push(k);
                seen[k] = shape(flatten(error));
                switch (a) {
                  case "ok":
                    return;
                  case "throw":
                    throw errors[k];
                  case "suppress":
                    return true;
                  case "asyncOk":
                    return Promise.resolve();
                  case "asyncThrow":
                    return Promise.reject(errors[k]);
                  case "asyncSuppress":
                    return Promise.resolve(true);
                  case "hang":
                    return new Promise(() => {});
                  case "hangAbortable":
                    return sleep(Infinity, { signal });
                }
              });
            });
          };

          let outcome: { value: unknown } | { error: unknown };
          if (bodyThrows) {
            outcome = await withExitStack((stack) => {
              register(stack);
              throw body;
            }, { gracePeriod: GRACE }).then((value) => ({ value }), (error) => ({ error }));
          } else {
            const stack = new ExitStack({ gracePeriod: GRACE });
            register(stack);
            outcome = await stack.close().then((value) => ({ value }), (error) => ({ error }));
          }

          expect(ran).toEqual(actions.map((_, k) => k).reverse());
          expect(seen).toEqual(expectedSeen.map((chain) => shape(chain)));
          if (pending === undefined) {
            expect(outcome).toEqual({ value: undefined });
          } else {
            expect("error" in outcome).toBe(true);
            expect(shape(flatten((outcome as { error: unknown }).error))).toEqual(pending);
          }
          // The grace timer entry is parked for a few microtasks after a close (for the next one): one turn frees it.
          await new Promise((resolve) => setTimeout(resolve, 0));
          expect(diagnostics()).toEqual({ timers: 0, links: 0, listeners: 0 });
        },
      ),
      { numRuns: 120 },
    );
  });
});

describe("ExitStack", () => {
  test("use() accepts the runtime's DisposableStack and AsyncDisposableStack (the polyfill's on Node 20)", async () => {
    const g = globalThis as { DisposableStack?: new () => DisposableStack };
    const h = globalThis as { AsyncDisposableStack?: new () => AsyncDisposableStack };
    const Sync = g.DisposableStack ?? (await import("disposablestack/DisposableStack/implementation")).default;
    const Async = h.AsyncDisposableStack ??
      (await import("disposablestack/AsyncDisposableStack/implementation")).default;
    const log: string[] = [];
    const stack = new ExitStack();
    const sync = stack.use(new Sync());
    sync.defer(() => void log.push("sync"));
    const async = stack.use(new Async());
    async.defer(() => Promise.resolve().then(() => void log.push("async")));
    await stack.close();
    expect(log).toEqual(["async", "sync"]);
    expect(sync.disposed && async.disposed).toBe(true);
  });

  test("thrown values chain exactly as the runtime's AsyncDisposableStack (the polyfill's on Node 20) chains them", async () => {
    const h = globalThis as { AsyncDisposableStack?: new () => AsyncDisposableStack };
    const Reference = h.AsyncDisposableStack ??
      (await import("disposablestack/AsyncDisposableStack/implementation")).default;
    const picture = (outcome: { has: boolean; error?: unknown }): unknown => {
      const leaf = (v: unknown): unknown =>
        v instanceof Error && v.name === "SuppressedError"
          ? [leaf((v as SuppressedErrorLike).error), leaf((v as SuppressedErrorLike).suppressed)]
          : v instanceof Error
          ? v
          : { primitive: Object.is(v, -0) ? "-0" : String(v), type: typeof v };
      return outcome.has ? leaf(outcome.error) : "resolved";
    };
    const settle = (p: Promise<unknown>) => p.then(() => ({ has: false }), (error) => ({ has: true, error }));
    // Distinct objects only: corral deliberately never chains one object twice (TC39 would).
    const errors = [new Error("a"), new Error("b"), new Error("c")];
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.constantFrom<unknown>(undefined, null, 0, -0, NaN, "", "x", false, 1n, "ok"),
            fc.nat({ max: 2 }).map((i) => ({ object: i })),
          ),
          { maxLength: 8 },
        ),
        async (plan) => {
          const used = new Set<number>();
          const throws = plan.map((p) => {
            if (typeof p !== "object" || p === null) return p;
            const i = (p as { object: number }).object;
            if (used.has(i)) return "ok";
            used.add(i);
            return errors[i];
          });
          const ours = new ExitStack();
          const reference = new Reference();
          for (const value of throws) {
            const fn = () => {
              if (value !== "ok") throw value;
            };
            ours.defer(fn);
            reference.defer(fn);
          }
          expect(picture(await settle(ours.close()))).toEqual(picture(await settle(reference.disposeAsync())));
        },
      ),
      { numRuns: 300 },
    );
  });

  test("callbacks that return no thenable run synchronously inside close()", () => {
    const stack = new ExitStack();
    const log: number[] = [];
    for (let i = 0; i < 3; i++) stack.defer(() => void log.push(i));
    const closing = stack.close();
    expect(log).toEqual([2, 1, 0]);
    return closing;
  });

  test("a hung callback is abandoned no earlier than its grace period, and the rest still run", async () => {
    const stack = new ExitStack({ gracePeriod: 40 });
    let after = false;
    stack.defer(() => void (after = true));
    let started = 0;
    stack.defer(function hangs() {
      started = performance.now();
      return new Promise(() => {});
    });
    const error = await stack.close().catch((e) => e);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(39);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.message).toMatch(/callback #2 \(defer hangs\).*40 ms/);
    expect(after).toBe(true);
  });

  test("the grace period is per callback: slow but finishing callbacks do not add up to a timeout", async () => {
    const stack = new ExitStack({ gracePeriod: 60 });
    for (let i = 0; i < 4; i++) stack.defer(() => sleep(25));
    await stack.close();
  });

  test("closing small stacks one after another arms the host timer once, not once per close", async () => {
    const spy = vi.spyOn(globalThis, "setTimeout");
    try {
      for (let i = 0; i < 50; i++) {
        await withExitStack((stack) => {
          stack.defer(() => Promise.resolve());
          stack.use({ [Symbol.asyncDispose]: () => Promise.resolve() });
        });
      }
      expect(spy.mock.calls.length).toBeLessThanOrEqual(1);
    } finally {
      spy.mockRestore();
    }
  });

  test("gracePeriod is validated at construction", () => {
    expect(() => new ExitStack({ gracePeriod: NaN })).toThrow(RangeError);
    expect(() => new ExitStack({ gracePeriod: "1" as unknown as number })).toThrow(
      /Cannot create ExitStack as 'gracePeriod' must be a number of milliseconds: received "1"/,
    );
    expect(() => new ExitStack(5 as never)).toThrow(/'options' must be an object: received 5/);
  });

  test("many failing callbacks chain in linear time: each thrown error is examined a bounded number of times", async () => {
    // Every thrown error is a Proxy that counts each operation done on it
    // (property reads, `in`, instanceof's prototype walk, …). Chaining N errors
    // must examine each a bounded number of times: an implementation that
    // walks the chain built so far on every throw examines O(N²).
    async function chain(n: number): Promise<number> {
      let ops = 0;
      const counting: ProxyHandler<Error> = {
        get: (target, key, receiver) => (ops++, Reflect.get(target, key, receiver)),
        has: (target, key) => (ops++, Reflect.has(target, key)),
        getPrototypeOf: (target) => (ops++, Reflect.getPrototypeOf(target)),
        getOwnPropertyDescriptor: (target, key) => (ops++, Reflect.getOwnPropertyDescriptor(target, key)),
        ownKeys: (target) => (ops++, Reflect.ownKeys(target)),
      };
      const errors = Array.from({ length: n }, (_, i) => new Proxy(new Error(String(i)), counting));
      const stack = new ExitStack();
      for (const e of errors) {
        stack.defer(() => {
          throw e;
        });
      }
      const error = await stack.close().catch((e) => e);
      const counted = ops;
      const flat = flatten(error);
      expect(flat.length).toBe(n);
      expect(flat.every((e, i) => e === errors[i])).toBe(true);
      return counted;
    }
    const small = await chain(500);
    const large = await chain(4000);
    expect(small).toBeGreaterThan(0); // the count sees the examinations at all
    expect(large).toBeLessThanOrEqual(10 * 4000); // a few operations per error
    expect(large / small).toBeLessThan(8 * 1.5); // 8× the errors, about 8× the work (quadratic: 64×)
  });
});
