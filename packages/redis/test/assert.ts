// The conformance package's runner-free assertions, as named imports
// (assertion functions need explicitly typed bindings).
import { assert } from "@corral/conformance";

export const ok: typeof assert.ok = assert.ok;
export const equal: typeof assert.equal = assert.equal;
export const deepEqual: typeof assert.deepEqual = assert.deepEqual;
export const throws: typeof assert.throws = assert.throws;
export const rejects: typeof assert.rejects = assert.rejects;
