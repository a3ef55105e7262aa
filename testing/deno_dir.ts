/**
 * The module cache of this process, for a child process given a new HOME
 * (which would otherwise start an empty cache and download every module).
 *
 * @returns `DENO_DIR`, or where Deno puts its cache by default.
 */
export function denoDir(): string {
  const explicit = Deno.env.get("DENO_DIR");
  if (explicit) return explicit;
  const xdg = Deno.env.get("XDG_CACHE_HOME");
  if (xdg) return `${xdg}/deno`;
  return Deno.build.os === "darwin"
    ? `${Deno.env.get("HOME")}/Library/Caches/deno`
    : `${Deno.env.get("HOME")}/.cache/deno`;
}
