/**
 * `lazurite serve`: the ARM-compatible control plane over HTTPS (what `npm start` runs with
 * --demo). Options mirror src/config/config.ts (flags win over LAZURITE_* variables).
 */
import type { Command } from "commander";
import { ConfigError, loadConfig, type ConfigFlags } from "../config/config.js";
import { startServer } from "../main.js";
import { InputError } from "./load.js";

export function registerServe(program: Command): void {
  program
    .command("serve")
    .description(
      "Run the ARM-compatible control plane over HTTPS (prints the URL and what to paste into the SDKs).",
    )
    .option("--port <n>", "port to listen on (0 = any free port)", undefined)
    .option("--host <host>", "interface to listen on", undefined)
    .option("--data-dir <dir>", "where the database and the generated certificates live (default .lazurite)")
    .option("--cert <pem>", "server certificate (PEM); with --key, instead of the generated local CA")
    .option("--key <pem>", "server private key (PEM)")
    .option(
      "--service-tags <file>",
      "Microsoft's ServiceTags_Public_*.json (default: the built-in synthetic catalog)",
    )
    .option("--demo", "load the quickstart network when the store is empty")
    .option("--lro-polls <n>", "status polls an operation answers InProgress before Succeeded (default 1)")
    .option("--lro-max-ms <n>", "an operation completes by itself after this many ms (default 1000)")
    .option("--page-size <n>", "items per page of list answers (default 100)")
    .option("--log-level <level>", "fatal|error|warn|info|debug|trace|silent (default warn)")
    .option(
      "--auth <mode>",
      "open (default: any token acts as Owner) | strict (signed tokens from the built-in token endpoint, RBAC enforced; the /_emulator admin API needs the admin key generated into <data dir>/admin-key)",
    )
    .option(
      "--public-url <url>",
      "base of every absolute URL handed out (LRO status, nextLink, discovery) when behind a proxy; default https://localhost:PORT",
    )
    .option(
      "--store <url>",
      "where resources live: sqlite:PATH (default sqlite:<data dir>/lazurite.db) or postgres://user:password@host:5432/db to share one estate between instances (docs/scale.md); default $LAZURITE_STORE",
    )
    .option(
      "--data-plane [mode]",
      "enforce for real: netns (default) builds a network namespace per VM, DNS and TLS front doors that decide every connection with the engine (root or CAP_NET_ADMIN; docs/data-plane.md)",
    )
    .action(async (opts: ConfigFlags) => {
      try {
        const config = loadConfig(opts);
        await startServer(config, { handleSignals: true });
      } catch (e) {
        // Problems the user can fix (bad flags, port in use, unreadable files) exit 2 with one line.
        const code = (e as { code?: unknown }).code;
        if (
          e instanceof ConfigError ||
          code === "EADDRINUSE" ||
          code === "EACCES" ||
          code === "ENOENT" ||
          code === "EDATAPLANE" ||
          /--service-tags/.test(String((e as Error).message))
        ) {
          throw new InputError(`serve: ${(e as Error).message}`);
        }
        throw e;
      }
    });
}
