import type { LiveAliases } from "../model_options.ts";
import type { PolicyFile } from "./policy_file.ts";

/**
 * The policy file's model names as aliases in `region`, kept current across
 * reloads: a model added to the catalogue can be asked for by its name as
 * soon as the file is re-read, without a restart.
 *
 * @param file The policy file.
 * @param region The region whose Bedrock ids the names map to (the primary one).
 * @returns The aliases, `current` replaced on every reload.
 *
 * @example
 * ```ts ignore
 * const aliases = followPolicyAliases(policyFile, "us-east-1");
 * createApp({ ...deps, policyAliases: aliases });
 * ```
 */
export function followPolicyAliases(file: PolicyFile, region: string): LiveAliases {
  const live = { current: file.current.aliases(region) };
  file.onReload((policy) => {
    live.current = policy.aliases(region);
  });
  return live;
}
