import { assert, assertEquals } from "../../testing/assert.ts";
import { TokenStoreError } from "../errors.ts";
import { EXIT, exitCodeOf, InstallFailedError, UsageError } from "./exit_codes.ts";
import { osFailure } from "./os_failure.ts";

Deno.test("osFailure() makes a refused file operation exit 7, naming the command", () => {
  const errors = [
    new Deno.errors.IsADirectory(
      "Is a directory (os error 21): readfile '/h/.claude/settings.json'",
    ),
    new Error("Read-only file system (os error 30): writefile '/h/.claude/settings.json'"),
  ];
  for (const err of errors) {
    const mapped = osFailure("install", err);
    assert(mapped instanceof InstallFailedError);
    assertEquals(mapped.message, `Cannot install: ${err.message}`);
    assertEquals(exitCodeOf(mapped), EXIT.installFailed);
  }
});

Deno.test("osFailure() leaves ccgate's own errors and other errors as they are", () => {
  const errors = [
    new TokenStoreError(
      "store_failed",
      "Cannot write session.json: Permission denied (os error 13)",
    ),
    new UsageError("Invalid --url"),
    new TypeError("x is not a function"),
    "not an error",
  ];
  for (const err of errors) assertEquals(osFailure("install", err), err);
});
