/**
 * What every scenario gets: the running processes, the requests, the
 * emulator's timing control and where to pin the load generator.
 *
 * @module
 */
import type { Fixtures, TargetRequests } from "./fixtures.ts";
import type { BenchOptions } from "./options.ts";
import type { MeasuredRow } from "./report.ts";
import type { ServerProcess } from "./servers.ts";
import type { EmulatorTiming } from "./servers/emulator_server.ts";

/** The emulator process's ready line. */
export interface EmulatorInfo {
  url: string;
  controlUrl: string;
  pid: number;
}

/** The bare proxy's ready line. */
export interface ProxyInfo {
  url: string;
  pid: number;
}

/** The gateway's ready line. */
export interface GatewayInfo {
  url: string;
  token: string;
  pid: number;
}

/** The servers a scenario measures. */
export interface BenchServers {
  emulator: ServerProcess<EmulatorInfo>;
  proxy: ServerProcess<ProxyInfo>;
  gateway: ServerProcess<GatewayInfo>;
  /**
   * The floor for a gateway that must read the request: parse, serialise
   * again, call InvokeModel through ccgate's SDK client, nothing else
   * (servers/sdk_floor_server.ts). S1 and S2 measure it beside the proxy.
   */
  floor: ServerProcess<ProxyInfo>;
  /** The `BENCH_MEMORY_FILE` of the proxy and the gateway (see servers/memory_probe.ts). */
  memoryFiles: { proxy: string; gateway: string };
}

/** Everything a scenario needs. */
export interface BenchContext {
  options: BenchOptions;
  /** The servers (absent when only start-up and helper scenarios run). */
  servers?: BenchServers;
  fixtures: Fixtures;
  /** The same request for the emulator, the proxy, the SDK floor and the gateway. */
  requests(stream: boolean): TargetRequests;
  /** Changes the emulator's answer timing. */
  setTiming(timing: Partial<EmulatorTiming>): Promise<void>;
  /**
   * Resolves once the emulator has received at least `count` requests since
   * the last `setTiming`, with how many it has; rejects when `signal` aborts.
   */
  whenReceived(count: number, signal?: AbortSignal): Promise<number>;
  /** CPUs of the load generator (and the emulator), when pinned. */
  loadCpus?: string;
  /** How many CPUs `loadCpus` names. */
  loadCpuCount?: number;
  /** CPUs of the server under test, when pinned. */
  serverCpus?: string;
  /** Prints a progress line on stderr. */
  progress(line: string): void;
}

/** What a scenario returns: its table rows and the raw figures for the JSON report. */
export interface ScenarioResult {
  rows: MeasuredRow[];
  details: Record<string, unknown>;
}

/** The servers, or an error saying the scenario needs them. */
export function serversOf(context: BenchContext): BenchServers {
  if (context.servers === undefined) {
    throw new Error("Cannot run the scenario: servers not started");
  }
  return context.servers;
}
