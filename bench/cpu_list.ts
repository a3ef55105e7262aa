/**
 * How many CPUs a `taskset -c` list names (`"0"`, `"0-2"`, `"0,2-3"`): the
 * load side's share of a level is judged against them. Pure.
 *
 * @param list A CPU list.
 * @returns The number of CPUs in it.
 *
 * @example
 * ```ts
 * import { cpuCount } from "./cpu_list.ts";
 * console.assert(cpuCount("0,2-4") === 4);
 * ```
 */
export function cpuCount(list: string): number {
  let n = 0;
  for (const part of list.split(",")) {
    const match = /^\s*(\d+)(?:-(\d+))?\s*$/.exec(part);
    if (match === null) continue;
    const from = Number(match[1]);
    n += match[2] === undefined ? 1 : Math.max(0, Number(match[2]) - from + 1);
  }
  return n;
}
