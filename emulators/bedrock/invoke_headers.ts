import type { EmulatedGuardrail } from "./bedrock_emulator_types.ts";

/** The invocation options Bedrock reads from InvokeModel(WithResponseStream) headers. */
export interface InvokeHeaders {
  /** `X-Amzn-Bedrock-Service-Tier`. */
  serviceTier?: string;
  /** `X-Amzn-Bedrock-PerformanceConfig-Latency`. */
  performanceConfigLatency?: string;
  /** `X-Amzn-Bedrock-Trace`. */
  trace?: string;
  /** The guardrail named by `X-Amzn-Bedrock-GuardrailIdentifier` and `-GuardrailVersion`. */
  guardrail?: { guardrail: EmulatedGuardrail; version: string };
}

/** Result of {@linkcode readInvokeHeaders}: the options, or Bedrock's ValidationException message. */
export type InvokeHeadersResult =
  | { ok: true; headers: InvokeHeaders }
  | { ok: false; message: string };

const SERVICE_TIERS = ["priority", "default", "flex", "reserved"];
const LATENCIES = ["standard", "optimized"];
const TRACES = ["ENABLED", "DISABLED", "ENABLED_FULL"];
const GUARDRAIL_ID =
  /^(([a-z0-9]+)|(arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:guardrail\/[a-z0-9]+))$/;
const GUARDRAIL_VERSION = /^(([1-9][0-9]{0,7})|(DRAFT))$/;
const STREAM_MODES = ["sync", "async"];
/** The body field configuring the request's guardrail. */
export const GUARDRAIL_CONFIG_FIELD = "amazon-bedrock-guardrailConfig";

/**
 * Reads the invocation headers of an InvokeModel(WithResponseStream) request
 * and checks them as Bedrock does (service model constraints, worded `1
 * validation error detected: Value 'x' at 'serviceTier' failed to satisfy
 * constraint: ...`), then the guardrail rules of the API reference: an
 * identifier needs a version, `amazon-bedrock-guardrailConfig` in the body
 * needs an identifier (and is checked: `tagSuffix` a string,
 * `streamProcessingMode` `sync` or `async`), and the guardrail must exist
 * in this account at that version. Pure.
 *
 * @param headers The request headers.
 * @param body The parsed body, if it is an object.
 * @param guardrails The guardrails this account has.
 * @returns The options, or the ValidationException message.
 *
 * @example
 * ```ts
 * import { readInvokeHeaders } from "./invoke_headers.ts";
 * const r = readInvokeHeaders(new Headers({ "x-amzn-bedrock-service-tier": "fast" }), {}, []);
 * if (r.ok || !r.message.includes("at 'serviceTier'")) throw new Error("unexpected");
 * ```
 */
export function readInvokeHeaders(
  headers: Headers,
  body: Record<string, unknown> | undefined,
  guardrails: readonly EmulatedGuardrail[],
): InvokeHeadersResult {
  const problems: string[] = [];
  const get = (name: string) => headers.get(name) ?? undefined;
  const enumOf = (name: string, field: string, allowed: string[]) => {
    const v = get(name);
    if (v !== undefined && !allowed.includes(v)) {
      problems.push(
        _failed(v, field, `Member must satisfy enum value set: [${allowed.join(", ")}]`),
      );
    }
    return v;
  };
  const patterned = (name: string, field: string, pattern: RegExp) => {
    const v = get(name);
    if (v !== undefined && v !== "" && !pattern.test(v)) {
      problems.push(
        _failed(v, field, `Member must satisfy regular expression pattern: ${pattern.source}`),
      );
    }
    return v === "" ? undefined : v;
  };
  const serviceTier = enumOf("x-amzn-bedrock-service-tier", "serviceTier", SERVICE_TIERS);
  const latency = enumOf(
    "x-amzn-bedrock-performanceconfig-latency",
    "performanceConfigLatency",
    LATENCIES,
  );
  const trace = enumOf("x-amzn-bedrock-trace", "trace", TRACES);
  const id = patterned("x-amzn-bedrock-guardrailidentifier", "guardrailIdentifier", GUARDRAIL_ID);
  const version = patterned(
    "x-amzn-bedrock-guardrailversion",
    "guardrailVersion",
    GUARDRAIL_VERSION,
  );
  if (problems.length > 0) {
    const n = problems.length;
    return {
      ok: false,
      message: `${n} validation error${n === 1 ? "" : "s"} detected: ${problems.join("; ")}`,
    };
  }
  const config = body?.[GUARDRAIL_CONFIG_FIELD];
  if (id === undefined && config !== undefined) {
    return { ok: false, message: "Guardrail identifier is required when guardrailConfig is set" };
  }
  if (id !== undefined && version === undefined) {
    return { ok: false, message: "Guardrail version is required when guardrail identifier is set" };
  }
  const out: InvokeHeaders = {};
  if (serviceTier !== undefined) out.serviceTier = serviceTier;
  if (latency !== undefined) out.performanceConfigLatency = latency;
  if (trace !== undefined) out.trace = trace;
  if (id === undefined) return { ok: true, headers: out };
  if (config !== undefined) {
    const problem = _configProblem(config);
    if (problem !== undefined) return { ok: false, message: problem };
  }
  const bare = id.startsWith("arn:") ? id.slice(id.lastIndexOf("/") + 1) : id;
  const guardrail = guardrails.find((g) => g.id === bare);
  if (guardrail === undefined || !guardrail.versions.includes(version!)) {
    return {
      ok: false,
      message: "The guardrail identifier or version provided in the request does not exist.",
    };
  }
  out.guardrail = { guardrail, version: version! };
  return { ok: true, headers: out };
}

function _configProblem(config: unknown): string | undefined {
  const malformed = (p: string) =>
    `Malformed input request: #/${GUARDRAIL_CONFIG_FIELD}${p}, please reformat your input and try again.`;
  if (config === null || typeof config !== "object" || Array.isArray(config)) {
    return malformed(": expected type: JSONObject");
  }
  for (const [key, value] of Object.entries(config)) {
    if (key === "tagSuffix" && typeof value === "string") continue;
    if (key === "streamProcessingMode" && STREAM_MODES.includes(value as string)) continue;
    if (key !== "tagSuffix" && key !== "streamProcessingMode") {
      return malformed(`: extraneous key [${key}] is not permitted`);
    }
    return malformed(`/${key}: ${JSON.stringify(value)} is not a valid value`);
  }
  return undefined;
}

function _failed(value: string, field: string, constraint: string): string {
  return `Value '${value}' at '${field}' failed to satisfy constraint: ${constraint}`;
}
