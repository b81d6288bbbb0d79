/**
 * What `run()` needs from Node: process signals, the exit code, and the
 * process-wide unhandled-error events.
 *
 * @module
 */

import type { RunPlatform, ShutdownSignal } from "@corral/core";

/**
 * Node's {@linkcode RunPlatform}: `process.on(signal)`, `process.exit`,
 * `process.exitCode`, `unhandledRejection`/`uncaughtException`, and
 * `console.error`.
 *
 * @example Listening for SIGTERM until told to stop
 * ```ts
 * import { nodePlatform } from "./signals.ts";
 * const stop = nodePlatform.onSignal("SIGTERM", () => console.log("terminating"));
 * stop();
 * ```
 */
export const nodePlatform: RunPlatform = {
  onSignal(name: ShutdownSignal, handler: () => void): () => void {
    process.on(name, handler);
    return () => void process.off(name, handler);
  },
  exit(code: number): void {
    process.exit(code);
  },
  setExitCode(code: number): void {
    process.exitCode = code;
  },
  onUnhandled(handler: (error: unknown) => void): () => void {
    // Having a listener is what keeps Node from crashing on these events.
    const listener = (error: unknown): void => handler(error);
    process.on("unhandledRejection", listener);
    process.on("uncaughtException", listener);
    return () => {
      process.off("unhandledRejection", listener);
      process.off("uncaughtException", listener);
    };
  },
  printError(text: string): void {
    console.error(text);
  },
};
