// A `postgres` query function tied to one connection and one AbortSignal.
//
// Every query it makes is the driver's own `PendingQuery` (so `.values()`,
// `.cursor()`, `.forEach()` … still work), with three additions:
// - when the signal aborts while the query runs, the protocol's cancel
//   request goes to the server and the query rejects with `signal.reason`
//   (see cancel.ts for how the cancellation is carried out);
// - a query on a lost connection fails with ConnectionLostError instead of
//   being silently sent on a fresh connection without the old session;
// - queries that may change session state mark the connection for a reset.

import type postgres from "postgres";
import { abortable, abortReasonOf } from "@corral/core";
import { touchesSession } from "./session.ts";
import type { Binding, Query, Raw, Watch } from "./binding.ts";
import { abortAll, cancelling, EARLY, finish, gate, pipeOf, reasonOf, stopped } from "./cancel.ts";
import { queryChannel, traced, traceQuery } from "./trace.ts";
import { dense } from "./rows.ts";

/** postgres 4's `Query.prototype.resolve` (its queries' own), kept from the first query that needed it. */
const Query4: { resolve?: (v: unknown) => void } = {};

const settle = Promise.prototype.then;

/** Socket-level and server-shutdown errors: the session is gone. */
const LOST_CODES: ReadonlySet<string> = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_DESTROYED",
  "CONNECTION_ENDED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "57P01", // admin_shutdown (pg_terminate_backend)
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now
]);

function losesConnection(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && (LOST_CODES.has(code) || code.startsWith("08"));
}

/** A cancel request (ours, meant for another query) could have stopped `q` with this error: it may be sent again. */
function mistaken(q: Query, error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  return e?.code === "57014" && String(e.message).includes("user request") &&
    !q.cursorFn && !q.forEachFn && !q.onlyDescribe && (q.retries ?? 0) < 3;
}

/**
 * Sends `q` again as a fresh query of the same binding, and settles `q`
 * with its outcome. Only for a query that a cancel request meant for
 * another one stopped: a cancelled statement rolled back, so running it
 * again is running it once.
 */
function resend(binding: Binding, q: Query, resolve: (v: unknown) => void, reject: (e: unknown) => void): void {
  const raw = binding.link.raw as unknown as ((...args: unknown[]) => Query) & Raw;
  const fresh = q.tagged
    ? raw(q.strings, ...q.args!)
    : raw.unsafe(q.strings![0]!, q.args as never, q.options as never) as unknown as Query;
  Object.assign(fresh.options!, q.options);
  fresh.isRaw = q.isRaw;
  fresh.retries = (q.retries ?? 0) + 1;
  if ("canceller" in fresh) trackPiped(binding, fresh);
  else track(binding, fresh, []);
  settle.call(fresh, (v: unknown) => resolve.call(q, v), (e: unknown) => reject.call(q, e));
  fresh.execute();
}

const watches = new WeakMap<AbortSignal, Watch>();

/**
 * Hears the binding's abort while it has queries in flight, through the
 * one wait its signal has (see {@linkcode Watch}): corral's abortable()
 * costs a few promises, where addEventListener costs ~3 µs a pair on Node
 * 20, and one wait per query would be both, per query.
 */
function hear(binding: Binding, signal: AbortSignal): void {
  let watch = watches.get(signal);
  if (watch === undefined) {
    const bindings = new Set<Binding>();
    let end!: () => void;
    const idle = new Promise<void>((resolve) => end = resolve);
    const made: Watch = watch = {
      bindings,
      end: () => {
        if (watches.get(signal) === made) watches.delete(signal);
        end();
      },
    };
    watches.set(signal, made);
    abortable(idle, { signal }).then(undefined, () => {
      if (watches.get(signal) === made) watches.delete(signal);
      for (const b of [...bindings]) abortAll(b);
    });
  }
  watch.bindings.add(binding);
  binding.quiet = watch;
}

/** postgres 3: the query goes through the connection's pipe (see cancel.ts). */
function trackPiped(binding: Binding, q: Query): void {
  const { link, signal } = binding;
  const pipe = pipeOf(link, q);
  q.binding = binding;
  q.epoch = pipe.epoch;
  q.handler = gate;
  const reject = q.reject;
  const resolve = q.resolve;
  q.reject = (error: unknown) => {
    if (error === EARLY) {
      // Answer the caller now; the driver still has the query (keep its flag).
      if (q.answered) return;
      q.answered = true;
      const active = q.active;
      reject.call(q, reasonOf(binding));
      q.active = active;
      return;
    }
    stopped(q);
    if (q.answered) return reject.call(q, error);
    if (signal?.aborted) return reject.call(q, abortReasonOf(signal));
    // A request sent since this query was made may have hit it instead of its target.
    if (!link.lost && link.pipe!.epoch !== q.epoch && mistaken(q, error)) return resend(binding, q, resolve, reject);
    if (!link.lost && losesConnection(error)) link.onClose(error);
    reject.call(q, link.lost ? link.lostError(error) : error);
  };
  q.resolve = (value: unknown) => {
    stopped(q);
    resolve.call(q, dense(value));
  };
  const inflight = binding.inflight ??= new Set();
  inflight.add(q);
  if (signal !== undefined && !binding.quiet) hear(binding, signal);
}

