// The PostgreSQL integration suite, runner-agnostic: each runtime's entry
// file hands it its runner's `test` and its adapter module. It registers the
// shared driver cases (DR-…) and the PostgreSQL cases (PG-…).

import { checkDriver, checkDriverFaults, type Harness } from "@corral/conformance";
import { closeAdmin, factories, faultFactories } from "./support.ts";
import { cancellationCases } from "./cases/cancellation.ts";
import { recoveryCases } from "./cases/recovery.ts";
import { sessionCases } from "./cases/session.ts";
import { messageCases } from "./cases/messages.ts";
import { transactionCases } from "./cases/transaction.ts";
import { listenCases } from "./cases/listen.ts";
import { leaseCases } from "./cases/lease.ts";
import { diagnosticsCases } from "./cases/diagnostics.ts";
import { tracingCases } from "./cases/tracing.ts";
import { pipelineCases, poolQueryCases } from "./cases/pipeline.ts";

import type { AddCase, PgSuite } from "./case-types.ts";

export type { AddCase, PgSuite };

export function postgresSuite(harness: Harness): number {
  const { corral } = harness;
  // Each case gets its own admin connection, closed when the case ends, so
  // no socket outlives a case (Deno's sanitizers check per test).
  const test: Harness["test"] = (name, fn) =>
    harness.test(name, async () => {
      try {
        await fn();
      } finally {
        await closeAdmin();
      }
    });
  let count = checkDriver({ ...harness, test }, factories) + checkDriverFaults({ ...harness, test }, faultFactories);
  const add: AddCase = (id, name, fn) => {
    count++;
    test(`${id} ${name}`, async () => {
      await fn();
      let d = corral.diagnostics();
      // Work a case started in the background ends within a round trip or two (e.g. a pool's first connection,
      // abandoned mid-startup by close(), is closed after its first query: connect.ts, mayFetchTypes).
      for (let i = 0; i < 40 && (d.timers || d.links || d.listeners); i++) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        d = corral.diagnostics();
      }
      if (d.timers || d.links || d.listeners) throw new Error(`${id} leaked: ${JSON.stringify(d)}`);
    });
  };
  const suite: PgSuite = { corral, add };
  sessionCases(suite);
  messageCases(suite);
  cancellationCases(suite);
  recoveryCases(suite);
  transactionCases(suite);
  listenCases(suite);
  leaseCases(suite);
  diagnosticsCases(suite);
  tracingCases(suite);
  pipelineCases(suite);
  poolQueryCases(suite);
  return count;
}
