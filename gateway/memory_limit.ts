/**
 * How much memory this process may use: the container's cgroup limit (v2
 * `memory.max`, v1 `memory.limit_in_bytes`, the process's own cgroup first),
 * else the platform's (Deno Deploy's 512 MB per isolate), else the machine's
 * memory. The gateway sizes its memory budget for requests in flight from it
 * (see `memory_budget.ts`), so that it sheds load with 529 before the
 * kernel's OOM killer ends every stream at once.
 *
 * @module
 */

/** Where the limit was found. */
export type MemoryLimitSource = "setting" | "cgroup" | "platform" | "machine";

/** A memory limit and where it came from. */
export interface MemoryLimit {
  /** Bytes. */
  bytes: number;
  /**
   * `setting` (`CCGATE_MEMORY_LIMIT_MB`), `cgroup` (the container's), `platform`
   * (what the platform publishes, e.g. Deno Deploy's 512 MB) or `machine` (total memory).
   */
  source: MemoryLimitSource;
}

/** What {@linkcode detectMemoryLimit} reads: files, and the machine's memory. */
export interface MemoryLimitDeps {
  /** Reads a text file; rejects when it is missing or unreadable. */
  readTextFile(path: string): Promise<string>;
  /** Total memory of the machine, bytes; absent or `undefined` when unknown (Deno Deploy). */
  totalMemory?: () => number | undefined;
}

/** Deno Deploy's memory limit per application isolate (its documented 512 MB). */
export const DENO_DEPLOY_MEMORY_BYTES = 512 * 1024 * 1024;

/** cgroup v1 and v2 write a number this large (or `max`) for "no limit". */
const UNLIMITED = 2 ** 60;

/**
 * The limit in a cgroup memory file (`memory.max` or `memory.limit_in_bytes`),
 * or `undefined` for no limit (`max`, or v1's page-rounded 2^63) or a text
 * that is not a number.
 *
 * @param text The file's content.
 * @returns Bytes, or `undefined`.
 *
 * @example
 * ```ts
 * import { parseCgroupMemoryLimit } from "./memory_limit.ts";
 * console.assert(parseCgroupMemoryLimit("536870912\n") === 536870912);
 * console.assert(parseCgroupMemoryLimit("max\n") === undefined);
 * ```
 */
export function parseCgroupMemoryLimit(text: string): number | undefined {
  const value = text.trim();
  if (!/^\d+$/.test(value)) return undefined;
  const bytes = Number(value);
  return bytes > 0 && bytes < UNLIMITED ? bytes : undefined;
}

/**
 * The cgroup files that may hold this process's memory limit, most specific
 * first: under the process's own cgroup path (from `/proc/self/cgroup`), then
 * at the mount's root, which is the container's own cgroup when the runtime
 * mounts it there (Docker, Kubernetes). v2 (`0::/path`) and v1 (`N:memory:/path`).
 *
 * @param procSelfCgroup The content of `/proc/self/cgroup`.
 * @returns Absolute paths, without duplicates.
 *
 * @example
 * ```ts
 * import { cgroupMemoryFiles } from "./memory_limit.ts";
 * const files = cgroupMemoryFiles("0::/kubepods/pod1/c1\n");
 * console.assert(files[0] === "/sys/fs/cgroup/kubepods/pod1/c1/memory.max");
 * console.assert(files.includes("/sys/fs/cgroup/memory.max"));
 * ```
 */
export function cgroupMemoryFiles(procSelfCgroup: string): string[] {
  const files: string[] = [];
  for (const line of procSelfCgroup.split("\n")) {
    const [, controllers, path] = /^\d+:([^:]*):(\/.*)$/.exec(line.trim()) ?? [];
    if (path === undefined) continue;
    const own = path === "/" ? "" : path;
    if (controllers === "") {
      files.push(`/sys/fs/cgroup${own}/memory.max`, "/sys/fs/cgroup/memory.max");
    } else if (controllers!.split(",").includes("memory")) {
      files.push(
        `/sys/fs/cgroup/memory${own}/memory.limit_in_bytes`,
        "/sys/fs/cgroup/memory/memory.limit_in_bytes",
      );
    }
  }
  return [...new Set(files)];
}

