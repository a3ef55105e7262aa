/**
 * Describes the machine the benchmark runs on (from /proc on Linux).
 *
 * @module
 */
import type { MachineInfo } from "./report.ts";

/** Reads CPU model, core count, memory, OS and Deno version. */
export async function readMachine(): Promise<MachineInfo> {
  const read = (path: string) => Deno.readTextFile(path).catch(() => "");
  const cpuinfo = await read("/proc/cpuinfo");
  const meminfo = await read("/proc/meminfo");
  const cpu = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? Deno.build.arch;
  const memKiB = Number(/^MemTotal:\s+(\d+)/m.exec(meminfo)?.[1] ?? 0);
  return {
    cpu,
    cores: navigator.hardwareConcurrency,
    memoryMiB: Math.round(memKiB / 1024),
    os: `${Deno.build.os} ${Deno.osRelease()}`,
    deno: `deno ${Deno.version.deno} (V8 ${Deno.version.v8})`,
  };
}
