/**
 * The `lazurite` command. `check`, `routes` and `nsg` answer offline from a `--config` file of
 * ARM resources, or from a running server (`--server URL`; without either, the server named by
 * LAZURITE_SERVER or the local default of `lazurite serve`). `log`, `events` and `export` read a
 * running server. `serve` runs one. Every command prints `--output json|table|text`.
 */
import { writeFileSync } from "node:fs";
import { Command, Option } from "commander";
import { evaluate } from "../engine/evaluate.js";
import { effectiveRouteTable } from "../engine/routes.js";
import { effectiveNetworkSecurityGroups } from "../engine/effective-nsg.js";
import type { Decision } from "../engine/types.js";
import { isArmError } from "../model/errors.js";
import { fullType, tryParseResourceId } from "../model/resource-id.js";
import {
  callOk,
  postLro,
  readEvents,
  resolveServer,
  ServerError,
  type ServerFlags,
  type ServerTarget,
} from "./client.js";
import { InputError, loadJson, loadResources, loadServiceTags } from "./load.js";
import type { Change } from "../analysis/change.js";
import { whatIfChange, type WhatIfReport } from "../analysis/what-if.js";
import { whoCanReach, type ReachAnswer } from "../analysis/who-can-reach.js";
import { parseDestination, parsePort, parseProtocol, parseSource } from "./flow-args.js";
import {
  renderDecisionTable,
  renderDecisionText,
  renderEventLine,
  renderLog,
  renderNsg,
  renderReach,
  renderRoutes,
  renderTemplateWhatIf,
  renderWhatIf,
  type OutputFormat,
} from "./render.js";
import { registerServe } from "./serve.js";
import { registerExec } from "./exec.js";
import { registerMigrateStore } from "./migrate-store.js";
import {
  DEPLOYMENT_API_VERSION,
  loadTemplate,
  offlineControlPlane,
  parseParameters,
  resourcesWithTemplate,
  whatIfTemplate,
  type TemplateFlags,
} from "./template.js";
import { importResources, progressBar, renderImport } from "./import.js";
import { DEFAULT_TENANCY } from "../arm/arm.js";
import { Snapshot } from "../engine/snapshot.js";

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

const defaultIo: Io = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
};

/** The api-version the CLI sends for ARM calls (effective routes and NSGs). */
export const CLI_NETWORK_API_VERSION = "2019-06-01";

function json(v: unknown): string {
  return JSON.stringify(v, null, 2) + "\n";
}

function requireNic(snap: Snapshot, nicId: string): void {
  if (!snap.nic(nicId)) throw new InputError(`--nic ${nicId}: no such network interface in the config`);
}

function outputOption(): Option {
  return new Option("--output <format>", "output format").choices(["json", "table", "text"]).default("json");
}

/** `--server`, `--ca`, `--token`: where a running server is and how to talk to it. */
function withServer(cmd: Command): Command {
  return cmd
    .option(
      "--server [url]",
      "a running Lazurite server (default: $LAZURITE_SERVER, else https://localhost:$LAZURITE_PORT or 8443)",
    )
    .option(
      "--ca <file>",
      "CA certificate to trust (default: $LAZURITE_CA, else <data dir>/tls/ca.pem of the local default server)",
    )
    .option(
      "--token <token>",
      "bearer token to send (default: $LAZURITE_TOKEN; any token in open mode). A strict-mode server's admin key is sent from $LAZURITE_ADMIN_KEY, else from <data dir>/admin-key of the local default server when the server is on loopback",
    );
}

interface CommonOpts extends ServerFlags, TemplateFlags {
  config?: string;
  serviceTags?: string;
  output: OutputFormat;
}

