/**
 * Tracing channels: the shape of `node:diagnostics_channel`'s
 * `TracingChannel` that the core publishes to, and the names it publishes
 * under. The core imports no runtime module: an adapter hands it the
 * factory (`installRuntime({ tracingChannel })`), and until then, or while
 * nobody subscribes, publishing costs one property read.
 *
 * @module
 */

/** One of a tracing channel's five channels (a `diagnostics_channel` `Channel`). */
export interface TraceChannelLike {
  /** True while somebody subscribes. */
  readonly hasSubscribers: boolean;
  /** Sends `message` to every subscriber. */
  publish(message: unknown): void;
}

/**
 * What the core uses of `diagnostics_channel.tracingChannel(name)`: its five
 * channels, published as `traceSync` and `tracePromise` do. (Bun's has no
 * `hasSubscribers`; the core reads the five channels' instead.)
 */
export interface TracingChannelLike {
  /** True while somebody subscribes to any of the five (absent on Bun). */
  readonly hasSubscribers?: boolean;
  /** Published when an operation starts. */
  readonly start: TraceChannelLike;
  /** Published when its synchronous part returns (or throws). */
  readonly end: TraceChannelLike;
  /** Published when its promise settles, before `asyncEnd`. */
  readonly asyncStart: TraceChannelLike;
  /** Published last, when its promise has settled. */
  readonly asyncEnd: TraceChannelLike;
  /** Published when it fails (the context's `error`), before `end` or `asyncStart`. */
  readonly error: TraceChannelLike;
}

/** The names of the channels the core publishes to. */
export const TRACING_CHANNELS = {
  /** A pool acquire (`pool.acquire()`, and `pool.use()`'s). */
  acquire: "corral:pool:acquire",
  /** A pool's call of its `create`. */
  create: "corral:pool:create",
  /** A pool's destruction of a resource. */
  destroy: "corral:pool:destroy",
  /** A task group's run (`taskGroup(fn)`). */
  group: "corral:taskGroup:run",
} as const;

/** @internal The channels in force (undefined until an adapter installs the factory). Read on hot paths. */
export const tracing: {
  acquire: TracingChannelLike | undefined;
  create: TracingChannelLike | undefined;
  destroy: TracingChannelLike | undefined;
  group: TracingChannelLike | undefined;
} = { acquire: undefined, create: undefined, destroy: undefined, group: undefined };

/** @internal True when `channel` exists and somebody subscribes to it. */
export function traced(channel: TracingChannelLike | undefined): channel is TracingChannelLike {
  if (channel === undefined) return false;
  const all = channel.hasSubscribers;
  if (all !== undefined) return all;
  return channel.start.hasSubscribers || channel.end.hasSubscribers || channel.asyncStart.hasSubscribers ||
    channel.asyncEnd.hasSubscribers || channel.error.hasSubscribers;
}

/** @internal Makes the core's channels with `factory` (or removes them). */
export function installTracing(factory: ((name: string) => TracingChannelLike) | undefined): void {
  tracing.acquire = factory?.(TRACING_CHANNELS.acquire);
  tracing.create = factory?.(TRACING_CHANNELS.create);
  tracing.destroy = factory?.(TRACING_CHANNELS.destroy);
  tracing.group = factory?.(TRACING_CHANNELS.group);
}

/**
 * @internal Calls `call()` in a trace of `channel` with `context`, as
 * `traceSync`/`tracePromise` would: `start`, then `end` once `call`
 * returns (`error` first when it throws); for a promise, `asyncStart` and
 * `asyncEnd` once it settles (`error` first when it rejects). The outcome
 * goes in `context.result` or `context.error`.
 */
export function traceCall(channel: TracingChannelLike, context: Record<string, unknown>, call: () => unknown): unknown {
  channel.start.publish(context);
  let result: unknown;
  try {
    result = call();
  } catch (error) {
    context.error = error;
    channel.error.publish(context);
    channel.end.publish(context);
    throw error;
  }
  context.result = result;
  channel.end.publish(context);
  if (result === null || typeof result !== "object" || typeof (result as PromiseLike<unknown>).then !== "function") {
    return result;
  }
  return Promise.resolve(result).then((value) => {
    context.result = value;
    channel.asyncStart.publish(context);
    channel.asyncEnd.publish(context);
    return value;
  }, (error) => {
    delete context.result;
    context.error = error;
    channel.error.publish(context);
    channel.asyncStart.publish(context);
    channel.asyncEnd.publish(context);
    throw error;
  });
}
