// The PostgreSQL integration suite under `bun test`.
import { test } from "bun:test";
import * as corral from "@corral/bun";
import { postgresSuite } from "../suite.ts";

postgresSuite({ test: (name, fn) => test(name, fn, 60_000), corral });
