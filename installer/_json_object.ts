import type { JsonObject } from "./settings_merge.ts";

/** Parses UTF-8 bytes as a JSON object; `undefined` when they are not one (bad JSON, an array, null, a scalar). */
export function parseJsonObject(bytes: Uint8Array): JsonObject | undefined {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return undefined;
  }
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? value as JsonObject
    : undefined;
}
