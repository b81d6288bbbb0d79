/**
 * The ambient cancel node: where `currentSignal()` and every API that takes
 * `{ signal }` find the enclosing scope when an adapter provides context.
 *
 * @module
 */

import { hooks } from "../../base/runtime.ts";
import type { CancelNode } from "./cancel-node.ts";

/** The innermost ambient cancel node, if an adapter provides context. */
export function ambientNode(): CancelNode | undefined {
  const context = hooks.context;
  return context === undefined ? undefined : (context.getStore() as CancelNode | undefined);
}
