/**
 * Test helper: `config.json` texts that do not hold a CLI configuration, each
 * with what `loadCliConfig()`'s message says of it.
 *
 * @module
 */

/** Truncated JSON, JSON of the wrong shape, an unknown store. */
export const CORRUPT_CONFIGS: readonly [text: string, problem: string][] = [
  ['{"url": "http://ccg', "not JSON"],
  ["[]", "not a JSON object"],
  [
    '{"url": "http://ccgate.test", "store": "keyring"}',
    '"store" is "keyring", not one of file, macos-keychain, secret-service, windows-credential-manager',
  ],
];
