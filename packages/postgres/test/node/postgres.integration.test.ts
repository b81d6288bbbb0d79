// The PostgreSQL integration suite under vitest (Node 20 and Node 24).
import { test } from "vitest";
import * as corral from "@corral/node";
import { postgresSuite } from "../suite.ts";

postgresSuite({ test, corral });
