/**
 * The `lazurite` command. Offline commands read a `--config` file of ARM resources;
 * `serve` runs the ARM-compatible server.
 */
import { Command, Option } from "commander";
import { evaluate } from "../engine/evaluate.js";
import { effectiveRouteTable } from "../engine/routes.js";
import { effectiveNetworkSecurityGroups } from "../engine/effective-nsg.js";
import { isArmError } from "../model/errors.js";
import { InputError, loadSnapshot } from "./load.js";
import { parseDestination, parsePort, parseProtocol, parseSource } from "./flow-args.js";
import { renderDecisionText, renderTable } from "./render.js";
import { registerServe } from "./serve.js";
import type { Snapshot } from "../engine/snapshot.js";

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

const defaultIo: Io = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
};

function json(v: unknown): string {
  return JSON.stringify(v, null, 2) + "\n";
}

function requireNic(snap: Snapshot, nicId: string): void {
  if (!snap.nic(nicId)) throw new InputError(`--nic ${nicId}: no such network interface in the config`);
}

export function buildProgram(io: Io = defaultIo, setExit: (code: number) => void = () => {}): Command {
  const program = new Command();
  program
    .name("lazurite")
    .description("Offline Azure virtual networking with service endpoints: decide and explain every flow.")
    .showHelpAfterError()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride();

  program
    .command("check")
    .description(
      "Decide one flow the way Azure would and explain it (exit 0 when allowed, 1 when denied, 2 on bad input).",
    )
    .requiredOption("--config <file>", "JSON file of ARM resources (an array, or {\"value\": [...]})")
    .option("--service-tags <file>", "Microsoft's ServiceTags_Public_*.json (default: the built-in synthetic catalog)")
    .requiredOption(
      "--from <source>",
      "NIC or VM resource id, onprem:<IP>@<circuit-or-local-gateway-id>, or internet:<IP>",
    )
    .requiredOption("--to <dest>", "service resource id (optionally #blob, #dfs, ...), host name, or IP address")
    .option("--port <n>", "destination port (default: the service's usual port)")
    .option("--protocol <p>", "Tcp or Udp", "Tcp")
    .addOption(new Option("--output <format>", "output format").choices(["json", "text"]).default("json"))
    .action((opts) => {
      const snap = loadSnapshot(opts.config, opts.serviceTags);
      const port = parsePort(opts.port);
      const protocol = parseProtocol(opts.protocol);
      const d = evaluate(snap, {
        source: parseSource(opts.from),
        destination: parseDestination(opts.to),
        ...(port !== undefined ? { port } : {}),
        ...(protocol ? { protocol } : {}),
      });
      io.out(opts.output === "text" ? renderDecisionText(d, opts.from, opts.to) : json(d));
      setExit(d.decision === "Allowed" ? 0 : 1);
    });

  program
    .command("routes")
    .description("Print a NIC's effective routes in Azure's effectiveRouteTable shape.")
    .requiredOption("--config <file>", "JSON file of ARM resources")
    .option("--service-tags <file>", "Microsoft's ServiceTags_Public_*.json")
    .requiredOption("--nic <id>", "network interface resource id")
    .addOption(new Option("--output <format>", "output format").choices(["json", "table"]).default("json"))
    .action((opts) => {
      const snap = loadSnapshot(opts.config, opts.serviceTags);
      requireNic(snap, opts.nic);
      const body = effectiveRouteTable(snap, opts.nic);
      if (opts.output === "table") {
        io.out(
          renderTable(
            ["Source", "State", "Address Prefix", "Next Hop Type", "Next Hop IP"],
            body.value.map((r) => [
              r.source,
              r.state,
              r.addressPrefix.length > 3 ? `${r.addressPrefix.slice(0, 3).join(" ")} (+${r.addressPrefix.length - 3})` : r.addressPrefix.join(" "),
              r.nextHopType,
              r.nextHopIpAddress.join(" "),
            ]),
          ),
        );
      } else io.out(json(body));
    });

  program
    .command("nsg")
    .description("Print the effective security rules of a NIC in Azure's effectiveNetworkSecurityGroups shape.")
    .requiredOption("--config <file>", "JSON file of ARM resources")
    .option("--service-tags <file>", "Microsoft's ServiceTags_Public_*.json")
    .requiredOption("--nic <id>", "network interface resource id")
    .addOption(new Option("--output <format>", "output format").choices(["json", "table"]).default("json"))
    .action((opts) => {
      const snap = loadSnapshot(opts.config, opts.serviceTags);
      requireNic(snap, opts.nic);
      const body = effectiveNetworkSecurityGroups(snap, opts.nic);
      if (opts.output === "table") {
        const rows: string[][] = [];
        for (const g of body.value) {
          for (const r of g.effectiveSecurityRules) {
            rows.push([
              g.networkSecurityGroup.id.split("/").pop() ?? "",
              r.name,
              String(r.priority),
              r.direction,
              r.access,
              r.protocol,
              r.sourceAddressPrefix ?? (r.sourceAddressPrefixes ?? []).join(","),
              r.destinationAddressPrefix ?? (r.destinationAddressPrefixes ?? []).join(","),
              r.destinationPortRange ?? (r.destinationPortRanges ?? []).join(","),
            ]);
          }
        }
        io.out(renderTable(["NSG", "Name", "Priority", "Direction", "Access", "Protocol", "Source", "Destination", "Ports"], rows));
      } else io.out(json(body));
    });

  registerServe(program);
  return program;
}

/** Runs the CLI; returns the exit code. */
export async function main(argv: string[], io: Io = defaultIo): Promise<number> {
  let code = 0;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv);
    return code;
  } catch (e) {
    if (e && typeof e === "object" && "exitCode" in e && typeof (e as { exitCode: unknown }).exitCode === "number") {
      const ce = e as { exitCode: number; code?: string };
      if (ce.code === "commander.helpDisplayed" || ce.code === "commander.version" || ce.code === "commander.help") return 0;
      return ce.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof InputError) {
      io.err(`lazurite: ${e.message}\n`);
      return 2;
    }
    if (isArmError(e)) {
      io.err(`lazurite: (${e.code}) ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
