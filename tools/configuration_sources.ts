/**
 * Where ccgate's settings are defined: the one list of schemas the
 * configuration reference is generated from, and the standard variables
 * ccgate honours without defining them.
 *
 * @module
 */
import { authEnvSchema } from "../auth/auth_env_schema.ts";
import { CLI_ENV } from "../client/cli/cli_env.ts";
import { gatewayEnvSchema } from "../gateway/gateway_env_schema.ts";
import { serverEnvSchema } from "../server_env.ts";
import type { StandardVariable } from "./render_configuration_reference.ts";
import { settingsOfSchema, settingsOfTable, type SettingSource } from "./setting_doc.ts";

/** Every source of settings, in the order of the reference's sections. */
export function configurationSources(): SettingSource[] {
  return [
    {
      app: "server",
      title: "Server process",
      file: "server_env.ts",
      intro:
        "Read by the server entry points: `main.ts` (gateway and auth in one process, the local default and the simplest Deno Deploy app), and `gateway/main.ts` and `auth/main.ts` when the two apps are deployed separately.",
      settings: settingsOfSchema(serverEnvSchema),
    },
    {
      app: "gateway",
      title: "Gateway",
      file: "gateway/gateway_env_schema.ts",
      intro:
        "Read by the gateway, in `main.ts` and in `gateway/main.ts`: token verification, models, Bedrock and its failover, limits.",
      settings: settingsOfSchema(gatewayEnvSchema),
    },
    {
      app: "auth",
      title: "Auth service and Entra ID",
      file: "auth/auth_env_schema.ts",
      intro:
        "Read by the auth service, in `main.ts` and in `auth/main.ts`: which Entra ID tokens are accepted (see [admins.md](admins.md#1-register-ccgate-in-entra-id) for the app registrations), and the lifetimes of ccgate tokens, sessions and signing keys. In development, with no `ENTRA_TENANT_ID`, `main.ts` and `auth/main.ts` fill the `ENTRA_*` settings from the local Entra ID emulator; production requires them.",
      settings: settingsOfSchema(authEnvSchema),
    },
    {
      app: "CLI",
      title: "The ccgate CLI",
      file: "client/cli/cli_env.ts",
      intro:
        "Read by the `ccgate` CLI on a workstation. Command-line flags take precedence over them.",
      settings: settingsOfTable(CLI_ENV),
    },
  ];
}

/** Variables ccgate honours through the runtime or its libraries. */
export const STANDARD_VARIABLES: readonly StandardVariable[] = [
  {
    names: ["AWS_REGION"],
    honouredBy: "gateway, AWS SDK",
    description:
      "Bedrock's region (also validated by the gateway, above). Required in production; with neither it nor `AWS_ENDPOINT_URL_BEDROCK_RUNTIME` set, development answers from the local Bedrock emulator.",
  },
  {
    names: ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"],
    honouredBy: "AWS SDK credential chain",
    description:
      "Static credentials, e.g. an IAM user's keys stored as Deno Deploy secrets. Prefer short-lived credentials (below).",
  },
  {
    names: ["AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_SESSION_NAME"],
    honouredBy: "AWS SDK credential chain",
    description:
      "Web identity federation to an IAM role (Kubernetes service accounts, OIDC); no long-lived key.",
  },
  {
    names: ["AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"],
    honouredBy: "AWS SDK credential chain",
    description:
      "Named profiles (SSO, `credential_process`, assumed roles) from the AWS config files.",
  },
  {
    names: ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"],
    honouredBy: "AWS SDK credential chain",
    description:
      "Task role credentials on ECS, EKS Pod Identity and other container hosts; on EC2 the instance role is used with no variable.",
  },
  {
    names: ["AWS_ENDPOINT_URL_BEDROCK_RUNTIME"],
    honouredBy: "gateway, AWS SDK",
    description:
      "Bedrock Runtime endpoint: a VPC interface endpoint, or the local emulator (also validated by the gateway, above).",
  },
  {
    names: ["DENO_KV_ACCESS_TOKEN"],
    honouredBy: "Deno",
    description:
      "Access token for a KV Connect URL in `CCGATE_KV_PATH`: how several self-hosted instances share one KV (see [admins.md](admins.md#self-hosting-with-the-dockerfile)).",
  },
  {
    names: [
      "OTEL_DENO",
      "OTEL_EXPORTER_OTLP_ENDPOINT",
      "OTEL_EXPORTER_OTLP_PROTOCOL",
      "OTEL_SERVICE_NAME",
    ],
    honouredBy: "Deno",
    description:
      "Deno's built-in OpenTelemetry: with `OTEL_DENO=true` the servers export traces (the gateway adds `verify`, `policy`, `bedrock call` and `stream` spans under each request's span), log lines and every `/metrics` series as OpenTelemetry metrics (meter `ccgate`; on Deno Deploy, where each isolate answers `/metrics` with its own counters, these are the ones that add up) to the OTLP endpoint.",
  },
  {
    names: ["NO_COLOR"],
    honouredBy: "CLI",
    description: "Any value turns off colour in the `ccgate` CLI's output.",
  },
];
