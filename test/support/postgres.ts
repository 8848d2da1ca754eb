/**
 * A throwaway PostgreSQL server for tests: Debian's `postgresql` binaries (installed by
 * scripts/install-test-deps.sh), `initdb` into a temporary directory and `pg_ctl` on a random
 * port, as an unprivileged user when the tests run as root (PostgreSQL refuses root). Torn down
 * with `stop()`. Never a mock, never a server the test did not start.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const PG_ROOT = "/usr/lib/postgresql";
const OS_USER = "lzpg";

/** The directory holding `initdb`, `pg_ctl`, `postgres` (highest installed version), or undefined. */
export function postgresBinDir(): string | undefined {
  if (process.env.LAZURITE_PG_BIN) return process.env.LAZURITE_PG_BIN;
  if (!existsSync(PG_ROOT)) return undefined;
  const versions = readdirSync(PG_ROOT)
    .filter((v) => existsSync(join(PG_ROOT, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(PG_ROOT, versions[0], "bin") : undefined;
}

/** Why PostgreSQL tests cannot run here (one line), or undefined when they can. */
export function postgresUnavailable(): string | undefined {
  if (!postgresBinDir())
    return "PostgreSQL is not installed (run scripts/install-test-deps.sh, which installs Debian's postgresql package)";
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const addr = s.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

function ensureOsUser(): string | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const probe = spawnSync("id", ["-u", OS_USER]);
  if (probe.status !== 0)
    execFileSync("useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", OS_USER]);
  return OS_USER;
}

export interface TestPostgres {
  /** `postgres://lazurite@127.0.0.1:PORT/lazurite` */
  url: string;
  port: number;
  /** A URL of a fresh, empty database on this server. */
  newDatabase(): Promise<string>;
  /** Stops the server (fast shutdown); `start()` brings it back on the same port and data. */
  stopServer(): void;
  start(): void;
  /** Stops the server and removes its files. */
  stop(): void;
}

export async function startTestPostgres(): Promise<TestPostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error(postgresUnavailable());
  const user = ensureOsUser();
  const dir = mkdtempSync(join(tmpdir(), "lazurite-pg-"));
  chmodSync(dir, 0o777);
  const data = join(dir, "data");
  const sock = join(dir, "sock");
  const run = (cmd: string, args: string[]) => {
    const full = join(bin, cmd);
    const res = user
      ? spawnSync("runuser", ["-u", user, "--", full, ...args], { encoding: "utf8", cwd: dir })
      : spawnSync(full, args, { encoding: "utf8", cwd: dir });
    if (res.status !== 0) throw new Error(`${cmd} failed: ${res.stderr || res.stdout}`);
    return res.stdout;
  };
  run("initdb", ["-D", data, "-U", "lazurite", "--auth=trust", "-E", "UTF8", "--no-sync", "--locale=C"]);
  mkdirSync(sock);
  chmodSync(sock, 0o777);
  const port = await freePort();
  const opts = `-p ${port} -k ${sock} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200 -c shared_buffers=32MB`;
  const start = () =>
    run("pg_ctl", ["-D", data, "-l", join(dir, "log"), "-o", opts, "-w", "-t", "60", "start"]);
  const stopServer = () => run("pg_ctl", ["-D", data, "-m", "fast", "-w", "-t", "60", "stop"]);
  start();
  run("createdb", ["-h", sock, "-p", String(port), "-U", "lazurite", "lazurite"]);
  let n = 0;
  return {
    url: `postgres://lazurite@127.0.0.1:${port}/lazurite`,
    port,
    async newDatabase() {
      const name = `t${process.pid}_${n++}`;
      run("createdb", ["-h", sock, "-p", String(port), "-U", "lazurite", name]);
      return `postgres://lazurite@127.0.0.1:${port}/${name}`;
    },
    stopServer,
    start,
    stop() {
      try {
        stopServer();
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
