/**
 * The event stream behind `/_emulator/events`: every committed resource change, every logged
 * request, and every simulated connection opened, closed or reset (SE-CFG-6). In memory, with
 * a bounded buffer of recent events so a client reconnecting with `Last-Event-ID` misses nothing
 * that is still buffered. Subscribers are called synchronously and must not throw (a throwing
 * subscriber is dropped).
 */

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

  constructor(
    private readonly now: () => number,
    private readonly bufferSize: number = DEFAULT_EVENT_BUFFER,
  ) {}

  publish(type: EventType, data: Record<string, unknown>): EmulatorEvent {
    const e: EmulatorEvent = { id: ++this.seq, type, time: new Date(this.now()).toISOString(), data };
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
