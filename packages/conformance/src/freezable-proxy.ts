/**
 * A TCP proxy on loopback in front of a server, that can stop forwarding (a
 * hung server or a silent network) — for driver tests of bounded cleanup.
 * It imports no runtime module: the caller hands in `node:net` (which Node,
 * Deno and Bun all provide), so the suite stays runtime-agnostic.
 *
 * @module
 */

/** The part of a socket the proxy uses (`node:net`'s `Socket` has it). */
export interface ProxySocket {
  /** Listens for `data`, `close` and `error`. */
  // deno-lint-ignore no-explicit-any -- node:net's listeners take typed arguments
  on(event: string, listener: (...args: any[]) => void): unknown;
  /** Forwards a chunk. */
  write(chunk: Uint8Array | string): unknown;
  /** Closes at once. */
  destroy(): unknown;
}

/** The part of `node:net` the proxy uses. */
export interface ProxyNet {
  /** Makes the listening server. */
  // deno-lint-ignore no-explicit-any -- node:net hands its own Socket type
  createServer(listener: (socket: any) => void): {
    listen(port: number, host: string, callback: () => void): unknown;
    address(): unknown;
    close(callback: () => void): unknown;
  };
  /** Opens the upstream connection. */
  connect(port: number, host: string): ProxySocket;
}

/** A running {@linkcode freezableProxy}. */
export interface FreezableProxy extends AsyncDisposable {
  /** The port it listens on, on 127.0.0.1. */
  readonly port: number;
  /** How many sockets are open through it (client and server sides). */
  readonly sockets: number;
  /** From now on nothing is forwarded, on open connections and new ones alike. */
  freeze(): void;
  /** Closes the proxy and every socket through it. */
  close(): Promise<void>;
}

/**
 * Starts a proxy on 127.0.0.1 (a free port) to `host:port`.
 *
 * @param net the `node:net` module
 * @param target where to forward
 * @returns the running proxy
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as net from "node:net";
 * import { freezableProxy } from "@corral/conformance";
 * await using proxy = await freezableProxy(net, { host: "127.0.0.1", port: 5432 });
 * assert.ok(proxy.port > 0);
 * ```
 */
export async function freezableProxy(
  net: ProxyNet,
  target: { host: string; port: number },
): Promise<FreezableProxy> {
  const sockets = new Set<ProxySocket>();
  let frozen = false;
  const track = (socket: ProxySocket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
  };
  const server = net.createServer((client: ProxySocket) => {
    track(client);
    const upstream = net.connect(target.port, target.host);
    track(upstream);
    client.on("data", (chunk: Uint8Array) => frozen || upstream.write(chunk));
    upstream.on("data", (chunk: Uint8Array) => frozen || client.write(chunk));
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  const close = async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    port,
    get sockets() {
      return sockets.size;
    },
    freeze: () => void (frozen = true),
    close,
    [Symbol.asyncDispose]: close,
  };
}
