// The status server on node:http. Disposing it stops accepting and closes
// idle keep-alive sockets, then resolves once the server has closed.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { type StatusHandler, type StatusServer, TEXT_CONTENT_TYPE } from "../src/shell.ts";

export async function startStatusServer(port: number, handle: StatusHandler): Promise<StatusServer> {
  const server = createServer((req, res) => {
    const reply = handle(req.method ?? "GET", new URL(req.url ?? "/", "http://127.0.0.1").pathname);
    if (reply.text !== undefined) res.writeHead(reply.status, { "content-type": TEXT_CONTENT_TYPE }).end(reply.text);
    else if (reply.json === null) res.writeHead(reply.status).end();
    else res.writeHead(reply.status, { "content-type": "application/json" }).end(reply.json);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    [Symbol.asyncDispose]() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
    },
  };
}
