import { assertEquals, assertThrows } from "./testing/assert.ts";
import { ConfigError } from "./gateway/errors.ts";
import { loadServerEnv } from "./server_env.ts";

Deno.test("loadServerEnv() defaults to port 8080 and leaves the rest unset", () => {
  assertEquals(loadServerEnv({}), {
    port: 8080,
    hostname: undefined,
    kvPath: undefined,
    entraEmulatorPort: undefined,
  });
});

Deno.test("loadServerEnv() reads every setting and treats empty values as unset", () => {
  const env = loadServerEnv({
    PORT: "0",
    HOSTNAME: "0.0.0.0",
    CCGATE_KV_PATH: ":memory:",
    ENTRA_EMULATOR_PORT: "",
  });
  assertEquals(env, {
    port: 0,
    hostname: "0.0.0.0",
    kvPath: ":memory:",
    entraEmulatorPort: undefined,
  });
});

Deno.test("loadServerEnv() names a bad port", () => {
  for (const port of ["http", "-1", "65536"]) {
    assertThrows(
      () => loadServerEnv({ PORT: port }),
      ConfigError,
      "Invalid setting PORT: must be a port number",
    );
  }
});
