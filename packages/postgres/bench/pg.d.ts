// The little of `pg` (node-postgres; the package ships no types) that the
// select benchmark uses: pg-pool.
declare module "pg" {
  interface PoolConfig {
    host?: string;
    port?: number;
    database?: string;
    user?: string;
    password?: string;
    max?: number;
  }
  class Pool {
    constructor(config?: PoolConfig);
    query(text: string): Promise<{ rows: unknown[] }>;
    end(): Promise<void>;
  }
  const pg: { Pool: typeof Pool };
  export default pg;
}
