import type * as Core from "@corral/core";

/** The module under test: an adapter, which re-exports all of `@corral/core`. */
export type Corral = typeof Core;

/**
 * What a runtime hands the conformance suite. The suite imports no test
 * runner: it registers every case through `test`.
 */
export interface Harness {
  /** The runner's own test registration (`vitest`'s `test`, `Deno.test`, `bun:test`'s `test`). */
  test: (name: string, fn: () => Promise<void>) => void;
  /** The adapter module under test. */
  corral: Corral;
  /** Yields one turn of the event loop. Default: a `setTimeout(0)`. */
  tick?: () => Promise<void>;
}

/** What each group of cases receives: the module, and a way to register a case. */
export interface Suite {
  /** The adapter module under test (the harness's `corral`). */
  readonly corral: Corral;
  /** Yields one turn of the event loop. */
  tick(): Promise<void>;
  /**
   * Registers one case. `id` is stable ("CS-01"); after the body, the suite
   * checks that corral holds no timer, link or listener any more.
   */
  case(id: string, name: string, fn: () => Promise<void> | void): void;
}
