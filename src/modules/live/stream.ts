import type { ServerResponse } from 'node:http';
import { readEventsAfter, type StoredEvent } from '../../platform/events.js';
import type { Db } from '../../platform/db/database.js';
import type { EventHub, HubStream } from './hub.js';
import { membershipChange, visibleTo, type Viewer, type WireEvent } from './visibility.js';

const CATCH_UP_PAGE = 500;

const frame = (wire: WireEvent) => `id: ${wire.id}\nevent: ${wire.type}\ndata: ${JSON.stringify(wire)}\n\n`;
/** The unnarrowed frame of an event is the same for every stream that sees all of it: serialised once. */
const fullFrames = new WeakMap<StoredEvent, string>();
function fullFrame(event: StoredEvent, wire: WireEvent): string {
  let text = fullFrames.get(event);
  if (text === undefined) fullFrames.set(event, (text = frame(wire)));
  return text;
}

export interface StreamOptions {
  heartbeatMs: number;
  /** Bytes queued for a slow client before it is dropped (it reconnects with Last-Event-ID and misses nothing). */
  maxBufferBytes: number;
}

/**
 * One Server-Sent-Events connection. It first replays what the client missed (from `Last-Event-ID`, reading the
 * table page by page and waiting for the socket to drain), then joins the hub's live feed; the hub's events are
 * offered to it with ids it may already have written, which it skips.
 */
export class LiveStream implements HubStream {
  private live = false;
  /** The last id the client has been told of: it resumes from there. */
  private sentId: number;
  private closed = false;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private readonly raw: ServerResponse,
    private viewer: Viewer,
    private cursor: number,
    private readonly hub: EventHub,
    private readonly options: StreamOptions,
  ) {
    this.heartbeat = setInterval(() => this.write(': heartbeat\n\n'), options.heartbeatMs);
    raw.on('close', () => this.close());
    this.sentId = cursor;
    hub.add(this);
  }

  /** Sends the events after the cursor that are already in the table, then goes live. */
  async catchUp(db: Db): Promise<void> {
    while (!this.closed && this.cursor < this.hub.cursor) {
      const events = await readEventsAfter(db, this.cursor, CATCH_UP_PAGE);
      if (events.length === 0) break;
      this.deliver(events);
      if (this.raw.writableNeedDrain) await new Promise((resolve) => this.raw.once('drain', resolve));
    }
    // Synchronously after the last read: whatever the hub reads from now on is past our cursor.
    this.live = true;
  }

  offer(events: StoredEvent[]): void {
    if (this.live) this.deliver(events);
  }

  reset(reason: string): void {
    this.write(`event: reset\ndata: ${JSON.stringify({ reason })}\n\n`);
  }

  private deliver(events: StoredEvent[]): void {
    for (const event of events) {
      if (this.closed) return;
      if (event.id <= this.cursor) continue;
      this.cursor = event.id;
      const wire = visibleTo(this.viewer, event);
      if (wire) {
        this.write(wire.payload === event.payload ? fullFrame(event, wire) : frame(wire));
        this.sentId = wire.id;
      }
      const change = membershipChange(this.viewer, event);
      if (change && 'removed' in change) {
        this.close();
        return;
      }
      if (change && this.viewer.kind === 'org') this.viewer = { ...this.viewer, role: change.role };
    }
    // Without a visible event, the id still moves on, so a reconnect does not re-read what was filtered out.
    if (this.sentId !== this.cursor) {
      this.write(`id: ${this.cursor}\n\n`);
      this.sentId = this.cursor;
    }
  }

  private write(text: string): void {
    if (this.closed) return;
    this.raw.write(text);
    if (this.live && this.raw.writableLength > this.options.maxBufferBytes) this.close(true);
  }

  /** Ends the stream; a slow client's is cut (`dropped`) instead of flushing a buffer it does not read. */
  close(dropped = false): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    this.hub.remove(this);
    if (this.raw.destroyed) return;
    if (dropped) this.raw.destroy();
    else this.raw.end();
  }
}
