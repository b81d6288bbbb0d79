// The whole Redis integration suite as a function of a tiny harness: each
// runner's entry file (test/node, test/deno, test/bun) is a few lines.
import { connectionCases } from "./cases/connection.ts";
import { semaphoreCases } from "./cases/semaphore.ts";
import { transactionCases } from "./cases/transaction.ts";
import { createRedisSuite, type RedisHarness } from "./harness.ts";

export type { RedisHarness } from "./harness.ts";

/** Registers every Redis integration case; returns how many. */
export function redisSuite(harness: RedisHarness): number {
  const s = createRedisSuite(harness);
  connectionCases(s);
  transactionCases(s);
  semaphoreCases(s);
  return s.count;
}
