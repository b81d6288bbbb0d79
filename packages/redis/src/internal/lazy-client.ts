// The semaphore's own multiplexed client: opened on first use, reconnecting
// in the background after an outage. The offline queue is off, so while
// Redis is unreachable commands fail at once instead of piling up, and
// waiting for the first connection is bounded: nothing hangs on a dead
// server, and callers decide whether to retry.

import { createClient } from "redis";
import type { RedisClient } from "../connection.ts";
import { clearCountedTimeout, type CountedTimeout, countedTimeout } from "@corral/core";

export class LazyClient {
  #url: string;
  #timeout: number;
  #given: RedisClient | undefined;
  #client: RedisClient | undefined;
  #ready: Promise<RedisClient> | undefined;
  #closed = false;

  constructor(url: string, given: RedisClient | undefined, timeout = 10_000) {
    this.#url = url;
    this.#given = given;
    this.#timeout = timeout;
  }

  /** The connected client; rejects when it is not connected within the timeout (it keeps trying). */
  get(): Promise<RedisClient> {
    if (this.#given) return Promise.resolve(this.#given);
    if (this.#closed) return Promise.reject(new Error("The semaphore's Redis client is closed"));
    if (this.#client?.isReady) return Promise.resolve(this.#client);
    if (this.#ready === undefined) {
      const client: RedisClient = createClient({ url: this.#url, disableOfflineQueue: true });
      // Failures surface as rejected commands; the client reconnects on its own.
      client.on("error", () => {});
      this.#client = client;
      this.#ready = client.connect().then(() => client);
      this.#ready.catch(() => {});
    }
    let timer: CountedTimeout | undefined;
    return Promise.race([
      this.#ready,
      new Promise<never>((_, reject) => {
        timer = countedTimeout(
          // The host only: the URL may carry a password.
          () => reject(new Error(`Cannot reach Redis at ${new URL(this.#url).host} within ${this.#timeout} ms`)),
          this.#timeout,
        );
      }),
    ]).finally(() => clearCountedTimeout(timer));
  }

  /** Closes the client this object opened (a given client is left alone); see {@linkcode LazyClient.destroy}. */
  async close(): Promise<void> {
    this.#closed = true;
    const client = this.#client;
    if (client === undefined) return;
    if (client.isReady) await client.close();
    else client.destroy();
    this.#client = undefined;
  }

  /**
   * Closes the client this object opened at once: commands still waiting
   * for a reply (a server that stopped answering) reject, and a polite
   * `close()` still waiting for them ends.
   */
  destroy(): void {
    this.#closed = true;
    const client = this.#client;
    this.#client = undefined;
    client?.destroy();
  }
}
