// The control connection that sends `CLIENT UNBLOCK` on behalf of dedicated
// connections whose blocking command was cancelled. One per server URL,
// shared by every connection opened with `cancel: "unblock"`, reference
// counted: it connects on first use and closes when the last connection that
// holds a reference is gone, so nothing outlives the connections it serves.

import { createClient } from "redis";

type Control = ReturnType<typeof createClient>;

class Unblocker {
  readonly url: string;
  refs = 0;
  #client: Control | undefined;
  #connecting: Promise<Control> | undefined;

  constructor(url: string) {
    this.url = url;
  }

  #connect(): Promise<Control> {
    if (this.#client?.isReady) return Promise.resolve(this.#client);
    if (this.#connecting) return this.#connecting;
    const client: Control = createClient({ url: this.url, socket: { reconnectStrategy: false, connectTimeout: 5000 } });
    client.on("error", () => {
      // A dead control connection is replaced on next use; commands on it reject.
      if (this.#client === client) this.#client = undefined;
    });
    const connecting = client.connect().then(
      () => {
        this.#connecting = undefined;
        if (this.refs === 0) {
          // Everyone left while we were connecting.
          client.destroy();
          throw new Error("Cannot unblock as every connection using the control client is gone");
        }
        this.#client = client;
        return client;
      },
      (error: unknown) => {
        this.#connecting = undefined;
        client.destroy();
        throw error;
      },
    );
    this.#connecting = connecting;
    return connecting;
  }

  /** Sends `CLIENT UNBLOCK id`; true when the server unblocked it. */
  async unblock(id: number): Promise<boolean> {
    const client = await this.#connect();
    return (await client.clientUnblock(id)) === 1;
  }

  close(): void {
    const client = this.#client;
    this.#client = undefined;
    if (client?.isOpen) client.destroy();
  }
}

const registry = new Map<string, Unblocker>();

/** Takes a reference on the control connection for `url`. */
export function retainUnblocker(url: string): Unblocker {
  let unblocker = registry.get(url);
  if (unblocker === undefined) {
    unblocker = new Unblocker(url);
    registry.set(url, unblocker);
  }
  unblocker.refs++;
  return unblocker;
}

/** Drops a reference; the last one closes the control connection. */
export function releaseUnblocker(unblocker: Unblocker): void {
  if (--unblocker.refs > 0) return;
  if (registry.get(unblocker.url) === unblocker) registry.delete(unblocker.url);
  unblocker.close();
}

export type { Unblocker };
