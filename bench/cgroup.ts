/**
 * A memory-limited cgroup for one benchmark process, where this machine lets
 * the harness make one (Linux, root, a writable cgroup v2 or v1 memory
 * controller): what a container runtime does with `--memory`. The only file
 * of the harness that writes under `/sys`.
 *
 * @module
 */

/** A cgroup with a memory limit (and no swap), empty until a process joins it. */
export interface MemoryCgroup extends AsyncDisposable {
  /** The file a process writes its pid to, to join (`cgroup.procs`). */
  procs: string;
  /** `v2` or `v1`. */
  version: "v2" | "v1";
  /** Processes the kernel's OOM killer ended in this cgroup so far. */
  oomKills(): Promise<number>;
}

const V2_ROOT = "/sys/fs/cgroup";
const V1_ROOT = "/sys/fs/cgroup/memory";

async function _exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

function _count(text: string, key: string): number {
  return Number(new RegExp(`^${key} (\\d+)$`, "m").exec(text)?.[1] ?? 0);
}

/**
 * Makes a cgroup limited to `limitBytes` of memory.
 *
 * @param name Folder name of the cgroup (unique per run).
 * @param limitBytes The memory limit.
 * @returns The cgroup, or why none could be made (a sentence).
 */
export async function createMemoryCgroup(
  name: string,
  limitBytes: number,
): Promise<MemoryCgroup | string> {
  if (Deno.build.os !== "linux") return "cgroups are Linux only";
  const v2 = await _exists(`${V2_ROOT}/cgroup.controllers`);
  const dir = v2 ? `${V2_ROOT}/${name}` : `${V1_ROOT}/${name}`;
  if (!v2 && !await _exists(V1_ROOT)) return "no cgroup memory controller is mounted";
  try {
    if (v2) {
      await Deno.writeTextFile(`${V2_ROOT}/cgroup.subtree_control`, "+memory").catch(() => {});
    }
    await Deno.mkdir(dir);
  } catch (err) {
    return `cannot make a cgroup under ${v2 ? V2_ROOT : V1_ROOT} (${
      err instanceof Error ? err.name : err
    }): run as root with a writable cgroup filesystem`;
  }
  const remove = async () => {
    // A cgroup is removed once its processes are gone; they may take a moment to be reaped.
    for (let i = 0; i < 50; i++) {
      try {
        await Deno.remove(dir);
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  };
  try {
    if (v2) {
      await Deno.writeTextFile(`${dir}/memory.max`, String(limitBytes));
      await Deno.writeTextFile(`${dir}/memory.swap.max`, "0").catch(() => {});
    } else {
      // memsw (memory + swap) must stay at least the memory limit: set it around the memory one.
      const memsw = `${dir}/memory.memsw.limit_in_bytes`;
      await Deno.writeTextFile(memsw, String(limitBytes)).catch(() => {});
      await Deno.writeTextFile(`${dir}/memory.limit_in_bytes`, String(limitBytes));
      await Deno.writeTextFile(memsw, String(limitBytes)).catch(() => {});
    }
  } catch (err) {
    await remove();
    return `cannot set a memory limit on ${dir} (${err instanceof Error ? err.name : err})`;
  }
  return {
    procs: `${dir}/cgroup.procs`,
    version: v2 ? "v2" : "v1",
    async oomKills() {
      const text = await Deno.readTextFile(
        v2 ? `${dir}/memory.events` : `${dir}/memory.oom_control`,
      ).catch(() => "");
      return _count(text, "oom_kill");
    },
    [Symbol.asyncDispose]: remove,
  };
}
