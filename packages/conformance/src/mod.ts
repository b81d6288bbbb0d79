/**
 * `@corral/conformance`: one behavioural suite for every corral adapter.
 *
 * `conformance(harness)` registers every case through `harness.test` and
 * returns how many it registered. It imports no test runner and nothing in
 * it depends on the runtime, so the count is the same everywhere.
 *
 * @example An adapter's whole test entry (Deno)
 * ```ts ignore
 * import * as corral from "@corral/deno";
 * import { conformance } from "@corral/conformance";
 * conformance({ test: (name, fn) => Deno.test(name, fn), corral });
 * ```
 *
 * @module
 */

import type { Harness } from "./harness.ts";
import { createSuite } from "./suite.ts";
import { cancelScopeCases } from "./cases/cancel-scope.ts";
import { cancelScopeTreeCases } from "./cases/cancel-scope-tree.ts";
import { timeoutCases } from "./cases/timeouts.ts";
import { waitCases } from "./cases/waits.ts";
import { ambientCases } from "./cases/ambient.ts";
import { exitStackCases } from "./cases/exit-stack.ts";
import { contextManagerCases } from "./cases/context-manager.ts";
import { contextManagerCleanupCases } from "./cases/context-manager-cleanup.ts";
import { poolCases } from "./cases/pool.ts";
import { taskGroupCases } from "./cases/task-group.ts";

export type { Corral, Harness, Suite } from "./harness.ts";
/** The suite's own assertions (no runner needed): `ok`, `equal`, `deepEqual`, `throws`, `rejects`, and helpers. */
export * as assert from "./assert.ts";
export { checkDriver, type DriverFactories, type DriverLease, type DriverPool } from "./driver.ts";
export { checkDriverFaults, type DriverFaultFactories, type FaultFigures } from "./driver-faults.ts";
export { checkShutdown, type ShutdownHarness, type ShutdownProcess, type ShutdownStatus } from "./shutdown.ts";
export { type ShutdownAdapter, shutdownProgram } from "./shutdown-program.ts";
export {
  type FreezableProxy,
  freezableProxy,
  type ProxyMode,
  type ProxyNet,
  type ProxySocket,
} from "./freezable-proxy.ts";

/**
 * Registers every conformance case with `harness.test`.
 *
 * @param harness the runner's `test`, the adapter module, and a way to yield
 * @returns the number of cases registered
 */
export function conformance(harness: Harness): number {
  const suite = createSuite(harness);
  cancelScopeCases(suite);
  cancelScopeTreeCases(suite);
  timeoutCases(suite);
  waitCases(suite);
  ambientCases(suite);
  exitStackCases(suite);
  contextManagerCases(suite);
  contextManagerCleanupCases(suite);
  poolCases(suite);
  taskGroupCases(suite);
  return suite.count;
}
