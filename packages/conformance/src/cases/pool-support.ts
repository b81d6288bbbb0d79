// What every group of pool cases shares: a resource, a tracker of what the
// pool did with its resources, the accounting identities, and two waits on
// the host timer. Case files import from here and never from each other.

import { delay, equal, ok } from "../assert.ts";
import type { Corral } from "../harness.ts";

/** A resource for the pool cases. */
export interface Res {
  id: number;
}

/** Counts what a pool does with its resources: the ground truth the cases check `stats` against. */
export function tracker(): {
  create: (signal: AbortSignal) => Promise<Res>;
  destroy: (r: Res) => void;
  live: Set<number>;
  created: number;
  destroyed: number[];
} {
  const t = {
    live: new Set<number>(),
    created: 0,
    destroyed: [] as number[],
    create: (_signal: AbortSignal) => {
      const r = { id: ++t.created };
      t.live.add(r.id);
      return Promise.resolve(r);
    },
    destroy: (r: Res) => {
      ok(t.live.delete(r.id), `resource ${r.id} destroyed once`);
      t.destroyed.push(r.id);
    },
  };
  return t;
}

/** The pool's accounting identities. */
export function consistent(pool: { readonly stats: ReturnType<Corral["createPool"]>["stats"] }): void {
  const st = pool.stats;
  equal(st.size, st.creating + st.idle + st.borrowed + st.maintaining, "size adds up");
  equal(st.created - st.destroyed, st.idle + st.borrowed + st.maintaining, "created - destroyed = existing");
}

/** Polls `cond` on the host timer until it holds (or fails after `ms`). */
export async function waitFor(cond: () => boolean, what: string, ms = 3000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for: ${what}`);
    await delay(2);
  }
}

/**
 * True when `promise` settles within `ms` on the host timer. The bounds the
 * cases use are generous (seconds, against grace periods of 20 s): they tell
 * "settled at once" from "waited out a grace period", never measure speed.
 */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true, () => true), late]);
  } finally {
    clearTimeout(timer);
  }
}
