// Keeps a semaphore's held permits alive: one background timer per
// semaphore (not per permit) renews every held lease in one script call.
// A permit whose lease cannot be renewed before it expires — Redis said it
// is gone, or Redis was unreachable past the local deadline — is lost: it
// leaves the set and its signal aborts with PermitLostError.

import type { RedisClient } from "../connection.ts";
import { Permit, PermitLostError, type PermitOwner } from "../permit.ts";
import { RENEW } from "./scripts.ts";
import { clearCountedTimeout, type CountedTimeout, countedTimeout } from "@corral/core";

interface Owner {
  readonly name: string;
  readonly key: string;
  readonly ttl: number;
}

/** Stops a host timer from keeping the process alive, on every runtime. */
function unref(timer: unknown): void {
  if (typeof timer === "object" && timer !== null) (timer as { unref?(): void }).unref?.();
  else (globalThis as { Deno?: { unrefTimer(id: number): void } }).Deno?.unrefTimer(timer as number);
}

/** Waits for `promise` at most `ms`; never rejects, never leaves a timer. */
function settle(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: CountedTimeout | undefined;
  return Promise.race([
    promise.then(() => {}, () => {}),
    new Promise<void>((resolve) => (timer = countedTimeout(resolve, ms))),
  ]).finally(() => clearCountedTimeout(timer));
}

export class Renewer implements PermitOwner {
  readonly name: string;
  #owner: Owner;
  #interval: number;
  #connect: () => Promise<RedisClient>;
  #held = new Map<string, Permit>();
  #timer: CountedTimeout | undefined;
  #renewing: Promise<void> | undefined;
  #closed = false;
  #forgetting = new Set<Promise<void>>();

  constructor(owner: Owner, interval: number, connect: () => Promise<RedisClient>) {
    this.#owner = owner;
    this.name = owner.name;
    this.#interval = interval;
    this.#connect = connect;
  }

  get size(): number {
    return this.#held.size;
  }

  add(id: string, expiresAt: number): Permit {
    const permit = new Permit(this, id, expiresAt);
    this.#held.set(id, permit);
    this.#schedule();
    return permit;
  }

  /** Release: drop the permit and remove its holder id from Redis. */
  forget(permit: Permit): Promise<void> {
    this.#held.delete(permit.id);
    if (this.#held.size === 0) this.#stop();
    return this.forgetId(permit.id);
  }

  /** Removes a holder id from Redis; gives up after one lease (it has expired by then). */
  forgetId(id: string): Promise<void> {
    const done = settle(this.#connect().then((client) => client.zRem(this.#owner.key, id)), this.#owner.ttl);
    this.#forgetting.add(done);
    return done.finally(() => this.#forgetting.delete(done));
  }

  #stop(): void {
    clearCountedTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#renewing || this.#closed || this.#held.size === 0) return;
    // Renew early enough that the next tick still lands before the earliest local deadline.
    let delay = this.#interval;
    for (const permit of this.#held.values()) delay = Math.min(delay, permit.expiresAt - performance.now() - 1);
    this.#timer = countedTimeout(() => {
      this.#timer = undefined;
      this.#renewing = this.#renew().finally(() => {
        this.#renewing = undefined;
        this.#schedule();
      });
    }, Math.max(0, delay));
    unref(this.#timer.handle);
  }

  async #renew(): Promise<void> {
    const permits = [...this.#held.values()];
    const sent = performance.now();
    try {
      const client = await this.#connect();
      const ids = permits.map((permit) => permit.id);
      const reply = await client.eval(RENEW, { keys: [this.#owner.key], arguments: [String(this.#owner.ttl), ...ids] });
      const renewed = reply as number[];
      permits.forEach((permit, i) => {
        if (renewed[i] === 1) permit.expiresAt = sent + this.#owner.ttl;
        else this.#lose(permit, "Redis no longer lists it");
      });
    } catch {
      // Unreachable for now: keep trying until the local deadline passes.
    }
    const now = performance.now();
    for (const permit of this.#held.values()) {
      if (now >= permit.expiresAt) {
        this.#lose(permit, "it could not be renewed in time");
        void this.forgetId(permit.id);
      }
    }
  }

  #lose(permit: Permit, why: string): void {
    if (!this.#held.delete(permit.id)) return;
    permit.end(new PermitLostError(`The permit for semaphore "${this.name}" was lost: ${why}`), false);
  }

  /** Stops renewal and releases every held permit (their signals abort with `reason`). */
  async close(reason: unknown): Promise<void> {
    this.#closed = true;
    this.#stop();
    await this.#renewing;
    const permits = [...this.#held.values()];
    this.#held.clear();
    for (const permit of permits) permit.end(reason, true);
    if (permits.length > 0) {
      await settle(this.#connect().then((c) => c.zRem(this.#owner.key, permits.map((p) => p.id))), this.#owner.ttl);
    }
    await Promise.all(this.#forgetting);
  }
}
