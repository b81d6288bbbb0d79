// The `corral:postgres:query` tracing channel (node:diagnostics_channel,
// which Node, Deno and Bun provide). Publishing costs one check while
// nobody subscribes.
import { tracingChannel } from "node:diagnostics_channel";
import type { Link, Query } from "./binding.ts";

/** The channel's name. */
export const QUERY_CHANNEL = "corral:postgres:query";

export const queryChannel: ReturnType<typeof tracingChannel> = tracingChannel(QUERY_CHANNEL);

/** True when somebody subscribes (Bun's TracingChannel has no `hasSubscribers`: its five channels are read). */
export function traced(ch: ReturnType<typeof tracingChannel>): boolean {
  const all = (ch as { hasSubscribers?: boolean }).hasSubscribers;
  if (all !== undefined) return all;
  return ch.start.hasSubscribers || ch.end.hasSubscribers || ch.asyncStart.hasSubscribers ||
    ch.asyncEnd.hasSubscribers || ch.error.hasSubscribers;
}

const settle = Promise.prototype.then;

/**
 * Publishes a query: `start` and `end` now (it is sent once the caller
 * awaits it), `asyncStart`/`asyncEnd` when it settles, `error` first when
 * it fails. Context: `pid` (the server process), `statement` (with
 * `traceStatements`), then `result` (the rows) or `error`.
 */
export function traceQuery(link: Link, q: Query, strings: readonly string[]): void {
  const context: Record<string, unknown> = { pid: link.pid };
  if (link.traceStatements) context.statement = strings.reduce((text, part, i) => `${text}$${i}${part}`);
  const ch = queryChannel;
  ch.start.publish(context);
  ch.end.publish(context);
  settle.call(q, (rows: unknown) => {
    context.result = rows;
    ch.asyncStart.publish(context);
    ch.asyncEnd.publish(context);
  }, (error: unknown) => {
    context.error = error;
    ch.error.publish(context);
    ch.asyncStart.publish(context);
    ch.asyncEnd.publish(context);
  });
}
