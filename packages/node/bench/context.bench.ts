// What the ambient context costs (issue 6). Every adapter installs
// AsyncLocalStorage from node:async_hooks on import; the core then enters it
// in every scope.run() and reads it wherever a scope or wait is created
// without a signal. This bench runs the same hot paths twice in one process:
// phase 1 with no context (the core alone, explicit signals), phase 2 with
// the hooks an adapter installs. Phase 1 must come first: on Node 20 the
// first AsyncLocalStorage.run() turns on promise hooks for the whole process
// and they stay on, which taxes every promise — that tax is part of what we
// measure ("await ×10" has no corral in it at all).
// Run: npm run bench -- context   (bundled once, run on Node 20, Node 24, Deno, Bun)
import { AsyncLocalStorage } from "node:async_hooks";
import { CancelScope, installRuntime, moveOnAfter, sleep } from "@corral/core";
import { compare, type Contender, type Row } from "../../core/bench/lib.ts";

const fn = () => 1;
async function tenAwaits(): Promise<number> {
  let x = 0;
  for (let i = 0; i < 10; i++) x += await Promise.resolve(i);
  return x;
}

const paths: Contender[] = [
  {
    name: "new CancelScope() + dispose",
    run(n) {
      for (let i = 0; i < n; i++) new CancelScope()[Symbol.dispose]();
    },
  },
  {
    name: "await scope.run(sync fn)",
    async run(n) {
      for (let i = 0; i < n; i++) await new CancelScope().run(fn);
    },
  },
  {
    name: "await moveOnAfter(60 s, sync fn)",
    async run(n) {
      for (let i = 0; i < n; i++) await moveOnAfter(60_000, fn);
    },
  },
  {
    name: "await sleep(0)",
    async run(n) {
      for (let i = 0; i < n; i++) await sleep(0);
    },
  },
  {
    name: "await ×10 (no corral)",
    async run(n) {
      for (let i = 0; i < n; i++) await tenAwaits();
    },
  },
];

// The same paths inside a root scope, as code under run() executes: scopes
// and sleeps now find an ambient parent and link to it.
const inside: Contender[] = paths.map((c) => ({
  name: `${c.name}, inside a scope`,
  run: (n) => new CancelScope().run(() => c.run(n)),
}));
const store = new CancelScope();

const ops = 20_000;
const without = await compare("hot paths, no ambient context (core alone)", paths, { ops });

const storage = new AsyncLocalStorage();
installRuntime({ context: storage, unrefTimer: (t) => (t as { unref?: () => void }).unref?.() });
const withContext = await compare("hot paths, adapter context installed", [...paths, ...inside], { ops });

const raw = await compare("AsyncLocalStorage itself", [
  {
    name: "storage.getStore()",
    run(n) {
      for (let i = 0; i < n; i++) storage.getStore();
    },
  },
  {
    name: "storage.run(store, fn)",
    run(n) {
      for (let i = 0; i < n; i++) storage.run(store, fn);
    },
  },
], { ops: 200_000 });

const ns = (rows: Row[], name: string) => rows.find((r) => r.name === name)!.ns;
console.log(`\n## cost of the context per operation (context − none)`);
console.log(`| path | none | context | × | inside a scope | × |`);
console.log(`| --- | ---: | ---: | ---: | ---: | ---: |`);
for (const c of paths) {
  const a = ns(without, c.name);
  const b = ns(withContext, c.name);
  const d = ns(withContext, `${c.name}, inside a scope`);
  console.log(
    `| ${c.name} | ${a.toFixed(0)} ns | ${b.toFixed(0)} ns | ${(b / a).toFixed(2)} | ${d.toFixed(0)} ns | ${
      (d / a).toFixed(2)
    } |`,
  );
}
console.log(`getStore ${raw[0]!.ns.toFixed(1)} ns, run ${raw[1]!.ns.toFixed(1)} ns`);
store[Symbol.dispose]();
