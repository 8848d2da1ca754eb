/**
 * Follows the change feed of a shared store (PostgreSQL, docs/scale.md), so this instance's
 * view keeps up with writes made by any instance: a wake-up (LISTEN/NOTIFY, or a reconnect)
 * or a periodic poll makes it read every change after the last revision it applied, in
 * revision order. It drops the process-local tenancy caches a remote change makes stale and
 * tells its listeners (e.g. a live engine snapshot) which keys changed.
 *
 * Reads are served from the shared store itself, so a write is visible on the instance that
 * made it at once and on every other as soon as its transaction committed; what follows the
 * feed is only what an instance keeps in memory.
 */
import type { ChangeFeed, StoreChange } from "../store/store.js";
import type { ArmDeps } from "./context.js";
import { PROVIDER_REGISTRATION_TYPE, SUBSCRIPTION_TYPE } from "./tenancy.js";

export type RemoteChangeListener = (changes: readonly StoreChange[]) => void;

export class ChangeFollower {
  /** The last revision applied. */
  revision = 0;
  private running: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly listeners = new Set<RemoteChangeListener>();

  constructor(
    private readonly deps: ArmDeps,
    readonly feed: ChangeFeed,
    private readonly pollMs = 1000,
  ) {}

  /** Starts at the current head (everything before is already in the store this instance reads). */
  async start(): Promise<void> {
    this.revision = await this.feed.head();
    this.unsubscribe = this.feed.onWake(() => void this.catchUp());
    this.timer = setInterval(() => void this.catchUp(), this.pollMs);
    this.timer.unref();
  }

  onRemoteChanges(l: RemoteChangeListener): () => void {
    this.listeners.add(l);
    return () => {
      this.listeners.delete(l);
    };
  }

  /** Reads and applies every change after `revision` (one pass at a time; a wake-up during a pass runs another). */
  catchUp(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          for (;;) {
            const batch = await this.feed.since(this.revision);
            if (batch.length === 0) break;
            this.apply(batch);
            this.revision = batch[batch.length - 1]!.revision;
          }
        } while (this.again);
      } catch {
        // The database is away: the next wake-up (on reconnect) or poll catches up.
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  private apply(batch: readonly StoreChange[]): void {
    const remote = batch.filter((c) => c.writer !== this.feed.writer);
    if (remote.length === 0) return;
    const cache = this.deps.cache;
    for (const c of remote) {
      if (c.type === SUBSCRIPTION_TYPE) cache.subscriptions.clear();
      if (c.type === PROVIDER_REGISTRATION_TYPE) cache.registrations.clear();
    }
    for (const l of [...this.listeners]) {
      try {
        l(remote);
      } catch {
        this.listeners.delete(l);
      }
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.unsubscribe?.();
  }
}

const followers = new WeakMap<ArmDeps, ChangeFollower>();

/** The follower of a control plane on a shared store (undefined on a single-process store). */
export function followerOf(deps: ArmDeps): ChangeFollower | undefined {
  return followers.get(deps);
}

/** Starts following the store's change feed, when it has one. */
export async function followChanges(deps: ArmDeps): Promise<ChangeFollower | undefined> {
  const feed = deps.store.feed;
  if (!feed) return undefined;
  const f = new ChangeFollower(deps, feed);
  await f.start();
  followers.set(deps, f);
  return f;
}