function track(binding: Binding, q: Query, strings: readonly string[]): Query {
  const { link, signal } = binding;
  if (touchesSession(strings)) link.dirty = true;
  if ("canceller" in q) {
    trackPiped(binding, q);
    if (traced(queryChannel)) traceQuery(link, q, strings);
    return q;
  }
  // postgres 4. Map the driver's rejection to what the caller should see.
  // The query is forgotten when the driver is done with it (its resolve or
  // reject), not when its promise settles: an aborted query's caller is
  // answered early (cancel.ts), and the cancellation goes on until then.
  const reject = q.reject;
  const resolve = Query4.resolve ??= q.resolve;
  q.reject = (error: unknown) => {
    finish(binding, q);
    if (signal?.aborted) return reject.call(q, abortReasonOf(signal));
    if (!link.lost && !binding.closed && cancelling(link) && mistaken(q, error)) {
      return resend(binding, q, resolve, reject);
    }
    if (!link.lost && losesConnection(error)) link.onClose(error);
    reject.call(q, link.lost ? link.lostError(error) : error);
  };
  q.resolve = (value: unknown) => {
    finish(binding, q);
    resolve.call(q, value);
  };
  // A query whose binding aborted or closed before its turn to be sent is never sent.
  const p4 = q as unknown as { run: () => void };
  const run = p4.run;
  p4.run = () => binding.signal?.aborted || binding.closed ? q.reject(reasonOf(binding)) : run.call(q);
  const inflight = binding.inflight ??= new Set();
  inflight.add(q);
  if (signal !== undefined && !binding.quiet) hear(binding, signal);
  if (traced(queryChannel)) traceQuery(link, q, strings);
  return q;
}

function check(binding: Binding): void {
  if (binding.closed) throw new Error(`Cannot run a query as ${binding.closed}`);
  if (binding.link.lost) throw binding.link.lostError();
  if (binding.signal?.aborted) throw abortReasonOf(binding.signal);
}

function isTemplate(value: unknown): value is TemplateStringsArray {
  return Array.isArray(value) && Array.isArray((value as { raw?: unknown }).raw);
}

/** One query through `binding`, as its query function makes it, without making the function. */
export function queryOn(
  binding: Binding,
  strings: readonly string[],
  values: readonly unknown[],
  text: boolean,
): Query {
  check(binding);
  const raw = binding.link.raw;
  const q = text
    ? raw.unsafe(strings[0]!, values as never) as unknown as Query
    : (raw as unknown as (...args: unknown[]) => Query)(strings, ...values);
  return track(binding, q, strings);
}

/** The query function of a binding; see {@linkcode PgSql} in connection.ts. */
export function bindSql(binding: Binding): postgres.ISql {
  const raw = binding.link.raw;
  const sql = function (first: unknown, ...rest: unknown[]): unknown {
    if (!isTemplate(first)) return (raw as (...args: unknown[]) => unknown)(first, ...rest);
    check(binding);
    return track(binding, (raw as unknown as (...args: unknown[]) => Query)(first, ...rest), first);
  } as unknown as postgres.ISql;
  const props: Partial<postgres.ISql> = {
    types: raw.types,
    typed: raw.typed,
    json: raw.json,
    array: raw.array,
    unsafe: ((text: string, args?: never, options?: never) => {
      check(binding);
      return track(binding, raw.unsafe(text, args, options) as unknown as Query, [text]);
    }) as unknown as postgres.ISql["unsafe"],
    file: ((...args: Parameters<Raw["file"]>) => {
      check(binding);
      binding.link.dirty = true;
      return track(binding, (raw.file as (...a: unknown[]) => Query)(...args), []);
    }) as postgres.ISql["file"],
    notify:
      ((channel: string, payload: string) =>
        (sql as unknown as (s: TemplateStringsArray, ...a: unknown[]) => unknown)(
          NOTIFY,
          channel,
          String(payload),
        )) as postgres.ISql["notify"],
  };
  // postgres 4's additions: `identifier` builds a helper (nothing runs);
  // `batch` runs queries made through this function in one round trip.
  const more = raw as Raw & { identifier?: unknown; batch?: (queries: unknown) => Query };
  if (more.identifier) (props as Record<string, unknown>).identifier = more.identifier;
  if (more.batch) {
    const batch = more.batch;
    (props as Record<string, unknown>).batch = (queries: unknown) => {
      check(binding);
      return track(binding, batch(queries), []);
    };
  }
  bindings.set(sql, binding);
  return Object.assign(sql, props);
}

const bindings = new WeakMap<object, Binding>();

/** The binding behind a query function made by {@linkcode bindSql}, if it is one. */
export function bindingOf(sql: unknown): Binding | undefined {
  return typeof sql === "function" ? bindings.get(sql) : undefined;
}

const NOTIFY: TemplateStringsArray = Object.freeze(Object.assign(["select pg_notify(", ", ", ")"], {
  raw: Object.freeze(["select pg_notify(", ", ", ")"]),
})) as unknown as TemplateStringsArray;
