// Creating a scope with a deadline, linked to a parent, and tearing it down,
// beside the platform's ways of doing the same (issue #2's benchmark).
import { CancelScope, diagnostics } from "@corral/core";
import { compare, heapUsed, verdict } from "./lib.ts";

// A minimal plain-JS cancellation token: the floor for "link to a parent,
// unlink on teardown" (a Set of listeners).
class Token {
  listeners = new Set<() => void>();
  aborted = false;
  onAbort = () => {
    this.aborted = true;
  };
  readonly parent: Token | undefined;
  constructor(parent?: Token) {
    this.parent = parent;
    parent?.listeners.add(this.onAbort);
  }
  dispose() {
    this.parent?.listeners.delete(this.onAbort);
  }
}

const parentScope = new CancelScope();
const parentSignal = parentScope.signal;
const parentController = new AbortController();
const parentToken = new Token();
const T = 60_000;
// Results are kept in a sink so that no engine can optimise the work away.
const sink: unknown[] = new Array(16);

// Retained memory first, before the peers' garbage exists: create and
// dispose 100,000 linked scopes with deadlines; nothing may stay behind
// (heap back within noise, corral's books at zero).
for (let i = 0; i < 1000; i++) new CancelScope({ signal: parentSignal, timeout: T })[Symbol.dispose]();
const before = heapUsed();
for (let i = 0; i < 100_000; i++) new CancelScope({ signal: parentSignal, timeout: T })[Symbol.dispose]();
await new Promise((r) => setTimeout(r, 10));
const after = heapUsed();
const d = diagnostics();
const perScope = (after - before) / 100_000;
console.log(
  `retained after 100,000 disposed scopes: ${(after - before) / 1024 | 0} KiB (${perScope.toFixed(1)} B/scope); live ${
    JSON.stringify(d)
  }`,
);
verdict("no retained memory per disposed scope", perScope < 8 && d.timers === 0 && d.links === 0);

const rows = await compare("scope with deadline, linked to a parent, disposed", [
  {
    name: "plain-JS token",
    run(n) {
      for (let i = 0; i < n; i++) new Token(parentToken).dispose();
    },
  },
  {
    name: "corral CancelScope",
    run(n) {
      for (let i = 0; i < n; i++) new CancelScope({ signal: parentSignal, timeout: T })[Symbol.dispose]();
    },
  },
  {
    name: "new AbortController().signal",
    run(n) {
      for (let i = 0; i < n; i++) sink[i & 15] = new AbortController().signal;
    },
  },
  {
    name: "AbortSignal.any([parent, timeout])",
    run(n) {
      for (let i = 0; i < n; i++) sink[i & 15] = AbortSignal.any([parentController.signal, AbortSignal.timeout(T)]);
    },
  },
], { ops: 20_000 });

const ratio = rows.find((r) => r.name === "corral CancelScope")!.ratio;
verdict("corral CancelScope within 2× of the plain-JS token", ratio <= 2, `${ratio.toFixed(2)}×`);

parentScope[Symbol.dispose]();
