/**
 * The shared adapter: PostgreSQL through Kysely and `pg`, for several Lazurite instances on one
 * database (docs/scale.md).
 *
 * - Writes never interleave: every transaction takes one transaction-scoped advisory lock
 *   first, which also makes `revision` (taken inside the lock) follow commit order.
 * - Every put and delete appends a `changes` row in its own transaction and sends a
 *   NOTIFY (delivered at commit); instances LISTEN for the wake-up and catch up by revision,
 *   also after a reconnect, so a missed notification costs nothing but a little lag.
 * - Migrations run under a session advisory lock, so instances starting together apply them once.
 * - A database that cannot be reached turns into ARM's 503 `ServiceUnavailable` (retriable,
 *   nothing applied); the pool reconnects by itself when the server is back.
 */
import { randomUUID } from "node:crypto";
import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import { ArmErrors, isArmError } from "../../model/errors.js";
import { KyselyStore, type StoreDatabase } from "../kysely-store.js";
import { migrateToLatest } from "../migrations/index.js";
import type {
  ChangeFeed,
  DeleteOptions,
  DocumentInput,
  ListPage,
  ListQuery,
  PutOptions,
  ResourceStore,
  SharedEventLog,
  StoreChange,
  StoredDocument,
  StoredEvent,
} from "../store.js";
import { parseStoredJson } from "../../model/json-depth.js";

