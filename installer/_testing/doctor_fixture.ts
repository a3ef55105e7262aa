/**
 * Test helper: what the doctor tests share: the clock, a gateway on a real
 * socket, systemd's answer for a healthy schedule, a signed-in session.
 *
 * @module
 */
import { type DoctorCheck, type DoctorReport, runDoctor } from "../doctor.ts";
import { install, type InstallResult } from "../install.ts";
import type { Sys } from "../sys.ts";

export const NOW = new Date("2026-11-30T03:00:00Z");

/** A gateway on a real socket whose Date header says `serverDate`. */
export function startGateway(serverDate: Date) {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const path = new URL(req.url).pathname;
    const headers = { date: serverDate.toUTCString() };
    if (path === "/healthz" || path === "/.well-known/oauth-authorization-server") {
      return Response.json({ status: "ok" }, { headers });
    }
    if (path === "/v1/models") {
      if (req.headers.get("authorization") === "Bearer good") return Response.json({ data: [] });
      const error = { type: "authentication_error", message: "Invalid access token: revoked" };
      return Response.json({ type: "error", error }, { status: 401, headers });
    }
    return new Response("no", { status: 404, headers });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

/** `systemctl --user show` of a healthy refresh schedule. */
export const SYSTEMD_OK = [
  "Id=ccgate-refresh.service",
  "Result=success",
  "ExecMainStatus=0",
  "UnitFileState=static",
  "ExecMainExitTimestamp=Mon 2026-11-30 02:55:00 UTC",
  "",
  "Id=ccgate-refresh.timer",
  "Result=success",
  "UnitFileState=enabled",
  "ExecMainExitTimestamp=",
  "",
].join("\n");

/** A session whose access token is valid for another hour. */
export const signedIn = () => ({
  signedIn: true,
  expiresAt: new Date(NOW.getTime() + 3600_000),
  refreshable: true,
});

/** A report's checks by id. */
export const byId = (r: DoctorReport) => Object.fromEntries(r.checks.map((c) => [c.id, c]));

/** A `deno` for the launcher to start (doctor checks it is there). */
export async function fakeDeno(root: string) {
  await Deno.mkdir(`${root}/usr/bin`, { recursive: true });
  await Deno.writeTextFile(`${root}/usr/bin/deno`, "#!/bin/sh\n");
  await Deno.chmod(`${root}/usr/bin/deno`, 0o755);
}

/** The config folder of the doctor tests' user. */
export const CONFIG_DIR = "/home/dev/.config/ccgate";

/** A user-scope install run from a checkout (a launcher of `deno run main.ts`). */
export function installForDoctor(
  sys: Sys,
  options: { url?: string; mode?: "anthropic" | "bedrock"; noSchedule?: boolean } = {},
): Promise<InstallResult> {
  return install({
    url: options.url ?? "http://127.0.0.1:1",
    scope: "user",
    mode: options.mode ?? "anthropic",
    ...(options.noSchedule ? { noSchedule: true } : {}),
    configDir: CONFIG_DIR,
    self: { kind: "launcher", launcher: { deno: "/usr/bin/deno", args: ["run", "main.ts"] } },
  }, sys);
}

/** Doctor's checks by id, for the doctor tests' user signed out. */
export async function checksSignedOut(sys: Sys): Promise<Record<string, DoctorCheck>> {
  return byId(
    await runDoctor({
      sys,
      fetch,
      configDir: CONFIG_DIR,
      session: () => Promise.resolve({ signedIn: false }),
    }),
  );
}
