/**
 * Runs the Bedrock Runtime emulator until interrupted and prints its URL.
 *
 * ```sh
 * deno run --allow-net --allow-env emulators/bedrock/main.ts [--port 4010] [--hostname 127.0.0.1] [--quiet]
 * ```
 *
 * The port comes from `--port`, else `BEDROCK_EMULATOR_PORT`, else 0 (any free port). Point
 * the AWS SDK at it with `endpoint` or `AWS_ENDPOINT_URL_BEDROCK_RUNTIME=<url>`.
 *
 * @module
 */

import { startBedrockEmulator } from "./bedrock_emulator.ts";

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i >= 0) return args[i + 1];
  return args.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
}

if (import.meta.main) {
  const args = Deno.args;
  const portText = flag(args, "--port") ?? Deno.env.get("BEDROCK_EMULATOR_PORT") ?? "0";
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`Cannot start: port "${portText}" is not a port number`);
    Deno.exit(2);
  }
  const quiet = args.includes("--quiet");
  const emulator = await startBedrockEmulator({
    port,
    hostname: flag(args, "--hostname") ?? "127.0.0.1",
    auth: { bearer: true },
    log: quiet ? undefined : (line) => console.error(line),
  });
  console.log(emulator.url);
  if (!quiet) {
    console.error(
      `Bedrock Runtime emulator (not AWS) listening on ${emulator.url}; ` +
        `set AWS_ENDPOINT_URL_BEDROCK_RUNTIME=${emulator.url}`,
    );
  }
  const stop = async () => {
    await emulator.close();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", stop);
  if (Deno.build.os !== "windows") Deno.addSignalListener("SIGTERM", stop);
}
