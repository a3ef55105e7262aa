import { InvalidRequestError } from "./errors.ts";

/** Top-level Messages API fields Bedrock does not have, checked by {@linkcode checkUnsupportedField}. */
export type UnsupportedField = "mcp_servers" | "inference_geo";

/**
 * Refuses a top-level field Bedrock does not have when dropping it would
 * change the answer; a value that asks for nothing may be dropped (the
 * caller notes it in `dropped`).
 *
 * - `mcp_servers` (the MCP connector beta): the connector runs on Anthropic's
 *   side and is not available on Bedrock, so the model would answer without
 *   the tools the client asked for. An empty list or `null` asks for nothing.
 * - `inference_geo` (data residency): Bedrock has no such parameter; where
 *   inference runs is set by the deployment's model ids (inference profiles)
 *   and regions, failover included, which the translation does not see.
 *   `"global"` (Anthropic's default: any geography) and `null` constrain
 *   nothing; any other value (`"us"`) is refused rather than served somewhere
 *   the client did not allow.
 *
 * @param field The field.
 * @param value Its value in the request.
 * @throws {InvalidRequestError} When the value asks for what Bedrock cannot
 * do, or is of the wrong type; the message names the field, never its value.
 *
 * @example
 * ```ts
 * import { checkUnsupportedField } from "./check_unsupported_field.ts";
 * checkUnsupportedField("inference_geo", "global"); // nothing asked: may be dropped
 * let refused = false;
 * try {
 *   checkUnsupportedField("inference_geo", "us");
 * } catch {
 *   refused = true;
 * }
 * console.assert(refused);
 * ```
 */
export function checkUnsupportedField(field: UnsupportedField, value: unknown): void {
  if (value == null) return;
  if (field === "mcp_servers") {
    if (Array.isArray(value) && value.length === 0) return;
    throw new InvalidRequestError(
      "mcp_servers: the MCP connector is Anthropic-hosted and not available on Bedrock, so these servers' tools cannot be offered to the model; connect the MCP servers in the client instead (Claude Code: claude mcp add)",
    );
  }
  if (typeof value !== "string") {
    throw new InvalidRequestError("inference_geo: Input should be a valid string");
  }
  if (value === "global") return;
  throw new InvalidRequestError(
    'inference_geo: only "global" can be honoured through this gateway: it serves Claude through Amazon Bedrock, where the region inference runs in is set by the deployment (its inference profiles and failover regions), not per request; omit inference_geo, or ask your administrator for a deployment pinned to the geography you need',
  );
}
