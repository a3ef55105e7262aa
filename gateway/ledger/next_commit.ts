/**
 * What waits for the usage ledger's next write-ahead commit: one promise,
 * settled when a commit is attempted (resolved when it lands, rejected with
 * the KV error when it fails), then replaced by a fresh one for the commit
 * after. A rejection nobody awaits is not an unhandled one.
 *
 * @example
 * ```ts ignore
 * const committed = new NextCommit();
 * const next = committed.promise; // a waiter
 * committed.settle(false); // the commit landed: `next` resolves
 * ```
 */
export class NextCommit {
  #deferred = _deferred();

  /** Settles with the next commit attempted: resolves when it lands, rejects when it fails. */
  get promise(): Promise<void> {
    return this.#deferred.promise;
  }

  /**
   * Settles what waits for the commit just attempted, and arms the next one.
   *
   * @param failed Whether the commit failed.
   * @param error The commit's error, to reject with.
   */
  settle(failed: boolean, error?: unknown): void {
    const settled = this.#deferred;
    this.#deferred = _deferred();
    if (failed) settled.reject(error);
    else settled.resolve();
  }
}

/** A promise with its settle functions; a rejection nobody awaits is not an unhandled one. */
function _deferred(): PromiseWithResolvers<void> {
  const deferred = Promise.withResolvers<void>();
  deferred.promise.catch(() => {});
  return deferred;
}
