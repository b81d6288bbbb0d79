/**
 * What `run()` needs from Deno: process signals, the exit code, and the
 * global unhandled-error events.
 *
 * @module
 */

import type { RunPlatform, ShutdownSignal } from "@corral/core";

const noop = (): void => {};

/** The part of the `Deno` namespace used here, reached through globalThis so that the npm build (tsc, without Deno's types) compiles it too. */
interface DenoProcess {
  addSignalListener(name: ShutdownSignal, handler: () => void): void;
  removeSignalListener(name: ShutdownSignal, handler: () => void): void;
  exit(code: number): never;
  exitCode: number;
  build: { os: string };
}
const deno = (globalThis as unknown as { Deno: DenoProcess }).Deno;

/**
 * Deno's {@linkcode RunPlatform}: `Deno.addSignalListener`, `Deno.exit`,
 * `Deno.exitCode`, the `unhandledrejection`/`error` events on `globalThis`
 * (their default, ending the process, is prevented), and `console.error`.
 * On Windows, where Deno can listen only for SIGINT (and SIGBREAK), other
 * signals are not listened for.
 *
 * @example Listening for SIGTERM until told to stop
 * ```ts
 * import { denoPlatform } from "./signals.ts";
 * const stop = denoPlatform.onSignal("SIGTERM", () => console.log("terminating"));
 * stop();
 * ```
 */
export const denoPlatform: RunPlatform = {
  onSignal(name: ShutdownSignal, handler: () => void): () => void {
    if (deno.build.os === "windows" && name !== "SIGINT") return noop;
    deno.addSignalListener(name, handler);
    return () => deno.removeSignalListener(name, handler);
  },
  exit(code: number): void {
    deno.exit(code);
  },
  setExitCode(code: number): void {
    deno.exitCode = code;
  },
  onUnhandled(handler: (error: unknown) => void): () => void {
    const onRejection = (event: PromiseRejectionEvent): void => {
      event.preventDefault();
      handler(event.reason);
    };
    const onError = (event: ErrorEvent): void => {
      event.preventDefault();
      handler(event.error);
    };
    globalThis.addEventListener("unhandledrejection", onRejection);
    globalThis.addEventListener("error", onError);
    return () => {
      globalThis.removeEventListener("unhandledrejection", onRejection);
      globalThis.removeEventListener("error", onError);
    };
  },
  printError(text: string): void {
    console.error(text);
  },
};
