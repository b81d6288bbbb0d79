// Task groups in the forms users write (issue #16): 10,000 tasks spawned
// and joined, median ns per task, beside Promise.all over the SAME
// closures, in three forms —
//   1. one shared trivial function that takes no signal,
//   2. a closure made per task that awaits something,
//   3. a closure made per task that takes its signal (every README example);
// first on the core alone, then under the adapter's ambient context (every
// adapter, @corral/node, /deno and /bun, installs AsyncLocalStorage from
// node:async_hooks on import; this installs the same). Then fail-fast
// (9,999 blocked + 1 failing) beside Effect, in both phases.
// Targets: forms 1 and 2 ≤ 2.5× Promise.all, form 3 ≤ 4×, fail-fast at or
// below Effect; Node 20/22 are reported against the same targets. A "floor"
// row runs Promise.all over the same closures with what every task must
// have and no library can make cheaper (an AbortController of its own when
// it takes a signal; an AsyncLocalStorage.run() of its own under the
// adapter, entered from the spawner's context as a group's tasks are): where
// the floor itself is past the target, the summary shows it.
//
// The core-alone phase runs first: on Node 20 and 22 the first
// AsyncLocalStorage.run() turns on promise hooks for the whole process,
// which taxes every promise afterwards (Promise.all's too: the adapter
// phase's baseline pays it as a user's program does).
//
// Forced GC: the driver runs V8 with --expose-gc and the harness collects
// before every round. `npm run bench -- task-forms --no-forced-gc` runs the
// same without it (V8 then collects when it likes, as in a user's program);
// see the one-group-alive note in task-group.bench.ts for why it matters.
// Run: npm run bench -- task-forms
import { AsyncLocalStorage } from "node:async_hooks";
import { diagnostics, installRuntime, sleep, TaskGroup, taskGroup, TaskGroupError } from "@corral/core";
import { Effect, Fiber } from "effect";
import { compare, type Contender, forcedGc, type Row, runtimeName, verdict } from "./lib.ts";

const N = 10_000;
let sink = 0;
const ready = Promise.resolve(1);
// A signal for Promise.all to hand the closures that take one.
const unused = new AbortController().signal;

// Form 1: the same function for every task.
// deno-lint-ignore require-await -- the benchmark is about async tasks: each returns a promise
async function trivial(): Promise<number> {
  return 1;
}

interface Form {
  name: string;
  /** Promise.all over the form's closures. */
  all: (n: number) => Promise<void>;
  /** A task group spawning the same closures. */
  group: (n: number) => Promise<void>;
  /**
   * The floor: Promise.all over the same closures, each given what a task
   * must have and corral cannot make cheaper — its own AbortController when
   * it takes a signal, its own AsyncLocalStorage.run() under the adapter
   * (`currentSignal()` is the task's own, so task.cancel() reaches ambient
   * waits).
   */
  floor: (n: number, storage: AsyncLocalStorage<unknown> | undefined) => Promise<void>;
}

/**
 * Promise.all over `n` calls of `call(i)`, each inside `storage.run()` when
 * given — and then, like a group's tasks, spawned from inside a context that
 * already holds a store (the spawner's: a group's body runs in the group's
 * context, a server's handler in its request's). Entering a context from
 * another one costs more than from none where the storage copies the
 * enclosing context (Deno: ~0.8–1.4 µs a run() against ~0.25–0.33 µs from
 * the top level, issue 16); the floor pays what a task must pay.
 */
async function allOf(n: number, storage: AsyncLocalStorage<unknown> | undefined, call: (i: number) => Promise<number>) {
  const promises = new Array<Promise<number>>(n);
  if (storage === undefined) { for (let i = 0; i < n; i++) promises[i] = call(i); }
  // A fresh object per task, as corral's store is (a task's node): the store's
  // shape matters where the storage keeps it in a WeakMap (Deno's does).
  else {
    storage.run({ spawner: true }, () => {
      for (let i = 0; i < n; i++) promises[i] = storage.run({ task: i }, call, i);
    });
  }
  sink += (await Promise.all(promises)).length;
}

const forms: Form[] = [
  {
    name: "shared function, no signal",
    async all(n) {
      const promises = new Array<Promise<number>>(n);
      for (let i = 0; i < n; i++) promises[i] = trivial();
      sink += (await Promise.all(promises)).length;
    },
    async group(n) {
      await taskGroup((tg) => {
        for (let i = 0; i < n; i++) tg.spawn(trivial);
      });
    },
    floor: (n, storage) => allOf(n, storage, trivial),
  },
  {
    name: "closure with an await",
    async all(n) {
      const promises = new Array<Promise<number>>(n);
      for (let i = 0; i < n; i++) {
        promises[i] = (async () => {
          const v = await ready;
          return v + i;
        })();
      }
      sink += (await Promise.all(promises)).length;
    },
    async group(n) {
      await taskGroup((tg) => {
        for (let i = 0; i < n; i++) {
          tg.spawn(async () => {
            const v = await ready;
            return v + i;
          });
        }
      });
    },
    floor: (n, storage) =>
      allOf(n, storage, async (i) => {
        const v = await ready;
        return v + i;
      }),
  },
  {
    name: "closure that takes its signal",
    async all(n) {
      const promises = new Array<Promise<number>>(n);
      for (let i = 0; i < n; i++) {
        promises[i] = (async (signal: AbortSignal) => {
          const v = await ready;
          return signal.aborted ? 0 : v + i;
        })(unused);
      }
      sink += (await Promise.all(promises)).length;
    },
    async group(n) {
      await taskGroup((tg) => {
        for (let i = 0; i < n; i++) {
          tg.spawn(async (signal) => {
            const v = await ready;
            return signal.aborted ? 0 : v + i;
          });
        }
      });
    },
    floor: (n, storage) =>
      allOf(n, storage, (i) =>
        (async (signal: AbortSignal) => {
          const v = await ready;
          return signal.aborted ? 0 : v + i;
        })(new AbortController().signal)),
  },
];
const TARGETS = [2.5, 2.5, 4];

