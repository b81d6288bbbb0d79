// The pool against its peers in one process (issue #5's benchmark):
// generic-pool, tarn, Effect's Pool, p-limit over an array, and a
// hand-rolled array pool as the floor. Every contender holds 10 ready
// resources and has an acquire timeout of 10 s where it supports one (p-limit
// has none; Effect's Pool has none, so Effect.timeout wraps the get).
//   1. uncontended: one caller acquires and releases in a loop;
//   2. contended: 1,000 workers × 100 cycles each on max 10;
//   3. memory at peak contention: heap with 10 leases out and 990 waiters queued;
//   4. shared leases against Effect's Pool with `concurrency` (pool-shared.ts).
// Run: node scripts/bench.mjs pool (all four runtimes).
import { createPool, diagnostics } from "@corral/core";
import genericPool from "generic-pool";
import { Pool as TarnPool } from "tarn";
import { Effect, Exit, Pool as EffectPool, Scope } from "effect";
import pLimit from "p-limit";
import { compare, heapUsed, type Row, runtimeName, verdict } from "./lib.ts";
import { sharedRow } from "./pool-shared.ts";

const MAX = 10;
const TIMEOUT = 10_000;
const WORKERS = 1_000;

interface Res {
  id: number;
  inUse: boolean;
}
let nextId = 0;
const make = (): Res => ({ id: ++nextId, inUse: false });
let inUse = 0;
let peak = 0;
// Every contender marks what it holds, so that max (and never lending one
// resource twice) is checked for all of them alike.
function take(r: Res): void {
  if (r.inUse) throw new Error(`resource ${r.id} lent twice`);
  r.inUse = true;
  if (++inUse > peak) peak = inUse;
}
function give(r: Res): void {
  r.inUse = false;
  inUse--;
}

/** The floor: an array of idle resources and a FIFO of waiters, each with its own timeout timer. */
class ArrayPool {
  idle: Res[] = [];
  waiters: { resolve: (r: Res) => void; timer: ReturnType<typeof setTimeout> }[] = [];
  head = 0;
  constructor(n: number) {
    for (let i = 0; i < n; i++) this.idle.push(make());
  }
  acquire(): Promise<Res> {
    if (this.idle.length > 0 && this.head === this.waiters.length) return Promise.resolve(this.idle.pop()!);
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve,
        timer: setTimeout(() => {
          const i = this.waiters.indexOf(waiter, this.head);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(new Error("timeout"));
        }, TIMEOUT),
      };
      this.waiters.push(waiter);
    });
  }
  release(r: Res): void {
    if (this.head < this.waiters.length) {
      const w = this.waiters[this.head]!;
      this.waiters[this.head++] = undefined as never;
      if (this.head === this.waiters.length) this.waiters.length = this.head = 0;
      clearTimeout(w.timer);
      w.resolve(r);
    } else this.idle.push(r);
  }
}

interface Contender {
  name: string;
  /** `n` acquire+release cycles, one after the other. */
  loop: (n: number) => Promise<unknown>;
  /** `workers` concurrent workers, `cycles` each. */
  contend: (workers: number, cycles: number) => Promise<unknown>;
  /** `workers` concurrent workers that each acquire and hold until `gate` resolves. */
  hold: (workers: number, gate: Promise<void>) => Promise<unknown>;
  close: () => Promise<unknown>;
}

