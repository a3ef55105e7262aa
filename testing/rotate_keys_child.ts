/**
 * The auth service's key rotation in its own process, for the tests of
 * several instances on one KV file: opens the signing keys in the KV file
 * `path` (rereading the ring on every use), prints `ready`, waits for a line
 * on stdin (so every child starts together), rotates `count` times as fast as
 * it can, and prints one JSON line: the kids it saw as current after each
 * rotation and a token it signed last.
 *
 * `deno run --allow-all testing/rotate_keys_child.ts <kv path> <count>`
 *
 * @module
 */
import { openSigningKeys } from "../auth/signing_keys.ts";
import { openKvOrFail } from "../gateway/open_kv_or_fail.ts";

const [path, countArg] = Deno.args;
const kv = await openKvOrFail(path, {
  fromSetting: true,
  fail: (message) => {
    throw new Error(message);
  },
});
const keys = await openSigningKeys(kv, { reloadIntervalMs: 0 });
console.log("ready");
await Deno.stdin.readable.getReader().read();
const current: string[] = [];
for (let i = 0; i < Number(countArg); i++) {
  await keys.rotate();
  current.push((await keys.jwks()).keys[0]!.kid!);
}
console.log(JSON.stringify({ current, token: await keys.sign({ sub: "rotation" }) }));
kv.close();
