import type { Handler } from "hono";

/** One readiness check: resolves with a short detail, or throws with the reason. */
export interface ReadinessCheck {
  /** Short name shown in the report (`config`, `kv`, `bedrock`). */
  name: string;
  /** Performs the check. */
  check: () => Promise<string>;
}

/**
 * `GET /readyz`: runs every check concurrently; 200 when all pass, 503 with
 * each failure's reason otherwise.
 */
export function readyzRoute(checks: ReadinessCheck[]): Handler {
  return async function readyz(c) {
    const results = await Promise.all(checks.map(async ({ name, check }) => {
      try {
        return { name, ok: true, detail: await check() };
      } catch (err) {
        return { name, ok: false, detail: err instanceof Error ? err.message : String(err) };
      }
    }));
    const ok = results.every((r) => r.ok);
    return c.json({ status: ok ? "ready" : "not_ready", checks: results }, ok ? 200 : 503);
  };
}
