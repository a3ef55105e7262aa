/**
 * A cost as far as it is known: `null` when requests were counted and every
 * one of them is unpriced (an unknown cost, which 0 would misstate as free),
 * else the priced requests' cost (0 for no requests). Pure.
 *
 * @param pricedUsd The priced requests' cost, US dollars.
 * @param counts How many requests, and how many of them unpriced.
 * @returns The cost, or `null`.
 *
 * @example
 * ```ts
 * import { knownCost } from "./known_cost.ts";
 * console.assert(knownCost(0, { requests: 2, unpriced: 2 }) === null);
 * console.assert(knownCost(0.5, { requests: 3, unpriced: 2 }) === 0.5);
 * console.assert(knownCost(0, { requests: 0, unpriced: 0 }) === 0);
 * ```
 */
export function knownCost(
  pricedUsd: number,
  counts: { requests: number; unpriced: number },
): number | null {
  return counts.requests > 0 && counts.unpriced >= counts.requests ? null : pricedUsd;
}
