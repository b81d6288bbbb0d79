// The PostgreSQL integration suite under `deno test`, sanitizers on.
import * as corral from "@corral/deno";
import { postgresSuite } from "../suite.ts";

postgresSuite({ test: (name, fn) => Deno.test(name, fn), corral });
