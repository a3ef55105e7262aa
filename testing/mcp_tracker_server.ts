/**
 * A small MCP server over stdio (newline-delimited JSON-RPC 2.0), for the end-to-end tests that
 * give the real Claude Code MCP tools: 48 tools of an issue tracker and delivery platform
 * (create, get, list and update of 12 kinds of object), with schemas of the usual size. A call
 * answers `tracker <tool> ok: <arguments as JSON> -> id PLAT-4242`. Run it with
 * `deno run testing/mcp_tracker_server.ts`: it needs no permission.
 *
 * @module
 */
type Json = Record<string, unknown>;

const ENTITIES: Record<string, Json> = {
  issue: {
    title: { type: "string", description: "One-line summary of the issue." },
    description: { type: "string", description: "Markdown body of the issue." },
    project_key: {
      type: "string",
      description: "Key of the project, e.g. PLAT.",
      pattern: "^[A-Z][A-Z0-9]{1,9}$",
    },
    priority: {
      type: "string",
      enum: ["lowest", "low", "medium", "high", "highest"],
      description: "Priority.",
    },
    labels: { type: "array", items: { type: "string" }, description: "Labels to set." },
    assignee: { type: "string", description: "Account id or e-mail of the assignee." },
  },
  project: {
    key: { type: "string", description: "Project key (2-10 upper-case letters or digits)." },
    name: { type: "string", description: "Display name." },
    lead: { type: "string", description: "Account id of the project lead." },
    visibility: { type: "string", enum: ["private", "internal", "public"] },
  },
  sprint: {
    board_id: { type: "integer", description: "Id of the board the sprint belongs to." },
    name: { type: "string", description: "Sprint name." },
    start_date: { type: "string", format: "date-time", description: "Planned start (ISO 8601)." },
    end_date: { type: "string", format: "date-time", description: "Planned end (ISO 8601)." },
    goal: { type: "string", description: "Sprint goal." },
  },
  comment: {
    issue_key: { type: "string", description: "Key of the issue commented on, e.g. PLAT-123." },
    body: { type: "string", description: "Markdown text of the comment." },
    visibility_group: { type: "string", description: "Restrict the comment to this group." },
  },
  user: {
    email: { type: "string", format: "email", description: "E-mail address." },
    display_name: { type: "string", description: "Name shown in the UI." },
    groups: { type: "array", items: { type: "string" }, description: "Groups to add the user to." },
    active: { type: "boolean", description: "Whether the account is active." },
  },
  team: {
    name: { type: "string", description: "Team name." },
    members: { type: "array", items: { type: "string" }, description: "Account ids of members." },
    slack_channel: { type: "string", description: "Team channel, e.g. #team-platform." },
  },
  release: {
    project_key: { type: "string", description: "Key of the project." },
    version: { type: "string", description: "Semantic version, e.g. 2.4.0." },
    release_date: { type: "string", format: "date", description: "Planned release date." },
    notes: { type: "string", description: "Release notes in Markdown." },
  },
  incident: {
    title: { type: "string", description: "What is broken, in one line." },
    severity: { type: "string", enum: ["sev1", "sev2", "sev3", "sev4"], description: "Severity." },
    service: { type: "string", description: "Affected service name." },
    commander: { type: "string", description: "Incident commander's account id." },
    status: { type: "string", enum: ["investigating", "identified", "monitoring", "resolved"] },
  },
  deployment: {
    service: { type: "string", description: "Service to deploy." },
    environment: {
      type: "string",
      enum: ["dev", "staging", "production"],
      description: "Target environment.",
    },
    ref: { type: "string", description: "Git ref (branch, tag or commit) to deploy." },
    strategy: { type: "string", enum: ["rolling", "blue_green", "canary"] },
    dry_run: { type: "boolean", description: "Plan only, change nothing." },
  },
  repository: {
    name: { type: "string", description: "Repository name." },
    owner: { type: "string", description: "Organisation or user owning it." },
    default_branch: { type: "string", description: "Default branch name." },
    private: { type: "boolean" },
  },
  pull_request: {
    repository: { type: "string", description: "owner/name of the repository." },
    title: { type: "string", description: "Pull request title." },
    head: { type: "string", description: "Branch with the changes." },
    base: { type: "string", description: "Branch to merge into." },
    reviewers: { type: "array", items: { type: "string" }, description: "Reviewers to request." },
    draft: { type: "boolean" },
  },
  pipeline: {
    repository: { type: "string", description: "owner/name of the repository." },
    branch: { type: "string", description: "Branch to run the pipeline on." },
    variables: {
      type: "object",
      additionalProperties: { type: "string" },
      description: "Pipeline variables.",
    },
  },
};

