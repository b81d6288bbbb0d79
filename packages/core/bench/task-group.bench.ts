// Spawn and join 10,000 trivial tasks: corral's task group beside
// Promise.all, Effect and Effection in the same run; then fail-fast (9,999
// blocked tasks + 1 that throws: time until the group rejects with every
// child settled), corral beside Effect (issue #4's benchmark).
// Targets: corral within 2× of Promise.all on Node 24, Deno and Bun; faster
// than Effect and Effection everywhere; fail-fast at or below Effect.
// The forms users write (closures, tasks that take their signal), under the
// adapter's context as well, are measured in task-forms.bench.ts (issue #16).
//
// Conditions, the same for every library: each keeps one long-lived task
// open for the whole run (as a server does: some group is always open), and
// every contender of a table runs a few untimed rounds before it is timed.
// Why: the bench runs V8 with --expose-gc, under which V8 drops the hidden
// classes of objects that have all died — between two rounds, every group
// and task of a library — and the next round deoptimises and recompiles the
// code that used them; corral measured 6–10× slower on Node and Deno that
// way, and like Promise.all without the flag or with one group alive.
import { AsyncLocalStorage } from "node:async_hooks";
import { diagnostics, installRuntime, sleep, TaskGroup, taskGroup, TaskGroupError } from "@corral/core";
import { Effect, Fiber } from "effect";
import { all, call, run, spawn, suspend, type Task as EffectionTask } from "effection";
import { compare, type Contender, type Row, runtimeName, verdict } from "./lib.ts";

const N = 10_000;
let sink = 0;
const storage = new AsyncLocalStorage<unknown>();

// The trivial task: async, returns at once. Every contender runs this same
// function, so the figures differ only by what each library adds around it.
// deno-lint-ignore require-await -- the benchmark is about async tasks: each returns a promise
async function trivial(): Promise<number> {
  return 1;
}
// The same task, written to take its signal (a corral task that declares
// the parameter gets an AbortSignal of its own).
// deno-lint-ignore require-await -- as above
async function trivialWithSignal(signal: AbortSignal): Promise<number> {
  return signal.aborted ? 0 : 1;
}

// One resident task per library, open for the whole run.
const resident = new TaskGroup({ name: "resident" });
resident.spawn((signal) => sleep(Infinity, { signal }));
const residentFiber = Effect.runFork(Effect.never);
const residentOperation = run(() => suspend());

/** Untimed rounds of every contender, before the timed ones. */
async function warmUp(contenders: Contender[], rounds: number, ops = N): Promise<void> {
  for (let i = 0; i < rounds; i++) for (const c of contenders) await c.run(ops);
}

const corralRun = async (n: number) => {
  await taskGroup((tg) => {
    for (let i = 0; i < n; i++) tg.spawn(trivial);
  });
};
const promiseAllRun = async (n: number) => {
  const promises = new Array<Promise<number>>(n);
  for (let i = 0; i < n; i++) promises[i] = trivial();
  sink += (await Promise.all(promises)).length;
};

const spawnContenders: Contender[] = [
  { name: "Promise.all", run: promiseAllRun },
  { name: "corral taskGroup", run: corralRun },
  {
    name: "corral taskGroup (task takes its signal)",
    async run(n) {
      await taskGroup((tg) => {
        for (let i = 0; i < n; i++) tg.spawn(trivialWithSignal);
      });
    },
  },
  {
    // What an application gets under @corral/node, /deno or /bun: each task
    // runs inside AsyncLocalStorage.run() so that currentSignal() is its own.
    name: "corral taskGroup (ambient context, as under an adapter)",
    async run(n) {
      installRuntime({ context: storage });
      try {
        await taskGroup((tg) => {
          for (let i = 0; i < n; i++) tg.spawn(trivial);
        });
      } finally {
        installRuntime({});
      }
    },
  },
  {
    name: "Promise.all, each task in AsyncLocalStorage.run()",
    async run(n) {
      await storage.run(0, async () => {
        const promises = new Array<Promise<number>>(n);
        for (let i = 0; i < n; i++) promises[i] = storage.run(i, trivial);
        sink += (await Promise.all(promises)).length;
      });
    },
  },
  {
    name: "Effect forEach (unbounded)",
    async run(n) {
      const items = new Array<number>(n).fill(0);
      await Effect.runPromise(
        Effect.forEach(items, () => Effect.promise(trivial), { concurrency: "unbounded", discard: true }),
      );
    },
  },
];
await warmUp(spawnContenders, 5);
const spawnRows = await compare("spawn and join 10,000 trivial tasks", spawnContenders, {
  ops: N,
  rounds: 15,
  unit: "task",
});

