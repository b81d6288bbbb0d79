// The HTTP server on Node: @hono/node-server on node:http.
import type { Server } from "node:http";
import { Server as NetServer } from "node:net";
import type { AddressInfo } from "node:net";
import { serve as honoServe } from "@hono/node-server";
import type { Fetch, HttpServer } from "../src/shell.ts";

/** How long close() lets open connections finish their last response before it cuts them. */
const CLOSE_GRACE_MS = 2_000;

export function serve(host: string, port: number, fetch: Fetch): Promise<HttpServer> {
  return new Promise((resolve, reject) => {
    const server = honoServe({ fetch, hostname: host, port }, (info: AddressInfo) => {
      server.off("error", reject);
      let closed: Promise<void> | undefined;
      resolve({
        url: `http://${host.includes(":") ? `[${host}]` : host}:${info.port}`,
        // node:http's own close() also drops idle kept-alive connections at
        // once, racing a client that is just sending on one; stop listening
        // only, and let those connections end after a `Connection: close` reply.
        stopAccepting: () => void NetServer.prototype.close.call(server),
        close: () =>
          closed ??= new Promise<void>((done) => {
            const http = server as Server;
            const timer = setTimeout(() => http.closeAllConnections(), CLOSE_GRACE_MS);
            http.close(() => {
              clearTimeout(timer);
              done();
            });
            http.closeIdleConnections();
          }),
      });
    }) as Server;
    server.once("error", reject);
  });
}
