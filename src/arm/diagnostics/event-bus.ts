/**
 * The event stream behind `/_emulator/events`: every committed resource change, every logged
 * request, and every simulated connection opened, closed or reset (SE-CFG-6). In memory, with
 * a bounded buffer of recent events so a client reconnecting with `Last-Event-ID` misses nothing
 * that is still buffered. Subscribers are called synchronously and must not throw (a throwing
 * subscriber is dropped).
 *
 * On a shared store (`share`), the stream is the store's: `publish` appends the event to the
 * store's ordered event log, and every instance delivers what the log holds, in its order, when
 * the feed wakes it — so the stream on one instance shows what happened on any.
 */
import type { SharedEventLog } from "../../store/store.js";

export type EventType = "resource" | "request" | "connectionOpened" | "connectionClosed" | "connectionReset";

export interface EmulatorEvent {
  /** Sequence number, unique in the process, increasing. */
  id: number;
  type: EventType;
  /** ISO time from the injected clock. */
  time: string;
  data: Record<string, unknown>;
}

export type Listener = (e: EmulatorEvent) => void;

export const DEFAULT_EVENT_BUFFER = 1000;

export class EventBus {
  private readonly listeners = new Set<Listener>();
  private readonly recent: EmulatorEvent[] = [];
  private seq = 0;
  private shared: SharedEventLog | undefined;
  private appending: Promise<unknown> = Promise.resolve();
  private pulling: Promise<void> | undefined;
  private pullAgain = false;

  constructor(
    private readonly now: () => number,
    private readonly bufferSize: number = DEFAULT_EVENT_BUFFER,
  ) {}

  /** Switches to the shared event log of a store (from its current head on); `wake` registers the pull. */
  async share(log: SharedEventLog, onWake: (pull: () => void) => void): Promise<void> {
    this.seq = await log.head();
    this.shared = log;
    onWake(() => void this.pull());
  }

  publish(type: EventType, data: Record<string, unknown>): EmulatorEvent {
    const time = new Date(this.now()).toISOString();
    if (this.shared) {
      const log = this.shared;
      // Appended in publish order; delivered when read back from the log (with its global id).
      this.appending = this.appending
        .then(() => log.append(type, time, data))
        .then(
          () => this.pull(),
          () => undefined,
        );
      return { id: 0, type, time, data };
    }
    return this.deliver({ id: ++this.seq, type, time, data });
  }

  /** Reads the shared log past the last delivered event and delivers it. */
  pull(): Promise<void> {
    const log = this.shared;
    if (!log) return Promise.resolve();
    if (this.pulling) {
      this.pullAgain = true;
      return this.pulling;
    }
    this.pulling = (async () => {
      try {
        do {
          this.pullAgain = false;
          for (;;) {
            const batch = await log.since(this.seq);
            if (batch.length === 0) break;
            for (const e of batch) {
              this.seq = e.id;
              this.deliver({ id: e.id, type: e.type as EventType, time: e.time, data: e.data });
            }
          }
        } while (this.pullAgain);
      } catch {
        // The database is away: the next wake-up catches up.
      } finally {
        this.pulling = undefined;
      }
    })();
    return this.pulling;
  }

  private deliver(e: EmulatorEvent): EmulatorEvent {
    this.recent.push(e);
    if (this.recent.length > this.bufferSize) this.recent.splice(0, this.recent.length - this.bufferSize);
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch {
        this.listeners.delete(l);
      }
    }
    return e;
  }

  /** Subscribes; returns the unsubscribe function. */
  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => {
      this.listeners.delete(l);
    };
  }

  /** Buffered events with an id above `afterId`, oldest first. */
  since(afterId: number): EmulatorEvent[] {
    return this.recent.filter((e) => e.id > afterId);
  }

  get lastId(): number {
    return this.seq;
  }

  get subscriberCount(): number {
    return this.listeners.size;
  }
}
