/**
 * `lazurite exec VM [--server URL] -- CMD ARGS…`: runs a program as if on a VM of a server
 * started with `--data-plane`: inside the VM's network namespace (its private addresses, Azure's
 * DNS address as resolver), with Lazurite's CA trusted by Node, Python and OpenSSL clients. The
 * program's exit code is passed through.
 */
import { spawn } from "node:child_process";
import type { Command } from "commander";
import { callOk, resolveServer, ServerError, type ServerFlags } from "./client.js";
import { InputError } from "./load.js";

interface DataPlaneInfo {
  caFile: string;
  storageAccountKey: string;
  vms: Array<{ id: string; name: string; namespace: string; addresses: string[] }>;
}

export function registerExec(
  program: Command,
  withServer: (c: Command) => Command,
  setExit: (code: number) => void,
  env: NodeJS.ProcessEnv,
): void {
  withServer(
    program
      .command("exec")
      .description(
        "Run a command as if on a VM of a server started with --data-plane: in the VM's network namespace, with its DNS and Lazurite's CA trusted (exit code passed through).",
      )
      .argument("<vm>", "the VM's name or resource id")
      .argument("<command...>", "the command and its arguments (after --)"),
  ).action(async (vm: string, command: string[], opts: ServerFlags) => {
    const target = resolveServer(opts, env);
    let info: DataPlaneInfo;
    try {
      info = (await callOk(target, "GET", "/_emulator/dataplane")) as DataPlaneInfo;
    } catch (e) {
      if (e instanceof ServerError && e.status === 404)
        throw new InputError(
          `${target.url} has no data plane: start it with \`lazurite serve --data-plane\` (as root or with CAP_NET_ADMIN).`,
        );
      throw e;
    }
    const k = vm.toLowerCase();
    const found = info.vms.filter((v) => v.id.toLowerCase() === k || v.name.toLowerCase() === k);
    if (found.length === 0)
      throw new InputError(
        `VM ${vm} has no namespace on ${target.url}; VMs with one: ${info.vms.map((v) => v.name).join(", ") || "(none)"}.`,
      );
    if (found.length > 1)
      throw new InputError(`VM name ${vm} is ambiguous on ${target.url}: give its resource id.`);
    const [cmd, ...args] = command;
    const child = spawn("ip", ["netns", "exec", found[0]!.namespace, cmd!, ...args], {
      stdio: "inherit",
      env: {
        ...env,
        NODE_EXTRA_CA_CERTS: info.caFile,
        REQUESTS_CA_BUNDLE: info.caFile,
        SSL_CERT_FILE: info.caFile,
        CURL_CA_BUNDLE: info.caFile,
        LAZURITE_VM: found[0]!.id,
        LAZURITE_STORAGE_KEY: info.storageAccountKey,
      },
    });
    const code = await new Promise<number>((resolve) => {
      child.once("error", (e) => {
        process.stderr.write(`lazurite: exec: ${e.message}\n`);
        resolve(127);
      });
      child.once("exit", (c, signal) => resolve(c ?? (signal ? 128 + 9 : 1)));
    });
    setExit(code);
  });
}
