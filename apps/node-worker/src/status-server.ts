// The status server: GET /health and GET /stats (JSON), on node:http.
// Disposing it stops accepting, and closes idle keep-alive sockets.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface StatusServer extends AsyncDisposable {
  url: string;
}

export async function startStatusServer(port: number, stats: () => unknown): Promise<StatusServer> {
  const server = createServer((req, res) => {
    if (req.method === "GET" && req.url === "/health") {
      res.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok"}');
    } else if (req.method === "GET" && req.url === "/stats") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(stats()));
    } else {
      res.writeHead(404).end();
    }
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
