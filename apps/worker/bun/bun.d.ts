// The part of Bun's API this shell uses, declared as bun-types 1.4.4 declares
// it (Bun.env, Bun.stdout, Bun.write, Bun.serve), so that tsc type-checks the
// shell without @types/bun installed. With @types/bun as a devDependency,
// delete this file and add "bun" to "types" in tsconfig.json.
declare namespace Bun {
  interface Env {
    NODE_ENV?: string;
    TZ?: string;
  }
  const env: Env & NodeJS.ProcessEnv;

  interface BunFile extends Blob {
    readonly name?: string | undefined;
  }
  const stdout: BunFile;
  function write(destination: BunFile, input: Blob | ArrayBufferLike | string): Promise<number>;

  interface Server extends Disposable {
    readonly port: number | undefined;
    readonly hostname: string | undefined;
    stop(closeActiveConnections?: boolean): Promise<void>;
  }
  namespace Serve {
    interface Options {
      hostname?: string;
      port?: string | number;
      fetch(this: Server, request: Request, server: Server): Response | Promise<Response>;
    }
  }
  function serve(options: Serve.Options): Server;
}
