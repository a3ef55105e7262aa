/** The signed-in user the emulator issues tokens for. */
export interface EntraUser {
  /** Object id: the stable user id. */
  oid: string;
  /** Display name. */
  name: string;
  /** Sign-in name (UPN-like). */
  preferred_username: string;
  /** App roles assigned on the API app. */
  roles: string[];
  /** Group object ids. */
  groups: string[];
}

/** The default dev user. */
export const DEFAULT_DEV_USER: EntraUser = {
  oid: "00000000-0000-4000-8000-0000000de7e1",
  name: "Dev User",
  preferred_username: "dev.user@ccgate.local",
  roles: ["ccgate.user", "ccgate.admin"],
  groups: [],
};

/** Microsoft Graph's application id: the `aud` of Graph tokens. */
export const GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";
