// Shared leases (issue #14's generic row): corral's `acquire({ shared: true })`
// against Effect's Pool with per-item `concurrency`, on fake resources.
// 100 workers, max 10 resources, 10 sharers a resource; each cycle takes a
// shared lease, holds it across one await (the pipelined request), and
// gives it back. Both pools start warm, and both bound the acquire with a
// timeout. Every contender marks what it holds, so that the sharer cap is
// checked for both alike. Imported by pool.bench.ts.
import { createPool } from "@corral/core";
import { Effect, Exit, Pool as EffectPool, Scope } from "effect";
import { compare, runtimeName, verdict } from "./lib.ts";

const MAX = 10;
const CAP = 10;
const WORKERS = 100;
const TIMEOUT = 10_000;

interface Conn {
  id: number;
  sharers: number;
}
let nextId = 0;
const make = (): Conn => ({ id: ++nextId, sharers: 0 });
let peak = 0;
function take(c: Conn): void {
  if (++c.sharers > CAP) throw new Error(`connection ${c.id} shared past its cap`);
  if (c.sharers > peak) peak = c.sharers;
}
function give(c: Conn): void {
  c.sharers--;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Prints the shared-lease table and its verdicts. */
export async function sharedRow(): Promise<void> {
  const corral = createPool<Conn>({ create: make, max: MAX, min: MAX, maxShared: CAP, acquireTimeout: TIMEOUT });
  await corral.ready();
  const shared = { shared: true } as const;
  const corralWorker = async (cycles: number) => {
    for (let i = 0; i < cycles; i++) {
      const lease = await corral.acquire(shared);
      const c = lease.resource;
      take(c);
      await Promise.resolve();
      give(c);
      lease.release();
    }
  };

  const scope = Scope.makeUnsafe();
  const effectPool = await Effect.runPromise(
    Scope.provide(scope)(EffectPool.make({ acquire: Effect.sync(make), size: MAX, concurrency: CAP })),
  );
  const effectGet = Effect.timeout(EffectPool.get(effectPool), TIMEOUT);
  const effectCycle = Effect.scoped(
    Effect.flatMap(effectGet, (c) => (take(c), Effect.map(Effect.promise(() => Promise.resolve()), () => give(c)))),
  );
  const effectWorker = (cycles: number) => Effect.forEach(range(cycles), () => effectCycle, { discard: true });

  console.log(`\n# shared leases on ${runtimeName()}`);
  const rows = await compare(
    `shared leases: ${WORKERS} workers, max ${MAX}, ${CAP} sharers a resource, each lease held across one await`,
    [
      {
        name: "corral, acquire({ shared: true })",
        run: async (n) => void await Promise.all(range(WORKERS).map(() => corralWorker(n / WORKERS))),
      },
      {
        name: "Effect Pool ({ concurrency: 10 }, + Effect.timeout)",
        run: (n) =>
          Effect.runPromise(
            Effect.forEach(range(WORKERS), () => effectWorker(n / WORKERS), {
              concurrency: "unbounded",
              discard: true,
            }),
          ),
      },
    ],
    { ops: WORKERS * 200, rounds: 7, unit: "cycle" },
  );
  const ratio = rows[1]!.ratio;
  verdict("shared: corral faster than Effect's Pool with concurrency", ratio > 1, `${ratio.toFixed(2)}× faster`);
  verdict(`shared: no resource past its ${CAP} sharers (both pools)`, peak <= CAP, `peak ${peak}`);
  await corral.close();
  await Effect.runPromise(Scope.close(scope, Exit.void));
}
