/**
 * The environment variables the `ccgate` CLI reads, documented for the
 * configuration reference (`docs/configuration.md`). A plain table rather
 * than a zod schema: the client package has no dependencies. Every
 * `CCGATE_*` variable the CLI reads must be listed here (a test checks it).
 *
 * @module
 */

/** How one environment variable is documented. */
export interface CliEnvDoc {
  /** What it does (Markdown). */
  description: string;
  /** Valid values (Markdown). */
  accepts?: string;
  /** What applies when it is unset (Markdown). */
  defaultText?: string;
  /** An example value. */
  example?: string;
}

/** The CLI's environment variables. */
export const CLI_ENV: Readonly<Record<string, CliEnvDoc>> = {
  CCGATE_URL: {
    description:
      "The ccgate URL when `--url` is not given: the one `ccgate login` signs in to and `install` installs, and the one `status` and `doctor` check, ahead of the one signed in to. The one app's, or, with the gateway and the auth service deployed apart, either's. After a sign-in the CLI remembers the auth service's URL and the gateway's in its configuration file.",
    accepts: "URL",
    defaultText: "the URL of the last sign-in",
    example: "https://ccgate.example.com",
  },
  CCGATE_STORE: {
    description:
      "Where `ccgate login` keeps the session when `--store` is not given: the OS keychain where there is one, else a file created with mode 0600.",
    accepts:
      "one of `auto`, `file`, `macos-keychain`, `secret-service`, `windows-credential-manager`",
    defaultText: "`auto`",
    example: "file",
  },
  CCGATE_CONFIG_DIR: {
    description:
      "The folder for the CLI's configuration (and, with the `file` store, its session). Scripted installs and tests point it elsewhere.",
    accepts: "folder path",
    defaultText:
      "`%APPDATA%\\ccgate` (Windows), `~/Library/Application Support/ccgate` (macOS), `$XDG_CONFIG_HOME/ccgate` or `~/.config/ccgate`",
    example: "/tmp/ccgate-test",
  },
  CCGATE_ENTRA_AUTHORITY: {
    description:
      "Entra ID authority for `ccgate login` (`--authority`), only needed when the ccgate server does not publish its Entra settings.",
    accepts: "URL",
    defaultText: "published by the server (`/.well-known/oauth-authorization-server`)",
    example: "https://login.microsoftonline.com/11111111-1111-1111-1111-111111111111",
  },
  CCGATE_ENTRA_CLIENT_ID: {
    description:
      "Client id of the ccgate CLI's app registration (`--client-id`), only needed when the server does not publish it.",
    accepts: "application (client) id",
    defaultText: "published by the server",
    example: "33333333-3333-3333-3333-333333333333",
  },
  CCGATE_ENTRA_SCOPE: {
    description:
      "Scope the CLI requests from Entra ID (`--scope`), only needed when the server does not publish it.",
    accepts: "scope",
    defaultText: "published by the server",
    example: "api://22222222-2222-2222-2222-222222222222/access_as_user",
  },
};
