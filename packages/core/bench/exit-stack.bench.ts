// Push 10,000 async callbacks and dispose them, beside the runtime's native
// AsyncDisposableStack (Node 24, Deno, Bun) and the `disposablestack`
// polyfill, in the same run (issue #3's benchmark). Targets: at or below
// native on Node 24 and Deno, within 1.2× of native on Bun, at least 100×
// faster than the polyfill on Node 20.
import { diagnostics, ExitStack, withExitStack } from "@corral/core";
import Polyfill from "disposablestack/AsyncDisposableStack/implementation";
import { compare, type Contender, runtimeName, verdict } from "./lib.ts";

interface StackLike {
  defer(fn: () => unknown): void;
  disposeAsync?(): Promise<void>;
  close?(): Promise<void>;
}
type StackClass = new () => StackLike;

const Native = (globalThis as { AsyncDisposableStack?: StackClass }).AsyncDisposableStack;
const PolyfillStack: StackClass = Polyfill;
const N = 10_000;
let calls = 0;
// deno-lint-ignore require-await -- the benchmark is about async callbacks: each returns a promise
const callback = async () => {
  calls++;
};

const contenders: Contender[] = [];
if (Native) {
  contenders.push({
    name: "native AsyncDisposableStack",
    async run(n) {
      const stack = new Native();
      for (let i = 0; i < n; i++) stack.defer(callback);
      await stack.disposeAsync!();
    },
  });
}
contenders.push({
  name: "corral ExitStack",
  async run(n) {
    const stack = new ExitStack();
    for (let i = 0; i < n; i++) stack.defer(callback);
    await stack.close();
  },
});
contenders.push({
  name: "disposablestack polyfill",
  async run(n) {
    const stack = new PolyfillStack();
    for (let i = 0; i < n; i++) stack.defer(callback);
    await stack.disposeAsync!();
  },
});

const rows = await compare(`push ${N} async callbacks, then dispose`, contenders, {
  ops: N,
  unit: "callback",
  rounds: 9,
});
if (!Native) console.log("| native AsyncDisposableStack | n/a | n/a |");

const row = (name: string) => rows.find((r) => r.name === name);
const corral = row("corral ExitStack")!;
const native = row("native AsyncDisposableStack");
const polyfill = row("disposablestack polyfill")!;
const runtime = runtimeName();
const speedup = polyfill.ns / corral.ns;
console.log(
  `corral vs native: ${native ? `${(corral.ns / native.ns).toFixed(2)}×` : "n/a"}; polyfill vs corral: ${
    speedup.toFixed(0)
  }× slower`,
);
if (runtime.startsWith("node 20")) {
  verdict("corral ≥ 100× faster than the polyfill on Node 20", speedup >= 100, `${speedup.toFixed(0)}×`);
} else if (runtime.startsWith("bun")) {
  const r = corral.ns / native!.ns;
  verdict("corral within 1.2× of native AsyncDisposableStack on Bun", r <= 1.2, `${r.toFixed(2)}×`);
} else {
  const r = corral.ns / native!.ns;
  verdict(`corral at or below native AsyncDisposableStack on ${runtime}`, r <= 1, `${r.toFixed(2)}×`);
}
// Informational (no target): the per-close cost, for the common shape of
// a few resources per request.
const small: Contender[] = [];
if (Native) {
  small.push({
    name: "native AsyncDisposableStack",
    async run(n) {
      for (let i = 0; i < n; i++) {
        const stack = new Native();
        stack.defer(callback);
        stack.defer(callback);
        stack.defer(callback);
        await stack.disposeAsync!();
      }
    },
  });
}
small.push({
  name: "corral withExitStack",
  async run(n) {
    for (let i = 0; i < n; i++) {
      await withExitStack((stack) => {
        stack.defer(callback);
        stack.defer(callback);
        stack.defer(callback);
      });
    }
  },
});
await compare("a stack of 3 async callbacks, opened and closed", small, { ops: 20_000, unit: "stack" });
if (!Native) console.log("| native AsyncDisposableStack | n/a | n/a |");

// A finished close parks its grace timer entry for a few microtasks (for the next close): one turn frees it.
await new Promise((resolve) => setTimeout(resolve, 0));
const d = diagnostics();
verdict("nothing left live after the runs", d.timers === 0 && d.links === 0 && d.listeners === 0, JSON.stringify(d));
if (calls === 0) throw new Error("no callback ran");
