/**
 * Test helper: compares rendered text with a golden file in
 * `installer/testdata/`. `UPDATE_GOLDEN=1` rewrites the files instead.
 *
 * @module
 */
import { assertEquals } from "../../testing/assert.ts";

const dir = new URL("../testdata/", import.meta.url);

/** Asserts `actual` equals `testdata/<name>` (or writes it under `UPDATE_GOLDEN=1`). */
export async function assertGolden(name: string, actual: string): Promise<void> {
  const url = new URL(name, dir);
  if (Deno.env.get("UPDATE_GOLDEN") === "1") {
    await Deno.writeTextFile(url, actual);
    return;
  }
  let expected: string;
  try {
    expected = await Deno.readTextFile(url);
  } catch {
    throw new Error(`No golden file testdata/${name}: run with UPDATE_GOLDEN=1 and review it`);
  }
  assertEquals(actual, expected, `testdata/${name}`);
}
