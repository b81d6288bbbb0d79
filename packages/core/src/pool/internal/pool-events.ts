// Which pool events anybody listens to, and dispatching them: an event
// nobody hears is never built (the hot paths test a bit before they make
// the event's fields).

import type { PoolEventInit, PoolEventType, PoolObserver } from "../pool-event.ts";

export const CREATE_EVENT = 1;
export const DESTROY_EVENT = 2;
export const ACQUIRE_EVENT = 4;
export const RELEASE_EVENT = 8;
export const ERROR_EVENT = 16;
export const LEAK_EVENT = 32;

const BIT: Readonly<Record<PoolEventType, number>> = {
  create: CREATE_EVENT,
  destroy: DESTROY_EVENT,
  acquire: ACQUIRE_EVENT,
  release: RELEASE_EVENT,
  error: ERROR_EVENT,
  leak: LEAK_EVENT,
};

export class PoolEvents<T> {
  /** The bits of the event types that have had a listener or have an observer. */
  heard = 0;
  /** The bits of the event types that have had an EventTarget listener. */
  listened = 0;
  readonly observers: PoolObserver<T>[] = [];
  readonly #dispatch: (type: PoolEventType, init: PoolEventInit<T>) => void;
  /** The pool (what tracing payloads name as `pool`). */
  readonly owner: object;

  constructor(dispatch: (type: PoolEventType, init: PoolEventInit<T>) => void, owner?: object) {
    this.#dispatch = dispatch;
    this.owner = owner ?? this;
  }

  /** Somebody listens to `type` from now on (any string; only pool event types count). */
  listen(type: string): void {
    if (Object.hasOwn(BIT, type)) {
      this.heard |= BIT[type as PoolEventType];
      this.listened |= BIT[type as PoolEventType];
    }
  }

  /** Adds `observer` (every event type from now on); returns its removal. */
  observe(observer: PoolObserver<T>): () => void {
    this.heard = -1;
    this.observers.push(observer);
    return () => {
      const i = this.observers.indexOf(observer);
      if (i >= 0) this.observers.splice(i, 1);
      if (this.observers.length === 0) this.heard = this.listened;
    };
  }

  /** True when somebody listens to the events of `bit` (one of the `*_EVENT` constants). */
  hears(bit: number): boolean {
    return (this.heard & bit) !== 0;
  }

  emit(type: PoolEventType, init: PoolEventInit<T>): void {
    if ((this.listened & BIT[type]) !== 0) this.#dispatch(type, init);
    const observers = this.observers;
    for (let i = 0; i < observers.length; i++) observers[i]!(type, init);
  }
}
