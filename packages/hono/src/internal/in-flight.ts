// The requests a middleware has in flight, and the waits for them to end.
// A counter and a list of waiters: the hot path (enter/leave) touches one
// number, and only a drain ever allocates.

import { clearCountedTimeout, countedTimeout } from "@corral/core";

export class InFlight {
  /** Requests that entered and have not left. */
  count = 0;
  /** Resolvers of `idle()` waits, called once `count` reaches zero. */
  #waiters: (() => void)[] = [];

  enter(): void {
    this.count++;
  }

  leave(): void {
    if (--this.count === 0 && this.#waiters.length > 0) {
      const waiters = this.#waiters;
      this.#waiters = [];
      for (const wake of waiters) wake();
    }
  }

  /** Resolves `true` once nothing is in flight, or `false` after `ms` (`Infinity`: no bound). */
  idle(ms: number): Promise<boolean> {
    if (this.count === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = ms === Infinity ? undefined : countedTimeout(() => {
        const at = this.#waiters.indexOf(wake);
        if (at >= 0) this.#waiters.splice(at, 1);
        resolve(false);
      }, ms);
      const wake = () => {
        clearCountedTimeout(timer);
        resolve(true);
      };
      this.#waiters.push(wake);
    });
  }
}