/** Advisory lock keys (arbitrary constants, "LZRT" + n). */
const WRITE_LOCK = 0x4c5a5254_01;
const MIGRATION_LOCK = 0x4c5a5254_02;
const EVENT_LOCK = 0x4c5a5254_03;
export const NOTIFY_CHANNEL = "lazurite_changes";

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database` */
  url: string;
  /** Pool size (default 10). */
  maxConnections?: number;
  /** How long a query waits for a connection before the request gets a 503 (default 5000 ms). */
  connectTimeoutMs?: number;
  /** This instance's id in the change feed (default: a random UUID). */
  writer?: string;
}

export interface OpenedPostgresStore {
  store: ResourceStore;
  migrated: string[];
}

const UNAVAILABLE_NODE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
]);

/** Is this a "the database is not there (now)" error, as opposed to a bug or bad data? */
export function isUnavailable(e: unknown): boolean {
  if (!e || typeof e !== "object") return false;
  const code = (e as { code?: unknown }).code;
  if (typeof code === "string") {
    if (UNAVAILABLE_NODE_CODES.has(code)) return true;
    // 08: connection exception; 57P01-03: admin/crash shutdown, cannot connect now; 53300: too many connections.
    if (/^08/.test(code) || /^57P0[1-3]$/.test(code) || code === "53300") return true;
  }
  const msg = (e as { message?: unknown }).message;
  return (
    typeof msg === "string" &&
    /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended|not queryable/i.test(
      msg,
    )
  );
}

function guard(e: unknown): never {
  if (isArmError(e)) throw e;
  if (isUnavailable(e)) throw ArmErrors.storeUnavailable((e as Error).message || String(e));
  throw e;
}

/** The store view handed to callers: every database error that means "unreachable" becomes a 503. */
class GuardedStore implements ResourceStore {
  constructor(
    private readonly inner: ResourceStore,
    readonly feed?: ChangeFeed,
  ) {}
  get(key: string): Promise<StoredDocument | undefined> {
    return this.inner.get(key).catch(guard);
  }
  put(doc: DocumentInput, opts?: PutOptions): Promise<StoredDocument> {
    return this.inner.put(doc, opts).catch(guard);
  }
  delete(key: string, opts?: DeleteOptions): Promise<boolean> {
    return this.inner.delete(key, opts).catch(guard);
  }
  list(query: ListQuery): Promise<ListPage> {
    return this.inner.list(query).catch(guard);
  }
  transaction<T>(fn: (tx: ResourceStore) => Promise<T>): Promise<T> {
    return this.inner.transaction((tx) => fn(new GuardedStore(tx, this.feed))).catch(guard);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/** Redacts the password of a connection URL for messages. */
export function redactUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:/@]*):[^@]*@/, "$1:***@");
}

/**
 * LISTEN on a dedicated connection, re-established after the server goes away; every
 * (re)connect also wakes the listeners, so they catch up on what they missed.
 */
class Listener {
  private client: pg.Client | undefined;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  readonly listeners = new Set<() => void>();

  constructor(private readonly url: string) {}

  wake(): void {
    for (const l of [...this.listeners]) {
      try {
        l();
      } catch {
        this.listeners.delete(l);
      }
    }
  }

  async start(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 5000 });
    client.on("error", () => this.retry(client));
    client.on("end", () => this.retry(client));
    client.on("notification", () => this.wake());
    try {
      await client.connect();
      await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
      this.client = client;
      this.wake();
    } catch {
      this.retry(client);
    }
  }

  private retry(client: pg.Client): void {
    if (this.client === client) this.client = undefined;
    client.removeAllListeners("end");
    client.end().catch(() => undefined);
    if (this.closed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.start();
    }, 250);
    this.timer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const c = this.client;
    this.client = undefined;
    if (c) {
      c.removeAllListeners("end");
      await c.end().catch(() => undefined);
    }
  }
}

export async function openPostgresStore(opts: PostgresStoreOptions): Promise<OpenedPostgresStore> {
  const writer = opts.writer ?? randomUUID();
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.maxConnections ?? 10,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 5000,
  });
  // An idle connection the server dropped (restart) must not crash the process.
  pool.on("error", () => undefined);
  // Nor one dropped while checked out between queries (the next query fails and gets a 503).
  pool.on("connect", (client) => client.on("error", () => undefined));
  // bigint columns (revision, event id) as numbers.
  const db = new Kysely<StoreDatabase>({ dialect: new PostgresDialect({ pool }) });
  let listener: Listener | undefined;
  try {
    const migrated = await migrateUnderLock(pool, db);
    listener = new Listener(opts.url);
    const events: SharedEventLog = {
      async append(type, time, data) {
        return db
          .transaction()
          .execute(async (trx) => {
            await sql`select pg_advisory_xact_lock(${EVENT_LOCK})`.execute(trx);
            const row = await sql<{ id: string }>`insert into events (id, type, time, data)
              select coalesce(max(id), 0) + 1, ${type}, ${time}, ${JSON.stringify(data)} from events returning id`.execute(
              trx,
            );
            await sql`select pg_notify(${NOTIFY_CHANNEL}, 'e')`.execute(trx);
            return Number(row.rows[0]!.id);
          })
          .catch(guard);
      },
      async since(afterId, limit = 1000) {
        const rows = await db
          .selectFrom("events")
          .selectAll()
          .where("id", ">", afterId)
          .orderBy("id")
          .limit(limit)
          .execute()
          .catch(guard);
        return rows.map((r): StoredEvent => ({
          id: Number(r.id),
          type: r.type,
          time: r.time,
          data: parseStoredJson(r.data) as Record<string, unknown>,
        }));
      },
      async head() {
        const r = await db
          .selectFrom("events")
          .select((eb) => eb.fn.max("id").as("m"))
          .executeTakeFirst()
          .catch(guard);
        return Number(r?.m ?? 0);
      },
    };
    const l = listener;
    const feed: ChangeFeed = {
      writer,
      events,
      async head() {
        const r = await db
          .selectFrom("changes")
          .select((eb) => eb.fn.max("revision").as("m"))
          .executeTakeFirst()
          .catch(guard);
        return Number(r?.m ?? 0);
      },
      async since(revision, limit = 5000) {
        const rows = await db
          .selectFrom("changes")
          .selectAll()
          .where("revision", ">", revision)
          .orderBy("revision")
          .limit(limit)
          .execute()
          .catch(guard);
        return rows.map((r): StoreChange => ({
          revision: Number(r.revision),
          key: r.key,
          type: r.type,
          deleted: Number(r.deleted) === 1,
          writer: r.writer,
        }));
      },
      onWake(fn) {
        l.listeners.add(fn);
        return () => {
          l.listeners.delete(fn);
        };
      },
    };
    const inner = new KyselyStore(db, {
      onTransactionStart: async (trx) => {
        await sql`select pg_advisory_xact_lock(${WRITE_LOCK})`.execute(trx);
      },
      feed: {
        writer,
        afterChange: async (trx) => {
          await sql`select pg_notify(${NOTIFY_CHANNEL}, 'c')`.execute(trx);
        },
      },
      destroy: () => l.close(),
    });
    await listener.start();
    return { store: new GuardedStore(inner, feed), migrated };
  } catch (e) {
    if (listener) await listener.close();
    await db.destroy().catch(() => undefined);
    throw e;
  }
}

/** Applies pending migrations while holding a session advisory lock (several instances may start at once). */
async function migrateUnderLock(pool: pg.Pool, db: Kysely<StoreDatabase>): Promise<string[]> {
  const client = await pool.connect();
  try {
    await client.query("select pg_advisory_lock($1)", [MIGRATION_LOCK]);
    try {
      return await migrateToLatest(db);
    } finally {
      await client.query("select pg_advisory_unlock($1)", [MIGRATION_LOCK]).catch(() => undefined);
    }
  } finally {
    client.release();
  }
}