/** A contender driven by a promise-returning cycle. */
function plain(
  name: string,
  acquire: () => Promise<Res>,
  release: (r: Res) => void,
  close: () => Promise<unknown>,
): Contender {
  const loop = async (n: number) => {
    for (let i = 0; i < n; i++) {
      const r = await acquire();
      take(r);
      give(r);
      release(r);
    }
  };
  return {
    name,
    loop,
    contend: (workers, cycles) => Promise.all(Array.from({ length: workers }, () => loop(cycles))),
    hold: (workers, gate) =>
      Promise.all(Array.from({ length: workers }, async () => {
        const r = await acquire();
        take(r);
        await gate;
        give(r);
        release(r);
      })),
    close,
  };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

async function contenders(): Promise<Contender[]> {
  const floor = new ArrayPool(MAX);

  const corral = createPool<Res>({ create: make, max: MAX, min: MAX, acquireTimeout: TIMEOUT });
  await corral.ready();
  const corralLoop = async (n: number) => {
    for (let i = 0; i < n; i++) {
      const lease = await corral.acquire();
      const r = lease.resource;
      take(r);
      give(r);
      lease.release();
    }
  };
  const corralUsing = async (n: number) => {
    for (let i = 0; i < n; i++) {
      await using lease = await corral.acquire();
      const r = lease.resource;
      take(r);
      give(r);
    }
  };

  const gp = genericPool.createPool<Res>(
    { create: () => Promise.resolve(make()), destroy: () => Promise.resolve() },
    { max: MAX, min: MAX, acquireTimeoutMillis: TIMEOUT },
  );
  await gp.ready();

  const tarn = new TarnPool<Res>({
    create: (cb: (err: Error | null, r: Res) => void) => cb(null, make()),
    destroy: () => {},
    min: MAX,
    max: MAX,
    acquireTimeoutMillis: TIMEOUT,
  });
  const warm = await Promise.all(range(MAX).map(() => tarn.acquire().promise));
  for (const r of warm) tarn.release(r);

  const scope = Scope.makeUnsafe();
  const effectPool = await Effect.runPromise(
    Scope.provide(scope)(EffectPool.make({ acquire: Effect.sync(make), size: MAX })),
  );
  const effectGet = Effect.timeout(EffectPool.get(effectPool), TIMEOUT);
  const effectCycle = Effect.scoped(Effect.map(effectGet, (r) => (take(r), give(r))));
  const effectLoop = (n: number) => Effect.forEach(range(n), () => effectCycle, { discard: true });

  const limit = pLimit(MAX);
  const limited = range(MAX).map(make);
  const limitedCycle = () =>
    limit(() => {
      const r = limited.pop()!;
      take(r);
      give(r);
      limited.push(r);
    });
  const limitedLoop = async (n: number) => {
    for (let i = 0; i < n; i++) await limitedCycle();
  };

  return [
    plain("hand-rolled array pool", () => floor.acquire(), (r) => floor.release(r), () => Promise.resolve()),
    {
      name: "corral",
      loop: corralLoop,
      contend: (workers, cycles) => Promise.all(range(workers).map(() => corralLoop(cycles))),
      hold: (workers, gate) =>
        Promise.all(
          range(workers).map(async () => {
            const lease = await corral.acquire();
            take(lease.resource);
            await gate;
            give(lease.resource);
            lease.release();
          }),
        ),
      close: () => corral.close(),
    },
    {
      name: "corral, await using",
      loop: corralUsing,
      contend: (workers, cycles) => Promise.all(range(workers).map(() => corralUsing(cycles))),
      hold: () => Promise.resolve(),
      close: () => Promise.resolve(),
    },
    plain("generic-pool", () => gp.acquire(), (r) => void gp.release(r), () => gp.drain().then(() => gp.clear())),
    plain("tarn", () => tarn.acquire().promise, (r) => void tarn.release(r), () => tarn.destroy()),
    {
      name: "Effect Pool (+ Effect.timeout)",
      loop: (n) => Effect.runPromise(effectLoop(n)),
      contend: (workers, cycles) =>
        Effect.runPromise(
          Effect.forEach(range(workers), () => effectLoop(cycles), { concurrency: "unbounded", discard: true }),
        ),
      hold: (workers, gate) =>
        Effect.runPromise(
          Effect.forEach(
            range(workers),
            () =>
              Effect.scoped(
                Effect.flatMap(effectGet, (r) => (take(r), Effect.promise(() => gate.then(() => give(r))))),
              ),
            { concurrency: "unbounded", discard: true },
          ),
        ),
      close: () => Effect.runPromise(Scope.close(scope, Exit.void)),
    },
    {
      name: "p-limit over an array (no timeout)",
      loop: limitedLoop,
      contend: (workers, cycles) => Promise.all(range(workers).map(() => limitedLoop(cycles))),
      hold: (workers, gate) =>
        Promise.all(
          range(workers).map(() =>
            limit(async () => {
              const r = limited.pop()!;
              take(r);
              await gate;
              give(r);
              limited.push(r);
            })
          ),
        ),
      close: () => Promise.resolve(),
    },
  ];
}

const all = await contenders();
const ratioOf = (rows: Row[], name: string) => rows.find((r) => r.name === name)!.ratio;
console.log(`\n# pool benchmark on ${runtimeName()}`);

// 1. Uncontended.
const uncontended = await compare(
  "uncontended acquire + release, max 10, acquire timeout set",
  all.map((c) => ({ name: c.name, run: async (n: number) => void await c.loop(n) })),
  { ops: 100_000, unit: "cycle" },
);
const un = ratioOf(uncontended, "corral");
verdict("uncontended: corral within 2× of the hand-rolled floor", un <= 2, `${un.toFixed(2)}×`);
const vsGeneric = ratioOf(uncontended, "generic-pool") / un;
console.log(`uncontended: corral is ${vsGeneric.toFixed(1)}× faster than generic-pool`);

// 2. Contended: 1,000 workers × 100 cycles = 100,000 cycles per round.
peak = 0;
const contended = await compare(
  "contended: 1,000 workers × 100 cycles, max 10, acquire timeout set",
  all.map((c) => ({ name: c.name, run: async (n: number) => void await c.contend(WORKERS, n / WORKERS) })),
  { ops: WORKERS * 100, rounds: 5, unit: "cycle" },
);
const co = ratioOf(contended, "corral") / ratioOf(contended, "generic-pool");
verdict("contended: corral ≥ 2× faster than generic-pool", co <= 0.5, `${(1 / co).toFixed(2)}× faster`);
console.log(`contended: corral ${ratioOf(contended, "corral").toFixed(2)}× the floor`);

// 3. Heap at peak contention: 10 leases out, 990 waiters queued.
const heap: Record<string, number> = {};
for (const c of all) {
  if (c.name === "corral, await using") continue;
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const before = heapUsed();
  const done = c.hold(WORKERS, gate);
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
  heap[c.name] = heapUsed() - before;
  open();
  await done;
}
console.log(`\n## heap with 10 leases out and 990 waiters queued — ${runtimeName()}`);
console.log("| contender | heap | per waiter |");
console.log("| --- | ---: | ---: |");
for (const [name, bytes] of Object.entries(heap)) {
  console.log(`| ${name} | ${(bytes / 1024).toFixed(0)} KiB | ${(bytes / (WORKERS - MAX)).toFixed(0)} B |`);
}
verdict(
  "peak heap: corral no higher than generic-pool",
  heap["corral"]! <= heap["generic-pool"]!,
  `${(heap["corral"]! / 1024).toFixed(0)} vs ${(heap["generic-pool"]! / 1024).toFixed(0)} KiB`,
);
verdict("max never exceeded (every contender, every run)", peak <= MAX, `peak ${peak} in use at once`);

for (const c of all) await c.close();

// 4. Shared leases.
await sharedRow();

const d = diagnostics();
verdict("corral holds nothing after close", d.timers === 0 && d.links === 0 && d.listeners === 0, JSON.stringify(d));
