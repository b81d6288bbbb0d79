// The embedded default: with no DATABASE_URL, PostgreSQL is PGlite (Postgres
// compiled to WebAssembly) served on a local socket, so the same driver code
// runs against it as against a real server. Entered on the exit stack first,
// it is closed last. (The same file as apps/worker/src/embedded.ts: apps do not
// import each other.)
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

export interface EmbeddedPostgres extends AsyncDisposable {
  url: string;
}

export async function startEmbeddedPostgres(): Promise<EmbeddedPostgres> {
  const db = await PGlite.create();
  const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0, maxConnections: 16 });
  try {
    await server.start();
  } catch (error) {
    await db.close();
    throw error;
  }
  return {
    url: `postgres://postgres@${server.getServerConn()}/postgres`,
    async [Symbol.asyncDispose]() {
      try {
        await server.stop();
      } finally {
        await db.close();
      }
    },
  };
}
