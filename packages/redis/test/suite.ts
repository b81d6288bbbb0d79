// The whole Redis integration suite as a function of a tiny harness: each
// runner's entry file (test/node, test/deno, test/bun) is a few lines.
import * as corral from "@corral/core";
import { checkDriver, checkDriverFaults } from "@corral/conformance";
import { connectionCases } from "./cases/connection.ts";
import { diagnosticsCases } from "./cases/diagnostics.ts";
import { poolCases } from "./cases/pool.ts";
import { messageCases } from "./cases/messages.ts";
import { processCases } from "./cases/processes.ts";
import { factories, faultFactories } from "./driver.ts";
import { semaphoreCases } from "./cases/semaphore.ts";
import { transactionCases } from "./cases/transaction.ts";
import { tracingCases } from "./cases/tracing.ts";
import { createRedisSuite, needsRedis, type RedisHarness } from "./harness.ts";

export type { RedisHarness } from "./harness.ts";

/** Registers every Redis integration case; returns how many. */
export function redisSuite(harness: RedisHarness): number {
  const s = createRedisSuite(harness);
  connectionCases(s);
  transactionCases(s);
  semaphoreCases(s);
  poolCases(s);
  processCases(s);
  diagnosticsCases(s);
  messageCases(s);
  tracingCases(s);
  // The shared driver suite (DR-…), with the core itself as the module under test.
  const test = (name: string, fn: () => Promise<void>) => harness.test(name, needsRedis(fn));
  return s.count + checkDriver({ test, corral }, factories) + checkDriverFaults({ test, corral }, faultFactories);
}