// Effection gets a table of its own (Promise.all and corral measured again
// beside it): at ~50 µs a task it leaves hundreds of MB of garbage per
// round, and the incremental marking that follows is charged to whichever
// contender allocates next, which inflated the light contenders' figures
// several-fold on V8 when they shared one round-robin with it.
const effectionRows = await compare("spawn and join 10,000 trivial tasks, beside Effection", [
  { name: "Promise.all", run: promiseAllRun },
  { name: "corral taskGroup", run: corralRun },
  {
    name: "Effection spawn + join",
    async run(n) {
      await run(function* () {
        const tasks: EffectionTask<number>[] = [];
        for (let i = 0; i < n; i++) tasks.push(yield* spawn(() => call(trivial)));
        for (const task of tasks) sink += yield* task;
      });
    },
  },
  {
    name: "Effection all",
    async run(n) {
      await run(function* () {
        const ops = new Array(n);
        for (let i = 0; i < n; i++) ops[i] = call(trivial);
        sink += (yield* all(ops)).length;
      });
    },
  },
], { ops: N, rounds: 5, unit: "task" });

const ns = (rows: Row[], name: string) => rows.find((r) => r.name === name)!.ns;
const corral = ns(spawnRows, "corral taskGroup");
const promiseAll = ns(spawnRows, "Promise.all");
const withSignal = ns(spawnRows, "corral taskGroup (task takes its signal)");
const isNode20 = runtimeName().startsWith("node 20.");
verdict(
  `corral within 2× of Promise.all${isNode20 ? " (the target is for Node 24, Deno, Bun)" : ""}`,
  corral <= 2 * promiseAll,
  `${(corral / promiseAll).toFixed(2)}×`,
);
verdict(
  "corral (task takes its signal) within 2× of Promise.all (not a target: an AbortSignal per task)",
  withSignal <= 2 * promiseAll,
  `${(withSignal / promiseAll).toFixed(2)}×`,
);
verdict("corral faster than Effect", corral < ns(spawnRows, "Effect forEach (unbounded)"));
verdict(
  "corral faster than Effection",
  ns(effectionRows, "corral taskGroup") <
    Math.min(ns(effectionRows, "Effection spawn + join"), ns(effectionRows, "Effection all")),
);

// Fail-fast: 9,999 tasks blocked until cancelled, then one that throws.
// Each contender defines its blocked task once per group, as Effect's does.
const boom = new Error("boom");
let cleanups = 0;
const blocked = async (signal: AbortSignal) => {
  try {
    await sleep(Infinity, { signal });
  } finally {
    cleanups++;
  }
};
const failFast = async (task: (tg: TaskGroup) => (signal: AbortSignal) => Promise<void>) => {
  cleanups = 0;
  const error = await taskGroup((tg) => {
    const fn = task(tg);
    for (let i = 1; i < N; i++) tg.spawn(fn);
    tg.spawn(() => Promise.reject(boom));
  }).then(() => undefined, (e) => e);
  if (!(error instanceof TaskGroupError) || cleanups !== N - 1) throw new Error("corral fail-fast misbehaved");
};
const failContenders: Contender[] = [
  {
    name: "corral taskGroup",
    async run(n) {
      for (let r = 0; r < n; r++) await failFast(() => blocked);
    },
  },
  {
    // The same tasks, declared without a parameter: they share the group's
    // signal, so no AbortController is made per task.
    name: "corral taskGroup (tasks use the group's signal)",
    async run(n) {
      for (let r = 0; r < n; r++) {
        await failFast((tg) => {
          const signal = tg.signal;
          return () => blocked(signal);
        });
      }
    },
  },
  {
    name: "Effect forEach (unbounded)",
    async run(n) {
      const items = Array.from({ length: N }, (_, i) => i);
      for (let r = 0; r < n; r++) {
        cleanups = 0;
        const blocked = Effect.never.pipe(Effect.onInterrupt(() =>
          Effect.sync(() => {
            cleanups++;
          })
        ));
        const error = await Effect.runPromise(
          Effect.forEach(items, (i) => (i === N - 1 ? Effect.fail(boom) : blocked), {
            concurrency: "unbounded",
            discard: true,
          }),
        ).then(() => undefined, (e) => e);
        if (error === undefined || cleanups !== N - 1) throw new Error("Effect fail-fast misbehaved");
      }
    },
  },
];
await warmUp(failContenders, 3, 1);
const failRows = await compare(
  "fail-fast: 9,999 blocked + 1 throwing, until rejected with all settled",
  failContenders,
  { ops: 1, rounds: 11, unit: "group" },
);
const failCorral = failRows.find((r) => r.name === "corral taskGroup")!.ns;
const failEffect = failRows.find((r) => r.name === "Effect forEach (unbounded)")!.ns;
verdict("fail-fast at or below Effect", failCorral <= failEffect, `${(failCorral / failEffect).toFixed(2)}×`);

resident.cancel();
await resident.join();
await Effect.runPromise(Fiber.interrupt(residentFiber));
await residentOperation.halt();
const d = diagnostics();
verdict("nothing leaked", d.timers === 0 && d.links === 0 && d.listeners === 0, JSON.stringify(d));
if (sink < 0) console.log(sink);
