/**
 * The persistence port (STYLE §6.8): JSON documents by id key, with a few scope columns to
 * list by. Validation, defaults, etag generation and LROs live above it, in src/arm.
 *
 * Contract every adapter honours (test/store.case.ts checks it):
 * - `key` is the document's identity; callers pass lower-cased ARM ids (`idKey`), the store
 *   compares keys exactly.
 * - `put` with `expectedEtag` writes only when the stored document has that etag (`null`
 *   expects no document at all); otherwise it throws ArmErrors.preconditionFailed().
 * - `list` returns documents ordered by key; `after` continues after a key, `limit` bounds the
 *   page and `next` is the key to pass as `after` for the following page.
 * - `transaction(fn)` runs fn against a store view whose writes commit together or not at all,
 *   and transactions never interleave (SQLite: one connection and a mutex; a server database
 *   must serialise them, e.g. with an advisory lock).
 * - A write whose promise resolved is durable (survives a crash of the process).
 */

export interface DocumentInput {
  /** Lookup key (callers use `idKey(id)`: lower case, no trailing slash). */
  key: string;
  /** The id with its original casing. */
  id: string;
  /** Lower-cased full type, e.g. `microsoft.network/virtualnetworks`. */
  type: string;
  /** Lower-cased scope columns, used by `list`. */
  subscriptionId?: string | null;
  resourceGroup?: string | null;
  /** Key of a parent document, or any other grouping key the caller lists by. */
  parent?: string | null;
  /** Opaque version tag; the store keeps it and compares it, it does not generate it. */
  etag: string;
  body: unknown;
}

export interface StoredDocument {
  key: string;
  id: string;
  type: string;
  subscriptionId: string | null;
  resourceGroup: string | null;
  parent: string | null;
  etag: string;
  body: unknown;
}

export interface ListQuery {
  type?: string;
  subscriptionId?: string;
  resourceGroup?: string;
  parent?: string;
  /** Documents whose parent is any of these keys (an empty list matches nothing). */
  parentIn?: readonly string[];
  /** Only keys starting with this prefix. */
  keyPrefix?: string;
  /** Continue after this key (exclusive). */
  after?: string;
  /** Maximum number of documents (default: all). */
  limit?: number;
}

export interface ListPage {
  items: StoredDocument[];
  /** Pass as `after` to get the next page; absent on the last page. */
  next?: string;
}

export interface PutOptions {
  /** The stored etag the write expects; `null` = the document must not exist. */
  expectedEtag?: string | null;
}

export interface DeleteOptions {
  expectedEtag?: string;
}

/** One committed document write, as the change feed reports it. */
export interface StoreChange {
  /** Position in the feed: increasing in commit order across every instance. */
  revision: number;
  key: string;
  type: string;
  deleted: boolean;
  /** Id of the instance that made the change (`ChangeFeed.writer`). */
  writer: string;
}

/**
 * The change feed of a store shared by several instances (PostgreSQL): every write appends a
 * change in its own transaction; `wake` fires when another commit may have appended some
 * (a notification, or a reconnect after missed ones), and `since` catches up by revision.
 */
export interface ChangeFeed {
  /** This instance's id, as it appears in `StoreChange.writer`. */
  readonly writer: string;
  /** The latest revision committed. */
  head(): Promise<number>;
  /** Changes after `revision`, oldest first (at most `limit`). */
  since(revision: number, limit?: number): Promise<StoreChange[]>;
  /** Subscribes to wake-ups; returns the unsubscribe function. */
  onWake(listener: () => void): () => void;
  /** The shared event stream (one ordered sequence across instances). */
  events: SharedEventLog;
}

/** A stored, globally ordered event (`/_emulator/events` across instances). */
export interface StoredEvent {
  id: number;
  type: string;
  time: string;
  data: Record<string, unknown>;
}

export interface SharedEventLog {
  append(type: string, time: string, data: Record<string, unknown>): Promise<number>;
  since(afterId: number, limit?: number): Promise<StoredEvent[]>;
  head(): Promise<number>;
}

export interface ResourceStore {
  /** Present when several instances may share the store (see ChangeFeed). */
  readonly feed?: ChangeFeed;
  get(key: string): Promise<StoredDocument | undefined>;
  put(doc: DocumentInput, opts?: PutOptions): Promise<StoredDocument>;
  /** True when a document was deleted. */
  delete(key: string, opts?: DeleteOptions): Promise<boolean>;
  list(query: ListQuery): Promise<ListPage>;
  transaction<T>(fn: (tx: ResourceStore) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Normalises a `DocumentInput` to the stored shape (nulls for absent scope columns). */
export function toStored(doc: DocumentInput): StoredDocument {
  return {
    key: doc.key,
    id: doc.id,
    type: doc.type,
    subscriptionId: doc.subscriptionId ?? null,
    resourceGroup: doc.resourceGroup ?? null,
    parent: doc.parent ?? null,
    etag: doc.etag,
    body: doc.body,
  };
}
