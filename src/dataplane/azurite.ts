/**
 * The Blob backend of the front doors: Azurite (the npm package), started by Lazurite on a
 * loopback port with every storage account of the store registered under its own name.
 * Every account's key is Azurite's well-known development key (STORAGE_ACCOUNT_KEY); an
 * account created later restarts Azurite with the longer list (its data is kept on disk).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

export const STORAGE_ACCOUNT_KEY =
  "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFr8mw==";

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => resolve(typeof a === "object" && a ? a.port : 0));
    });
  });
}

export class AzuriteBackend {
  port = 0;
  private child?: ChildProcess;
  private accounts: string[] = [];

  constructor(private readonly dir: string) {}

  has(account: string): boolean {
    return this.accounts.includes(account);
  }

  /** (Re)starts Azurite when the account list changes. */
  /** Stops an Azurite a killed earlier run left behind (its pid is kept in the data directory). */
  reapLeftover(): void {
    const file = join(this.dir, "azurite.pid");
    try {
      const pid = Number(readFileSync(file, "utf8").trim());
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      if (pid > 0 && cmd.includes("azurite") && cmd.includes(this.dir)) process.kill(pid, "SIGKILL");
    } catch {
      // none, or already gone
    }
    rmSync(file, { force: true });
  }

  async ensure(accounts: readonly string[]): Promise<void> {
    const want = [...new Set(accounts.map((a) => a.toLowerCase()))].sort();
    if (this.child && want.every((a) => this.accounts.includes(a))) return;
    await this.stop();
    this.accounts = want;
    if (want.length === 0) return;
    mkdirSync(this.dir, { recursive: true });
    const main = join(
      dirname(createRequire(import.meta.url).resolve("azurite/package.json")),
      "dist/src/blob/main.js",
    );
    this.port = await freePort();
    const child = spawn(
      process.execPath,
      [
        main,
        "--blobHost",
        "127.0.0.1",
        "--blobPort",
        String(this.port),
        "--location",
        this.dir,
        "--silent",
        "--skipApiVersionCheck",
        "--loose",
      ],
      {
        env: { ...process.env, AZURITE_ACCOUNTS: want.map((a) => `${a}:${STORAGE_ACCOUNT_KEY}`).join(";") },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    this.child = child;
    if (child.pid) writeFileSync(join(this.dir, "azurite.pid"), String(child.pid));
    await new Promise<void>((resolve, reject) => {
      let out = "";
      const onData = (d: Buffer) => {
        out += String(d);
        if (/listening/i.test(out)) resolve();
      };
      child.stdout!.on("data", onData);
      child.stderr!.on("data", (d: Buffer) => (out += String(d)));
      child.once("exit", (code) =>
        reject(new Error(`Azurite exited (${code}): ${out.trim().slice(0, 300)}`)),
      );
      setTimeout(() => resolve(), 15_000).unref();
    });
  }

  async stop(): Promise<void> {
    const c = this.child;
    this.child = undefined;
    if (!c || c.exitCode !== null) return;
    rmSync(join(this.dir, "azurite.pid"), { force: true });
    await new Promise<void>((resolve) => {
      c.once("exit", () => resolve());
      c.kill("SIGTERM");
      setTimeout(() => {
        c.kill("SIGKILL");
        resolve();
      }, 3000).unref();
    });
  }
}
