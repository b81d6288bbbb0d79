// The `corral:redis:blocking` tracing channel (node:diagnostics_channel,
// which Node, Deno and Bun provide): one trace per blocking command.
// Publishing costs one check while nobody subscribes.
import { tracingChannel } from "node:diagnostics_channel";
import type { BlockingOptions } from "../types.ts";

/** The channel's name. */
export const BLOCKING_CHANNEL = "corral:redis:blocking";

const channel: ReturnType<typeof tracingChannel> = tracingChannel(BLOCKING_CHANNEL);

function traced(): boolean {
  const ch = channel;
  const all = (ch as { hasSubscribers?: boolean }).hasSubscribers;
  if (all !== undefined) return all;
  return ch.start.hasSubscribers || ch.end.hasSubscribers || ch.asyncStart.hasSubscribers ||
    ch.asyncEnd.hasSubscribers || ch.error.hasSubscribers;
}

/**
 * Runs `run()` (a blocking command) in a trace: `start`, `end`, then
 * `asyncStart`/`asyncEnd` when it settles (`error` first when it fails or
 * is cancelled). Context: `command` (`"BLPOP"`…), `keys`, `timeout` (ms,
 * `Infinity` for none), then `result` (`null` when the wait timed out) or
 * `error` (the signal's reason when cancelled).
 */
export function traceBlocking<T>(
  command: string,
  keys: unknown,
  options: BlockingOptions | undefined,
  run: () => Promise<T>,
): Promise<T> {
  if (!traced()) return run();
  const context: Record<string, unknown> = {
    command,
    keys: Array.isArray(keys) ? [...keys] : [keys],
    timeout: options?.timeout ?? Infinity,
  };
  const ch = channel;
  ch.start.publish(context);
  let promise: Promise<T>;
  try {
    promise = run();
  } finally {
    ch.end.publish(context);
  }
  return promise.then((value) => {
    context.result = value;
    ch.asyncStart.publish(context);
    ch.asyncEnd.publish(context);
    return value;
  }, (error: unknown) => {
    context.error = error;
    ch.error.publish(context);
    ch.asyncStart.publish(context);
    ch.asyncEnd.publish(context);
    throw error;
  });
}
