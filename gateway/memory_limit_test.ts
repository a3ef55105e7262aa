import { assertEquals } from "../testing/assert.ts";
import {
  cgroupMemoryFiles,
  detectMemoryLimit,
  type MemoryLimitDeps,
  memoryLimitFrom,
  parseCgroupMemoryLimit,
} from "./memory_limit.ts";

const MIB = 1024 * 1024;

/** A machine made of the given files (anything else is missing) and total memory. */
function machine(files: Record<string, string>, totalMemory?: () => number | undefined) {
  const read: string[] = [];
  const deps: MemoryLimitDeps = {
    readTextFile: (path) => {
      read.push(path);
      return path in files ? Promise.resolve(files[path]!) : Promise.reject(new Error("NotFound"));
    },
    totalMemory,
  };
  return { deps, read };
}

Deno.test("parseCgroupMemoryLimit() reads a byte count, and max or 2^63 as no limit", () => {
  assertEquals(parseCgroupMemoryLimit("536870912\n"), 512 * MIB);
  assertEquals(parseCgroupMemoryLimit("max\n"), undefined, "cgroup v2, no limit");
  assertEquals(parseCgroupMemoryLimit("9223372036854771712\n"), undefined, "cgroup v1, no limit");
  assertEquals(parseCgroupMemoryLimit("0"), undefined);
  assertEquals(parseCgroupMemoryLimit("lots"), undefined);
  assertEquals(parseCgroupMemoryLimit(""), undefined);
});

Deno.test("cgroupMemoryFiles() names the process's own cgroup first, then the mount's root", () => {
  assertEquals(cgroupMemoryFiles("0::/kubepods/burstable/pod1/c1\n"), [
    "/sys/fs/cgroup/kubepods/burstable/pod1/c1/memory.max",
    "/sys/fs/cgroup/memory.max",
  ]);
  assertEquals(cgroupMemoryFiles("0::/\n"), ["/sys/fs/cgroup/memory.max"], "a cgroup namespace");
  // cgroup v1 (or hybrid): only the line of the memory controller counts for v1.
  assertEquals(
    cgroupMemoryFiles("12:pids:/docker/abc\n4:cpu,memory:/docker/abc\n0::/\n"),
    [
      "/sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes",
      "/sys/fs/cgroup/memory/memory.limit_in_bytes",
      "/sys/fs/cgroup/memory.max",
    ],
  );
  assertEquals(cgroupMemoryFiles("not a cgroup file"), []);
});

Deno.test("detectMemoryLimit() takes the smallest cgroup limit, v2", async () => {
  const { deps } = machine({
    "/proc/self/cgroup": "0::/pod/c1\n",
    "/sys/fs/cgroup/pod/c1/memory.max": "max\n",
    "/sys/fs/cgroup/memory.max": "1073741824\n",
  }, () => 64 * 1024 * MIB);
  assertEquals(await detectMemoryLimit(deps), { bytes: 1024 * MIB, source: "cgroup" });
});

Deno.test("detectMemoryLimit() reads cgroup v1 under the process's own path", async () => {
  const { deps } = machine({
    "/proc/self/cgroup": "4:memory:/ccgate\n",
    "/sys/fs/cgroup/memory/ccgate/memory.limit_in_bytes": "536870912\n",
    "/sys/fs/cgroup/memory/memory.limit_in_bytes": "9223372036854771712\n",
  });
  assertEquals(await detectMemoryLimit(deps), { bytes: 512 * MIB, source: "cgroup" });
});

Deno.test("detectMemoryLimit() falls back to the machine's memory when no cgroup sets a limit", async () => {
  const { deps, read } = machine({
    "/proc/self/cgroup": "0::/\n",
    "/sys/fs/cgroup/memory.max": "max\n",
  }, () => 8 * 1024 * MIB);
  assertEquals(await detectMemoryLimit(deps), { bytes: 8 * 1024 * MIB, source: "machine" });
  assertEquals(read, ["/proc/self/cgroup", "/sys/fs/cgroup/memory.max"]);
});

Deno.test("detectMemoryLimit() finds none where it can read nothing (Deno Deploy)", async () => {
  assertEquals(await detectMemoryLimit(machine({}).deps), undefined);
  const throwing = machine({}, () => {
    throw new Error("NotCapable: requires sys access");
  });
  assertEquals(await detectMemoryLimit(throwing.deps), undefined, "never throws");
});

Deno.test("memoryLimitFrom() prefers the setting, and 0 turns the budget off", async () => {
  const { deps, read } = machine({
    "/proc/self/cgroup": "0::/\n",
    "/sys/fs/cgroup/memory.max": "1073741824\n",
  });
  assertEquals(await memoryLimitFrom(2048, deps), { bytes: 2048 * MIB, source: "setting" });
  assertEquals(await memoryLimitFrom(0, deps), undefined);
  assertEquals(read, [], "a setting reads no file");
  assertEquals(await memoryLimitFrom(undefined, deps), { bytes: 1024 * MIB, source: "cgroup" });
});

Deno.test("memoryLimitFrom() takes a platform's published limit over the shared machine's memory", async () => {
  const deploy = machine({}, () => 256 * 1024 * MIB);
  assertEquals(await memoryLimitFrom(undefined, deploy.deps, 512 * MIB), {
    bytes: 512 * MIB,
    source: "platform",
  });
  const limited = machine({
    "/proc/self/cgroup": "0::/\n",
    "/sys/fs/cgroup/memory.max": "300000000",
  });
  assertEquals(
    await memoryLimitFrom(undefined, limited.deps, 512 * MIB),
    { bytes: 300_000_000, source: "cgroup" },
    "a cgroup, where one shows, still wins",
  );
});
