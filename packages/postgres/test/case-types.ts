// What the PostgreSQL case files receive from suite.ts (their own file, so
// the case files never import the suite that registers them).

import type { Harness } from "@corral/conformance";

/** Registers a PostgreSQL case; after it, corral must hold no timer, link or listener. */
export type AddCase = (id: string, name: string, fn: () => Promise<void>) => void;

/** What each case file receives. */
export interface PgSuite {
  corral: Harness["corral"];
  add: AddCase;
}