// Fail-fast: 9,999 tasks blocked until cancelled, then one that throws.
const boom = new Error("boom");
let cleanups = 0;
const failContenders: Contender[] = [
  {
    name: "corral taskGroup",
    async run(n) {
      for (let r = 0; r < n; r++) {
        cleanups = 0;
        const error = await taskGroup((tg) => {
          for (let i = 1; i < N; i++) {
            tg.spawn(async (signal) => {
              try {
                await sleep(Infinity, { signal });
              } finally {
                cleanups++;
              }
            });
          }
          tg.spawn(() => Promise.reject(boom));
        }).then(() => undefined, (e) => e);
        if (!(error instanceof TaskGroupError) || cleanups !== N - 1) throw new Error("corral fail-fast misbehaved");
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

// One resident task per library, open for the whole run (as a server has).
const resident = new TaskGroup({ name: "resident" });
resident.spawn((signal) => sleep(Infinity, { signal }));
const residentFiber = Effect.runFork(Effect.never);

const ns = (rows: Row[], name: string) => rows.find((r) => r.name === name)!.ns;
const summary: string[] = [];

async function phase(label: string, storage?: AsyncLocalStorage<unknown>): Promise<void> {
  const contenders: Contender[] = [];
  forms.forEach((form, i) => {
    contenders.push({ name: `Promise.all, ${form.name}`, run: form.all });
    contenders.push({ name: `corral, ${form.name}`, run: form.group });
    if (i === 2 || storage !== undefined) {
      contenders.push({ name: `floor, ${form.name}`, run: (n) => form.floor(n, storage) });
    }
  });
  for (let i = 0; i < 5; i++) for (const c of contenders) await c.run(N);
  const rows = await compare(`spawn and join 10,000 tasks, ${label}`, contenders, {
    ops: N,
    rounds: 15,
    unit: "task",
  });
  forms.forEach((form, i) => {
    const corral = ns(rows, `corral, ${form.name}`);
    const ratio = corral / ns(rows, `Promise.all, ${form.name}`);
    const floor = rows.find((r) => r.name === `floor, ${form.name}`)?.ns;
    const floors = floor === undefined ? "" : `${(floor / ns(rows, `Promise.all, ${form.name}`)).toFixed(2)}×`;
    const over = floor === undefined ? "" : `${(corral / floor).toFixed(2)}×`;
    summary.push(`| ${form.name} | ${label} | ${ratio.toFixed(2)}× | ≤ ${TARGETS[i]}× | ${floors} | ${over} |`);
    verdict(`${form.name}, ${label}: ≤ ${TARGETS[i]}× Promise.all`, ratio <= TARGETS[i]!, `${ratio.toFixed(2)}×`);
  });
  for (let i = 0; i < 2; i++) for (const c of failContenders) await c.run(1);
  const failRows = await compare(
    `fail-fast: 9,999 blocked + 1 throwing, until rejected with all settled, ${label}`,
    failContenders,
    { ops: 1, rounds: 11, unit: "group" },
  );
  const ratio = ns(failRows, "corral taskGroup") / ns(failRows, "Effect forEach (unbounded)");
  summary.push(`| fail-fast vs Effect | ${label} | ${ratio.toFixed(2)}× | ≤ 1× | | |`);
  verdict(`fail-fast at or below Effect, ${label}`, ratio <= 1, `${ratio.toFixed(2)}×`);
}

await phase("core alone");
const storage = new AsyncLocalStorage<unknown>();
installRuntime({ context: storage });
await phase("under the adapter", storage);
installRuntime({});

// "floor": Promise.all with what a task cannot do without (see Form.floor),
// × Promise.all; "× floor": what corral adds on top of it.
console.log(`\n## summary — ${runtimeName()}${forcedGc() ? "" : ", no forced GC"} (× Promise.all)`);
console.log("| form | context | ratio | target | floor | × floor |");
console.log("| --- | --- | ---: | ---: | ---: | ---: |");
for (const line of summary) console.log(line);

resident.cancel();
await resident.join();
await Effect.runPromise(Fiber.interrupt(residentFiber));
const d = diagnostics();
verdict("nothing leaked", d.timers === 0 && d.links === 0 && d.listeners === 0, JSON.stringify(d));
if (sink < 0) console.log(sink);
