// The status server: GET /health and GET /stats (JSON), on Bun.serve.
// Disposing it stops the listener and waits for requests in flight to end.

export interface StatusServer extends AsyncDisposable {
  url: string;
}

export function startStatusServer(port: number, stats: () => unknown): StatusServer {
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port,
    fetch(request) {
      const { pathname } = new URL(request.url);
      if (request.method === "GET" && pathname === "/health") return Response.json({ status: "ok" });
      if (request.method === "GET" && pathname === "/stats") return Response.json(stats());
      return new Response(null, { status: 404 });
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    async [Symbol.asyncDispose]() {
      await server.stop();
    },
  };
}
