/**
 * A TCP proxy on loopback in front of a server, that can fail the way a
 * network does — for driver tests of deadlines and bounded cleanup. It
 * imports no runtime module: the caller hands in `node:net` (which Node,
 * Deno and Bun all provide), so the suite stays runtime-agnostic.
 *
 * Modes ({@linkcode ProxyMode}), switched with `setMode`:
 * - `"pass"`: forwards (the network is healthy). Data held back by a hole is
 *   delivered now, as TCP would once a partition heals.
 * - `"hole"`: forwards nothing, on open connections and new ones alike, and
 *   keeps every socket open (a silent network, a hung server); data is held
 *   back, not lost.
 * - `"drop"`: the connections open now are dead for good: no FIN, no RST,
 *   nothing forwarded ever again (a peer that vanished). New connections work.
 * - `"drop-all"`: like `"drop"`, and connections made while in this mode are
 *   accepted but never connected upstream (a server that accepts TCP and
 *   never answers). They stay dead after the mode changes.
 * - `"reset"`: the connections open now are reset (RST where the runtime
 *   can, else closed); new ones work.
 *
 * A client that closes its side (FIN) is answered as the network would: in
 * `"pass"` its FIN goes on to the server, which closes, and that close comes
 * back. On a held (`"hole"`) or dead connection nothing answers it: the
 * client side stays half-open until the client destroys it (or, held, until
 * the heal closes it). The server side is closed at once, and data the
 * client sent before its FIN and a hole held back is dropped — a concession
 * so a test can count the server sessions a client left behind. A client
 * that sent its FIN counts as closed in `clients` and `sockets`, so a test
 * can count what the client left open. `close()` destroys every socket.
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
  /** Sends a FIN after what was written. */
  end(): unknown;
  /** Closes at once. */
  destroy(): unknown;
  /** Closes with an RST (Node ≥ 18.3; the proxy falls back to `destroy`). */
  resetAndDestroy?(): unknown;
}

/** The part of `node:net` the proxy uses. */
export interface ProxyNet {
  /** Makes the listening server (`allowHalfOpen`: a client's FIN is not answered by itself). */
  // deno-lint-ignore no-explicit-any -- node:net hands its own Socket type
  createServer(options: { allowHalfOpen: boolean }, listener: (socket: any) => void): {
    listen(port: number, host: string, callback: () => void): unknown;
    address(): unknown;
    close(callback: () => void): unknown;
  };
  /** Opens the upstream connection. */
  connect(port: number, host: string): ProxySocket;
}

/** How a {@linkcode FreezableProxy} treats its connections (see the module text). */
export type ProxyMode = "pass" | "hole" | "drop" | "drop-all" | "reset";

const MODES: ReadonlySet<string> = new Set(["pass", "hole", "drop", "drop-all", "reset"]);

/** A running {@linkcode freezableProxy}. */
export interface FreezableProxy extends AsyncDisposable {
  /** The port it listens on, on 127.0.0.1. */
  readonly port: number;
  /** How many sockets are open through it (client and server sides; a client that sent its FIN is not counted). */
  readonly sockets: number;
  /** How many client sockets are open now (dead ones included; one that sent its FIN is not counted). */
  readonly clients: number;
  /** How many client connections it accepted since it started. */
  readonly opened: number;
  /** The current mode. */
  readonly mode: ProxyMode;
  /** Switches the mode (see {@linkcode ProxyMode}). */
  setMode(mode: ProxyMode): void;
  /** `setMode("hole")`: from now on nothing is forwarded, on open connections and new ones alike. */
  freeze(): void;
  /** Closes the proxy and every socket through it. */
  close(): Promise<void>;
}

/** One client connection and its upstream side. */
interface Link {
  client: ProxySocket;
  upstream: ProxySocket | undefined;
  dead: boolean;
  /** The client sent its FIN. */
  ended: boolean;
  /** Chunks held back by a hole: [toUpstream, chunk], a `null` chunk for the server's close. */
  held: [boolean, Uint8Array | null][];
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
 * proxy.setMode("drop-all"); // new connections are accepted and never answered
 * assert.ok(proxy.port > 0 && proxy.opened === 0 && proxy.mode === "drop-all");
 * ```
 */
export async function freezableProxy(
  net: ProxyNet,
  target: { host: string; port: number },
): Promise<FreezableProxy> {
  const sockets = new Set<ProxySocket>();
  const links = new Set<Link>();
  let mode: ProxyMode = "pass";
  let opened = 0;
  const track = (socket: ProxySocket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
  };
  const forward = (link: Link, toUpstream: boolean, chunk: Uint8Array | null) => {
    if (link.dead) return;
    if (mode === "hole") link.held.push([toUpstream, chunk]);
    else if (chunk !== null) (toUpstream ? link.upstream : link.client)?.write(chunk);
    else if (toUpstream) link.upstream?.end();
    else link.client.destroy();
  };
  const server = net.createServer({ allowHalfOpen: true }, (client: ProxySocket) => {
    opened++;
    track(client);
    const link: Link = { client, upstream: undefined, dead: mode === "drop-all", ended: false, held: [] };
    links.add(link);
    client.on("close", () => {
      links.delete(link);
      link.upstream?.destroy();
    });
    client.on("data", (chunk: Uint8Array) => forward(link, true, chunk));
    // The client's FIN: passed on in "pass"; else no one answers it, and the server side is closed.
    client.on("end", () => {
      link.ended = true;
      if (!link.dead && mode !== "hole") return void link.upstream?.end();
      link.held = link.held.filter(([toUpstream]) => !toUpstream);
      link.upstream?.destroy();
    });
    if (link.dead) return;
    const upstream = net.connect(target.port, target.host);
    link.upstream = upstream;
    track(upstream);
    upstream.on("data", (chunk: Uint8Array) => forward(link, false, chunk));
    // A server that hangs up is passed on (held by a hole), unless the link is dead (then nothing reaches the client).
    upstream.on("close", () => forward(link, false, null));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  const setMode = (next: ProxyMode) => {
    if (!MODES.has(next)) {
      throw new TypeError(`Cannot set the proxy mode as it must be one of ${[...MODES]}: received ${String(next)}`);
    }
    mode = next;
    for (const link of links) {
      if (next === "drop" || next === "drop-all") {
        link.dead = true;
        link.held.length = 0;
        if (link.ended) link.upstream?.destroy();
      } else if (next === "reset") {
        const { client } = link;
        if (typeof client.resetAndDestroy === "function") client.resetAndDestroy();
        else client.destroy();
      } else if (next === "pass" && link.held.length > 0) {
        const held = link.held.splice(0);
        for (const [toUpstream, chunk] of held) forward(link, toUpstream, chunk);
      }
    }
  };
  /** Client sockets still open whose client sent its FIN. */
  const ended = () => {
    let n = 0;
    for (const link of links) if (link.ended) n++;
    return n;
  };
  const close = async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    port,
    get sockets() {
      return sockets.size - ended();
    },
    get clients() {
      return links.size - ended();
    },
    get opened() {
      return opened;
    },
    get mode() {
      return mode;
    },
    setMode,
    freeze: () => setMode("hole"),
    close,
    [Symbol.asyncDispose]: close,
  };
}