/**
 * Finds the memory limit of this process: the smallest cgroup limit among
 * {@linkcode cgroupMemoryFiles}, else the machine's total memory, else
 * `undefined`. Never throws: a file it cannot read counts as no limit.
 *
 * @param deps File reader and the machine's memory.
 * @returns The limit, or `undefined` when none is known.
 *
 * @example
 * ```ts
 * import { detectMemoryLimit } from "./memory_limit.ts";
 * const files: Record<string, string> = {
 *   "/proc/self/cgroup": "0::/\n",
 *   "/sys/fs/cgroup/memory.max": "1073741824\n",
 * };
 * const limit = await detectMemoryLimit({
 *   readTextFile: async (path) => files[path] ?? Promise.reject(new Error("missing")),
 * });
 * console.assert(limit?.bytes === 1073741824 && limit.source === "cgroup");
 * ```
 */
export async function detectMemoryLimit(deps: MemoryLimitDeps): Promise<MemoryLimit | undefined> {
  const read = (path: string) => deps.readTextFile(path).catch(() => undefined);
  const cgroup = await read("/proc/self/cgroup");
  let smallest: number | undefined;
  for (const file of cgroup === undefined ? [] : cgroupMemoryFiles(cgroup)) {
    const text = await read(file);
    const bytes = text === undefined ? undefined : parseCgroupMemoryLimit(text);
    if (bytes !== undefined && (smallest === undefined || bytes < smallest)) smallest = bytes;
  }
  if (smallest !== undefined) return { bytes: smallest, source: "cgroup" };
  let total: number | undefined;
  try {
    total = deps.totalMemory?.();
  } catch {
    total = undefined;
  }
  return total !== undefined && total > 0 ? { bytes: total, source: "machine" } : undefined;
}

/**
 * The memory limit to plan for: `settingMb` when set (`0`: none, no budget),
 * else a cgroup's limit, else `platformBytes` when given (a platform that
 * runs many processes on one machine and publishes a limit per process, as
 * Deno Deploy does), else the machine's memory.
 *
 * @param settingMb `CCGATE_MEMORY_LIMIT_MB`, in MiB.
 * @param deps File reader and the machine's memory, for detection.
 * @param platformBytes The platform's published limit, if any.
 * @returns The limit, or `undefined` for none.
 *
 * @example
 * ```ts
 * import { memoryLimitFrom } from "./memory_limit.ts";
 * const deps = { readTextFile: () => Promise.reject(new Error("no cgroup")) };
 * console.assert((await memoryLimitFrom(512, deps))?.bytes === 512 * 1024 * 1024);
 * console.assert((await memoryLimitFrom(0, deps)) === undefined);
 * ```
 */
export async function memoryLimitFrom(
  settingMb: number | undefined,
  deps: MemoryLimitDeps,
  platformBytes?: number,
): Promise<MemoryLimit | undefined> {
  if (settingMb === 0) return undefined;
  if (settingMb !== undefined) return { bytes: settingMb * 1024 * 1024, source: "setting" };
  if (platformBytes === undefined) return await detectMemoryLimit(deps);
  const cgroup = await detectMemoryLimit({ readTextFile: deps.readTextFile });
  return cgroup ?? { bytes: platformBytes, source: "platform" };
}

/**
 * This machine, read for real: files with `Deno.readTextFile`, total memory
 * from `Deno.systemMemoryInfo()` (undefined where it is not permitted).
 */
export const systemMemoryLimitDeps: MemoryLimitDeps = Object.freeze({
  readTextFile: (path: string) => Deno.readTextFile(path),
  totalMemory: () => Deno.systemMemoryInfo().total,
});
