// The seam every Redis case file uses: the runner's `test`, how to start
// the worker fixture as a child process under this runtime, and a case
// wrapper that checks corral's own books are balanced afterwards.
import { diagnostics } from "@corral/core";
import { admin } from "./support.ts";

export interface RedisHarness {
  /** The runner's test registration (vitest/bun:test `test`, or a wrapper of `Deno.test`). */
  test: (name: string, fn: () => Promise<void>) => void;
  /** The command line (program first) that runs test/fixtures/worker.ts with `args` under this runtime. */
  worker: (args: string[]) => Promise<string[]>;
}

export interface RedisSuite extends RedisHarness {
  /** Registers one case; afterwards no corral timer, link or listener may be left. */
  case(id: string, name: string, fn: () => Promise<void>): void;
  readonly count: number;
}

/**
 * Wraps a test body so that a failure while Redis is down reports that
 * (with the command that starts it) instead of whatever symptom it caused.
 */
export function needsRedis(fn: () => Promise<void>): () => Promise<void> {
  return async () => {
    try {
      await fn();
    } catch (error) {
      await (await admin()).close(); // throws the "start it with …" error when Redis is down
      throw error;
    }
  };
}

export function createRedisSuite(harness: RedisHarness): RedisSuite {
  let count = 0;
  return {
    ...harness,
    get count() {
      return count;
    },
    case(id, name, fn) {
      count++;
      harness.test(`${id} ${name}`, async () => {
        await needsRedis(fn)();
        let d = diagnostics();
        for (let i = 0; i < 50 && (d.timers || d.links || d.listeners); i++) {
          await new Promise((resolve) => setTimeout(resolve, 10));
          d = diagnostics();
        }
        if (d.timers || d.links || d.listeners) throw new Error(`${id} leaked: ${JSON.stringify(d)}`);
      });
    },
  };
}