function tools(): Json[] {
  const out: Json[] = [];
  for (const [entity, props] of Object.entries(ENTITIES)) {
    const label = entity.replace("_", " ");
    const id = { id: { type: "string", description: `Id or key of the ${label}.` } };
    const required = Object.keys(props).slice(0, 2);
    out.push(
      {
        name: `create_${entity}`,
        description:
          `Create a new ${label} in the tracker. Returns the created ${label} with its id and URL.`,
        inputSchema: { type: "object", properties: props, required },
      },
      {
        name: `get_${entity}`,
        description: `Fetch one ${label} by id, with all its fields, links and audit history.`,
        inputSchema: {
          type: "object",
          properties: {
            ...id,
            expand: {
              type: "array",
              items: { type: "string" },
              description: "Related objects to expand.",
            },
          },
          required: ["id"],
        },
      },
      {
        name: `list_${entity.endsWith("y") ? `${entity.slice(0, -1)}ie` : entity}s`,
        description:
          `List or search ${label}s, newest first. Supports filtering and cursor pagination.`,
        inputSchema: {
          type: "object",
          properties: {
            query: { type: "string", description: "Filter expression." },
            limit: { type: "integer", minimum: 1, maximum: 100, default: 25 },
            cursor: { type: "string", description: "Cursor from a previous page." },
          },
        },
      },
      {
        name: `update_${entity}`,
        description: `Update fields of an existing ${label}. Only the fields given change.`,
        inputSchema: { type: "object", properties: { ...id, ...props }, required: ["id"] },
      },
    );
  }
  return out;
}

const encoder = new TextEncoder();
function send(message: Json): void {
  Deno.stdout.writeSync(encoder.encode(JSON.stringify(message) + "\n"));
}

function answer(method: string, params: Json): Json {
  switch (method) {
    case "initialize":
      return {
        protocolVersion: typeof params.protocolVersion === "string"
          ? params.protocolVersion
          : "2025-06-18",
        capabilities: { tools: {} },
        serverInfo: { name: "tracker", version: "1.0.0" },
      };
    case "tools/list":
      return { tools: tools() };
    case "tools/call": {
      const name = String(params.name);
      const args = (params.arguments ?? {}) as Json;
      return {
        content: [{
          type: "text",
          text: `tracker ${name} ok: ${JSON.stringify(args)} -> id PLAT-4242`,
        }],
      };
    }
    case "ping":
      return {};
    default:
      throw new Error(`Method not found: ${method}`);
  }
}

let buffer = "";
const decoder = new TextDecoder();
for await (const chunk of Deno.stdin.readable) {
  buffer += decoder.decode(chunk, { stream: true });
  let nl;
  while ((nl = buffer.indexOf("\n")) >= 0) {
    const line = buffer.slice(0, nl).trim();
    buffer = buffer.slice(nl + 1);
    if (line === "") continue;
    const message = JSON.parse(line) as { id?: unknown; method?: string; params?: Json };
    if (message.id === undefined || message.method === undefined) continue; // notifications, responses
    try {
      send({
        jsonrpc: "2.0",
        id: message.id,
        result: answer(message.method, message.params ?? {}),
      });
    } catch (err) {
      send({
        jsonrpc: "2.0",
        id: message.id,
        error: { code: -32601, message: (err as Error).message },
      });
    }
  }
}
