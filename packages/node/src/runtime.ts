/**
 * Which runtime this adapter is for, and its version.
 *
 * @module
 */

/** The runtime an adapter runs on. */
export interface RuntimeInfo {
  /** `"node"`, `"deno"` or `"bun"`. */
  readonly name: "node" | "deno" | "bun";
  /** The runtime's own version string. */
  readonly version: string;
}

/**
 * The runtime this adapter runs on.
 *
 * @example
 * ```ts
 * import { runtime } from "@corral/node";
 * console.log(`corral on ${runtime.name} ${runtime.version}`);
 * ```
 */
export const runtime: RuntimeInfo = Object.freeze({
  name: "node",
  version: (globalThis as unknown as { process: { versions: { node: string } } }).process.versions.node,
});