/** `--template FILE [--parameters ...]` and the scope it deploys into (offline commands). */
function withTemplate(cmd: Command): Command {
  return cmd
    .option(
      "--template <file>",
      "ARM template to evaluate and decide as if deployed (offline; on top of --config if given)",
    )
    .option(
      "--parameters <items...>",
      "with --template: parameter files (FILE or @FILE) and NAME=VALUE pairs",
    )
    .option(
      "--resource-group <name>",
      "with --template: the resource group it deploys into (default: the config's, else lazurite-template)",
    )
    .option(
      "--subscription <id>",
      "with --template: the subscription (default: the config's, else Lazurite's default)",
    )
    .option(
      "--location <loc>",
      "with --template: the resource group's location when it is new (default westus)",
    );
}

/** The snapshot of an offline command: the --config resources, with the --template deployed on top. */
async function offlineSnapshot(opts: CommonOpts): Promise<Snapshot> {
  const tags = loadServiceTags(opts.serviceTags);
  const config = opts.config !== undefined ? loadResources(opts.config) : [];
  if (opts.template === undefined) return new Snapshot(config, { serviceTags: tags });
  return new Snapshot(await resourcesWithTemplate(config, tags, opts), { serviceTags: tags });
}

/** Offline (`--config`) or server mode; refuses both at once and offline-only flags against a server. */
function modeOf(opts: CommonOpts): "offline" | "server" {
  if (opts.config !== undefined && opts.server !== undefined)
    throw new InputError("use either --config FILE (offline) or --server URL, not both");
  if (opts.template !== undefined && opts.server !== undefined)
    throw new InputError(
      "--template is evaluated offline: use it with --config FILE or alone, not with --server",
    );
  if (opts.template === undefined && (opts.parameters !== undefined || opts.resourceGroup !== undefined))
    throw new InputError("--parameters and --resource-group go with --template FILE");
  if (opts.config !== undefined || opts.template !== undefined) return "offline";
  if (opts.serviceTags !== undefined)
    throw new InputError(
      "--service-tags applies to --config (offline) only: a server decides with the catalog it was started with",
    );
  return "server";
}

/** The ARM path of an action on a NIC (`…/networkInterfaces/nic0/effectiveRouteTable`). */
function nicActionPath(nicId: string, action: string): string {
  const id = tryParseResourceId(nicId);
  if (!id || fullType(id).toLowerCase() !== "microsoft.network/networkinterfaces") {
    throw new InputError(`--nic ${nicId}: not a network interface resource id`);
  }
  const path = id.text
    .split("/")
    .map((s) => encodeURIComponent(s))
    .join("/");
  return `${path}/${action}?api-version=${CLI_NETWORK_API_VERSION}`;
}

function noOffline(opts: { config?: string }, what: string): void {
  if (opts.config !== undefined)
    throw new InputError(
      `${what} reads a running server; it has no offline (--config) mode. Use --server URL.`,
    );
}

