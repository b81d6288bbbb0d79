import type { Harness, Suite } from "./harness.ts";

const ID = /^[A-Z]{2}-\d{2,3}$/;

function defaultTick(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Wraps a harness into the seam every case file uses. Counts the cases,
 * rejects duplicate ids, and after each case waits for corral's books to
 * balance: no timer, link or listener may outlive a case.
 */
export function createSuite(harness: Harness): Suite & { readonly count: number } {
  const ids = new Set<string>();
  const tick = harness.tick ?? defaultTick;
  const { corral } = harness;
  let count = 0;
  return {
    corral,
    tick,
    get count() {
      return count;
    },
    case(id, name, fn) {
      if (!ID.test(id)) throw new Error(`conformance: bad case id ${JSON.stringify(id)}`);
      if (ids.has(id)) throw new Error(`conformance: duplicate case id ${id}`);
      ids.add(id);
      count++;
      harness.test(`${id} ${name}`, async () => {
        await fn();
        let d = corral.diagnostics();
        // Cleanup that settles in later turns (timers freed in a microtask,
        // listeners removed on settle) gets a few turns to finish.
        for (let i = 0; i < 20 && (d.timers || d.links || d.listeners); i++) {
          await tick();
          d = corral.diagnostics();
        }
        if (d.timers || d.links || d.listeners) {
          throw new Error(`${id} leaked: ${JSON.stringify(d)}`);
        }
      });
    },
  };
}
