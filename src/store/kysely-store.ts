/**
 * ResourceStore over any Kysely dialect (Kysely's "one interface, many dialects" pattern).
 * The SQLite adapter wraps it; a PostgreSQL adapter needs only its dialect and a way to
 * serialise transactions.
 */
import { sql, type Kysely, type Transaction } from "kysely";
import { ArmErrors } from "../model/errors.js";
import {
  toStored,
  type DeleteOptions,
  type DocumentInput,
  type ListPage,
  type ListQuery,
  type PutOptions,
  type ResourceStore,
  type StoredDocument,
} from "./store.js";
import { parseStoredJson } from "../model/json-depth.js";

export interface ResourcesTable {
  key: string;
  id: string;
  type: string;
  subscription_id: string | null;
  resource_group: string | null;
  parent: string | null;
  etag: string;
  body: string;
}

export interface ChangesTable {
  revision: number;
  key: string;
  type: string;
  /** 1 when the change deleted the document. */
  deleted: number;
  /** The instance that made the change. */
  writer: string;
}

export interface EventsTable {
  id: number;
  type: string;
  time: string;
  data: string;
}

export interface StoreDatabase {
  resources: ResourcesTable;
  changes: ChangesTable;
  events: EventsTable;
}

export interface KyselyStoreOptions {
  /** Runs first inside every transaction (e.g. an advisory lock on PostgreSQL). */
  onTransactionStart?: (trx: Transaction<StoreDatabase>) => Promise<void>;
  /** Closes the underlying database. */
  destroy?: () => Promise<void>;
  /**
   * Change feed: every put and delete also appends a `changes` row with the next `revision`,
   * in the same transaction (so every write runs in one), written by this instance id.
   */
  feed?: {
    writer: string;
    /** Runs inside the transaction after a change row was written (e.g. `pg_notify`). */
    afterChange?: (trx: Transaction<StoreDatabase>) => Promise<void>;
  };
}

function fromRow(r: ResourcesTable): StoredDocument {
  return {
    key: r.key,
    id: r.id,
    type: r.type,
    subscriptionId: r.subscription_id,
    resourceGroup: r.resource_group,
    parent: r.parent,
    etag: r.etag,
    body: parseStoredJson(r.body),
  };
}

/** Upper bound of the keys starting with `prefix` (a range scan needs no LIKE escaping). */
function prefixEnd(prefix: string): string {
  return prefix + "\uffff";
}

export class KyselyStore implements ResourceStore {
  constructor(
    private readonly db: Kysely<StoreDatabase>,
    private readonly opts: KyselyStoreOptions = {},
    private readonly inTransaction = false,
    private readonly trx?: Transaction<StoreDatabase>,
  ) {}

  /** Appends the change row of a write (feed mode, inside the write's transaction). */
  private async recordChange(key: string, type: string, deleted: boolean): Promise<void> {
    const feed = this.opts.feed;
    if (!feed || !this.trx) return;
    await sql`insert into changes (revision, key, type, deleted, writer)
      select coalesce(max(revision), 0) + 1, ${key}, ${type}, ${deleted ? 1 : 0}, ${feed.writer} from changes`.execute(
      this.trx,
    );
    if (feed.afterChange) await feed.afterChange(this.trx);
  }

  async get(key: string): Promise<StoredDocument | undefined> {
    const row = await this.db.selectFrom("resources").selectAll().where("key", "=", key).executeTakeFirst();
    return row ? fromRow(row) : undefined;
  }

  async put(doc: DocumentInput, opts: PutOptions = {}): Promise<StoredDocument> {
    if ((opts.expectedEtag !== undefined || this.opts.feed) && !this.inTransaction) {
      return this.transaction((tx) => tx.put(doc, opts));
    }
    if (opts.expectedEtag !== undefined) {
      const current = await this.get(doc.key);
      const ok = opts.expectedEtag === null ? current === undefined : current?.etag === opts.expectedEtag;
      if (!ok) throw ArmErrors.preconditionFailed();
    }
    const stored = toStored(doc);
    const row: ResourcesTable = {
      key: stored.key,
      id: stored.id,
      type: stored.type,
      subscription_id: stored.subscriptionId,
      resource_group: stored.resourceGroup,
      parent: stored.parent,
      etag: stored.etag,
      body: JSON.stringify(stored.body ?? null),
    };
    const { key: _key, ...rest } = row;
    await this.db
      .insertInto("resources")
      .values(row)
      .onConflict((oc) => oc.column("key").doUpdateSet(rest))
      .execute();
    await this.recordChange(stored.key, stored.type, false);
    return stored;
  }

  async delete(key: string, opts: DeleteOptions = {}): Promise<boolean> {
    if ((opts.expectedEtag !== undefined || this.opts.feed) && !this.inTransaction) {
      return this.transaction((tx) => tx.delete(key, opts));
    }
    if (opts.expectedEtag !== undefined) {
      const current = await this.get(key);
      if (current && current.etag !== opts.expectedEtag) throw ArmErrors.preconditionFailed();
    }
    if (this.opts.feed) {
      const gone = await this.db
        .deleteFrom("resources")
        .where("key", "=", key)
        .returning(["type"])
        .executeTakeFirst();
      if (!gone) return false;
      await this.recordChange(key, gone.type, true);
      return true;
    }
    const res = await this.db.deleteFrom("resources").where("key", "=", key).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }

  async list(q: ListQuery): Promise<ListPage> {
    let query = this.db.selectFrom("resources").selectAll();
    if (q.type !== undefined) query = query.where("type", "=", q.type);
    if (q.subscriptionId !== undefined) query = query.where("subscription_id", "=", q.subscriptionId);
    if (q.resourceGroup !== undefined) query = query.where("resource_group", "=", q.resourceGroup);
    if (q.parent !== undefined) query = query.where("parent", "=", q.parent);
    if (q.parentIn !== undefined) {
      if (q.parentIn.length === 0) return { items: [] };
      query = query.where("parent", "in", [...q.parentIn]);
    }
    if (q.keyPrefix !== undefined) {
      query = query.where("key", ">=", q.keyPrefix).where("key", "<", prefixEnd(q.keyPrefix));
    }
    if (q.after !== undefined) query = query.where("key", ">", q.after);
    query = query.orderBy("key");
    const limit = q.limit !== undefined && q.limit > 0 ? Math.floor(q.limit) : undefined;
    if (limit !== undefined) query = query.limit(limit + 1);
    const rows = await query.execute();
    if (limit !== undefined && rows.length > limit) {
      const items = rows.slice(0, limit).map(fromRow);
      return { items, next: items[items.length - 1]!.key };
    }
    return { items: rows.map(fromRow) };
  }

  async transaction<T>(fn: (tx: ResourceStore) => Promise<T>): Promise<T> {
    if (this.inTransaction) return fn(this);
    return this.db.transaction().execute(async (trx) => {
      if (this.opts.onTransactionStart) await this.opts.onTransactionStart(trx);
      return fn(new KyselyStore(trx, this.opts, true, trx));
    });
  }

  async close(): Promise<void> {
    if (this.inTransaction) return;
    await this.db.destroy();
    if (this.opts.destroy) await this.opts.destroy();
  }
}
