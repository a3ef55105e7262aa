import { closedPort } from "./closed_port.ts";
import type { GatewayStackOptions } from "./gateway_stack.ts";

/**
 * Options of a gateway stack whose first region, `eu-west-1`, refuses
 * connections (a closed port) and whose second is the emulated `us-east-1`:
 * two attempts without backoff, so every call fails over once.
 *
 * @returns The stack's `regions` and `env`.
 *
 * @example
 * ```ts ignore
 * await using stack = await startGatewayStack(unreachableRegionFirst());
 * ```
 */
export function unreachableRegionFirst(): Pick<GatewayStackOptions, "regions" | "env"> {
  return {
    regions: [{ region: "eu-west-1", endpoint: `http://127.0.0.1:${closedPort()}` }],
    env: {
      CCGATE_BEDROCK_REGIONS: "eu-west-1,us-east-1",
      CCGATE_RETRY_MAX_ATTEMPTS: "2",
      CCGATE_RETRY_BASE_MS: "0",
    },
  };
}