export function buildProgram(
  io: Io = defaultIo,
  setExit: (code: number) => void = () => {},
  env: NodeJS.ProcessEnv = process.env,
): Command {
  const program = new Command();
  program
    .name("lazurite")
    .description(
      "Azure virtual networking with service endpoints, offline: decide and explain every flow, from a config file or a running server.",
    )
    .showHelpAfterError()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride();

  const server = (opts: ServerFlags): ServerTarget => resolveServer(opts, env);

  withServer(
    withTemplate(program.command("check"))
      .description(
        "Decide one flow the way Azure would and explain it (exit 0 when allowed, 1 when denied, 2 on bad input).",
      )
      .option(
        "--config <file>",
        'JSON file of ARM resources (an array, or {"value": [...]}); without it, ask a running server',
      )
      .option(
        "--service-tags <file>",
        "with --config: Microsoft's ServiceTags_Public_*.json (default: the built-in synthetic catalog)",
      )
      .requiredOption(
        "--from <source>",
        "NIC or VM resource id, onprem:<IP>@<circuit-or-local-gateway-id>, or internet:<IP>",
      )
      .requiredOption(
        "--to <dest>",
        "service resource id (optionally #blob, #dfs, ...), host name, or IP address",
      )
      .option("--port <n>", "destination port (default: the service's usual port)")
      .option("--protocol <p>", "Tcp or Udp", "Tcp")
      .addOption(outputOption()),
  ).action(async (opts: CommonOpts & { from: string; to: string; port?: string; protocol?: string }) => {
    let d: Decision;
    if (modeOf(opts) === "offline") {
      const snap = await offlineSnapshot(opts);
      const port = parsePort(opts.port);
      const protocol = parseProtocol(opts.protocol);
      d = evaluate(snap, {
        source: parseSource(opts.from),
        destination: parseDestination(opts.to),
        ...(port !== undefined ? { port } : {}),
        ...(protocol ? { protocol } : {}),
      });
    } else {
      // Same parsing as offline, so bad input fails the same way before any request.
      parseSource(opts.from);
      parseDestination(opts.to);
      parsePort(opts.port);
      parseProtocol(opts.protocol);
      d = await callOk(server(opts), "POST", "/_emulator/check", {
        from: opts.from,
        to: opts.to,
        ...(opts.port !== undefined ? { port: opts.port } : {}),
        ...(opts.protocol !== undefined ? { protocol: opts.protocol } : {}),
      });
    }
    io.out(
      opts.output === "text"
        ? renderDecisionText(d, opts.from, opts.to)
        : opts.output === "table"
          ? renderDecisionTable(d)
          : json(d),
    );
    setExit(d.decision === "Allowed" ? 0 : 1);
  });

  withServer(
    withTemplate(program.command("routes"))
      .description("Print a NIC's effective routes in Azure's effectiveRouteTable shape.")
      .option(
        "--config <file>",
        "JSON file of ARM resources; without it, ask a running server (POST …/effectiveRouteTable)",
      )
      .option("--service-tags <file>", "with --config: Microsoft's ServiceTags_Public_*.json")
      .requiredOption("--nic <id>", "network interface resource id")
      .addOption(outputOption()),
  ).action(async (opts: CommonOpts & { nic: string }) => {
    let body: ReturnType<typeof effectiveRouteTable>;
    if (modeOf(opts) === "offline") {
      const snap = await offlineSnapshot(opts);
      requireNic(snap, opts.nic);
      body = effectiveRouteTable(snap, opts.nic);
    } else {
      body = await postLro(server(opts), nicActionPath(opts.nic, "effectiveRouteTable"));
    }
    io.out(opts.output === "json" ? json(body) : renderRoutes(body, opts.output));
  });

  withServer(
    withTemplate(program.command("nsg"))
      .description(
        "Print the effective security rules of a NIC in Azure's effectiveNetworkSecurityGroups shape.",
      )
      .option(
        "--config <file>",
        "JSON file of ARM resources; without it, ask a running server (POST …/effectiveNetworkSecurityGroups)",
      )
      .option("--service-tags <file>", "with --config: Microsoft's ServiceTags_Public_*.json")
      .requiredOption("--nic <id>", "network interface resource id")
      .addOption(outputOption()),
  ).action(async (opts: CommonOpts & { nic: string }) => {
    let body: ReturnType<typeof effectiveNetworkSecurityGroups>;
    if (modeOf(opts) === "offline") {
      const snap = await offlineSnapshot(opts);
      requireNic(snap, opts.nic);
      body = effectiveNetworkSecurityGroups(snap, opts.nic);
    } else {
      body = await postLro(server(opts), nicActionPath(opts.nic, "effectiveNetworkSecurityGroups"));
    }
    io.out(opts.output === "json" ? json(body) : renderNsg(body, opts.output));
  });

  withServer(
    program
      .command("log")
      .description("Print a service resource's request log from a running server, newest first (SE-DIAG-1).")
      .argument("<resource>", "service resource id (storage account, SQL server, key vault, ...)")
      .option("--top <n>", "at most this many entries")
      .option("--config <file>", "(not supported: the request log lives in a running server)")
      .addOption(outputOption()),
  ).action(async (resource: string, opts: CommonOpts & { top?: string }) => {
    noOffline(opts, "log");
    if (!tryParseResourceId(resource)) throw new InputError(`${resource}: not a resource id`);
    if (opts.top !== undefined && (!/^\d+$/.test(opts.top) || Number(opts.top) < 1))
      throw new InputError(`--top ${opts.top}: expected a positive integer`);
    const q = new URLSearchParams({ resourceId: resource, ...(opts.top ? { $top: opts.top } : {}) });
    const body = await callOk(server(opts), "GET", `/_emulator/requests?${q}`);
    io.out(opts.output === "json" ? json(body) : renderLog(body.value, opts.output));
  });

  withServer(
    program
      .command("events")
      .description(
        "Follow a running server's events: resource changes, logged requests, connections opened, closed and reset (SE-CFG-6).",
      )
      .option("--count <n>", "stop after this many events (default: follow until interrupted)")
      .option("--since <id>", "first replay the buffered events after this event id (0 = all buffered)")
      .option(
        "--types <list>",
        "comma-separated: resource, request, connectionOpened, connectionClosed, connectionReset",
      )
      .option("--config <file>", "(not supported: events come from a running server)")
      .addOption(outputOption()),
  ).action(async (opts: CommonOpts & { count?: string; since?: string; types?: string }) => {
    noOffline(opts, "events");
    if (opts.count !== undefined && (!/^\d+$/.test(opts.count) || Number(opts.count) < 1))
      throw new InputError(`--count ${opts.count}: expected a positive integer`);
    if (opts.since !== undefined && !/^\d+$/.test(opts.since))
      throw new InputError(`--since ${opts.since}: expected an event id`);
    const limit = opts.count !== undefined ? Number(opts.count) : Infinity;
    const q = new URLSearchParams({
      ...(opts.types ? { types: opts.types } : {}),
      ...(opts.since !== undefined ? { since: opts.since } : {}),
    });
    let seen = 0;
    await readEvents(server(opts), `/_emulator/events${q.size > 0 ? `?${q}` : ""}`, {}, (e) => {
      let data: Record<string, unknown>;
      try {
        data = JSON.parse(e.data);
      } catch {
        return true;
      }
      io.out(opts.output === "json" ? JSON.stringify(data) + "\n" : renderEventLine(data, opts.output));
      seen += 1;
      return seen < limit;
    });
  });

  withServer(
    program
      .command("export")
      .description(
        "Write a running server's resources as a --config file, to analyse a live setup offline or share it.",
      )
      .option("--out <file>", "write to this file (default: standard output)")
      .option("--template", "write a resource group as a deployable ARM template (ARM's exportTemplate)")
      .option("--resource-group <name>", "with --template: the resource group to export")
      .option("--subscription <id>", "with --template: its subscription (default: Lazurite's default)"),
  ).action(
    async (
      opts: ServerFlags & { out?: string; template?: boolean; resourceGroup?: string; subscription?: string },
    ) => {
      if (opts.template) {
        if (opts.resourceGroup === undefined)
          throw new InputError("export --template needs --resource-group NAME");
        const sub = opts.subscription ?? DEFAULT_TENANCY.subscriptionId;
        const res = await callOk(
          server(opts),
          "POST",
          `/subscriptions/${encodeURIComponent(sub)}/resourcegroups/${encodeURIComponent(opts.resourceGroup)}/exportTemplate?api-version=2021-04-01`,
          { resources: ["*"] },
        );
        const text = json(res.template);
        if (opts.out) {
          try {
            writeFileSync(opts.out, text);
          } catch (e) {
            throw new InputError(`--out ${opts.out}: ${(e as Error).message}`);
          }
          io.err(`lazurite: wrote a template of ${res.template.resources.length} resources to ${opts.out}\n`);
        } else io.out(text);
        return;
      }
      if (opts.resourceGroup !== undefined) throw new InputError("--resource-group goes with --template");
      const body = await callOk(server(opts), "GET", "/_emulator/resources");
      const text = json({ value: body.value });
      if (opts.out) {
        try {
          writeFileSync(opts.out, text);
        } catch (e) {
          throw new InputError(`--out ${opts.out}: ${(e as Error).message}`);
        }
        io.err(`lazurite: wrote ${body.value.length} resources to ${opts.out}\n`);
      } else io.out(text);
    },
  );

  withServer(
    withTemplate(program.command("who-can-reach"))
      .description(
        "Ask every network interface the same question: who can reach a destination, what it sees, and the fix for each denial.",
      )
      .option("--config <file>", "JSON file of ARM resources; without it, ask a running server")
      .option("--service-tags <file>", "with --config: Microsoft's ServiceTags_Public_*.json")
      .requiredOption(
        "--to <dest>",
        "service resource id (optionally #blob, #dfs, ...), host name, or IP address",
      )
      .option("--port <n>", "destination port (default: the service's usual port)")
      .option("--protocol <p>", "Tcp or Udp")
      .addOption(outputOption()),
  ).action(async (opts: CommonOpts & { to: string; port?: string; protocol?: string }) => {
    let answer: ReachAnswer;
    const destination = parseDestination(opts.to);
    const port = parsePort(opts.port);
    const protocol = parseProtocol(opts.protocol);
    if (modeOf(opts) === "offline") {
      answer = whoCanReach(await offlineSnapshot(opts), destination, {
        ...(port !== undefined ? { port } : {}),
        ...(protocol ? { protocol } : {}),
      });
    } else {
      answer = await callOk(server(opts), "POST", "/_emulator/who-can-reach", {
        to: opts.to,
        ...(opts.port !== undefined ? { port: opts.port } : {}),
        ...(opts.protocol !== undefined ? { protocol: opts.protocol } : {}),
      });
    }
    io.out(opts.output === "json" ? json(answer) : renderReach(answer, opts.to, opts.output));
  });

  withServer(
    withTemplate(program.command("what-if"))
      .description(
        "What a write or a deployment would break, before it is applied: resource changes (ARM what-if with --template), lost service endpoints (a PUT replaces the whole object), and every flow whose decision changes (exit 0 when nothing breaks, 1 when a flow that works now would be denied, 2 on bad input).",
      )
      .option("--config <file>", "JSON file of ARM resources; without it, ask a running server")
      .option("--service-tags <file>", "with --config: Microsoft's ServiceTags_Public_*.json")
      .option("--put <id>", "the resource id the write PUTs (with --body)")
      .option("--body <file>", "JSON file: the PUT's request body, as the client would send it")
      .option("--delete <id>", "the resource id the write DELETEs")
      .addOption(new Option("--output <format>", "output format").choices(["json", "text"]).default("json")),
  ).action(async (opts: CommonOpts & { put?: string; body?: string; delete?: string }) => {
    if (opts.template !== undefined) return templateWhatIf(opts);
    if ((opts.put === undefined) === (opts.delete === undefined))
      throw new InputError(
        "name one write: --put ID --body FILE, or --delete ID (or a deployment: --template FILE)",
      );
    if (opts.put !== undefined && opts.body === undefined) throw new InputError("--put needs --body FILE");
    if (opts.delete !== undefined && opts.body !== undefined)
      throw new InputError("--body goes with --put, not --delete");
    const change: Change =
      opts.put !== undefined
        ? { kind: "put", id: opts.put, body: loadJson(opts.body!, "--body") }
        : { kind: "delete", id: opts.delete! };
    let report: WhatIfReport;
    if (modeOf(opts) === "offline") {
      report = whatIfChange(loadResources(opts.config!), change, loadServiceTags(opts.serviceTags));
    } else {
      report = await callOk(server(opts), "POST", "/_emulator/what-if", {
        method: change.kind === "put" ? "PUT" : "DELETE",
        id: change.id,
        ...(change.kind === "put" ? { body: change.body } : {}),
      });
    }
    io.out(
      opts.output === "text"
        ? renderWhatIf(report, `${change.kind === "put" ? "PUT" : "DELETE"} ${change.id}`)
        : json(report),
    );
    setExit(report.broken > 0 ? 1 : 0);
  });

  /** `what-if --template`: ARM's what-if of a deployment, offline (--config) or on a server. */
  async function templateWhatIf(opts: CommonOpts & { put?: string; delete?: string }): Promise<void> {
    if (opts.put !== undefined || opts.delete !== undefined)
      throw new InputError("--template is a deployment: do not combine it with --put or --delete");
    if (opts.resourceGroup === undefined)
      throw new InputError("what-if --template needs --resource-group NAME");
    if (opts.config !== undefined && opts.server !== undefined)
      throw new InputError("use either --config FILE (offline) or --server URL, not both");
    const template = loadTemplate(opts.template!);
    const parameters = parseParameters(template, opts.parameters);
    let result: any;
    if (opts.config !== undefined) {
      const tags = loadServiceTags(opts.serviceTags);
      const cp = await offlineControlPlane(loadResources(opts.config), tags, opts);
      try {
        result = await whatIfTemplate(cp, template, parameters);
      } finally {
        await cp.close();
      }
    } else {
      const sub = opts.subscription ?? DEFAULT_TENANCY.subscriptionId;
      const path = `/subscriptions/${encodeURIComponent(sub)}/resourcegroups/${encodeURIComponent(opts.resourceGroup)}/providers/Microsoft.Resources/deployments/lazurite-what-if/whatIf?api-version=${DEPLOYMENT_API_VERSION}`;
      result = await postLro(server(opts), path, {
        properties: { mode: "Incremental", template, parameters },
      });
    }
    const diagnostics: Array<{ level: string; code: string; target: string; message: string }> =
      result?.properties?.diagnostics ?? [];
    io.out(opts.output === "text" ? renderTemplateWhatIf(result) : json(result));
    setExit(diagnostics.some((d) => d.code === "FlowDenied") ? 1 : 0);
  }

  withServer(
    program
      .command("import")
      .description(
        "Load a --config file (or `az resource list` output) into a running server: resource groups first, then every resource after those it names; prints what was created and what was refused (exit 1 when something was refused).",
      )
      .argument("<file>", 'JSON file of ARM resources (an array, or {"value": [...]})')
      .addOption(outputOption()),
  ).action(async (file: string, opts: CommonOpts) => {
    const resources = loadResources(file);
    const report = await importResources(server(opts), resources, (done, total) => {
      if (process.stderr.isTTY) io.err(progressBar(done, total));
    });
    if (process.stderr.isTTY) io.err("\n");
    io.out(opts.output === "json" ? json(report) : renderImport(report));
    setExit(report.refused.length > 0 ? 1 : 0);
  });

  registerServe(program);
  registerExec(program, withServer, setExit, env);
  registerMigrateStore(program, io.out);
  return program;
}

/** Runs the CLI; returns the exit code. */
export async function main(
  argv: string[],
  io: Io = defaultIo,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  let code = 0;
  const program = buildProgram(
    io,
    (c) => {
      code = c;
    },
    env,
  );
  try {
    await program.parseAsync(argv);
    return code;
  } catch (e) {
    if (
      e &&
      typeof e === "object" &&
      "exitCode" in e &&
      typeof (e as { exitCode: unknown }).exitCode === "number"
    ) {
      const ce = e as { exitCode: number; code?: string };
      if (
        ce.code === "commander.helpDisplayed" ||
        ce.code === "commander.version" ||
        ce.code === "commander.help"
      )
        return 0;
      return ce.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof InputError) {
      io.err(`lazurite: ${e.message}\n`);
      return 2;
    }
    if (e instanceof ServerError) {
      io.err(
        `lazurite: ${e.code.startsWith("E") || e.code === "Unreachable" ? "" : `(${e.code}) `}${e.message}\n`,
      );
      return 2;
    }
    if (isArmError(e)) {
      io.err(`lazurite: (${e.code}) ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
