/**
 * One dedicated PostgreSQL connection that `LISTEN`s on a channel, reconnecting every second when it is lost.
 * `listening()` is true only while notifications reach us: a caller that relies on them (the session cache, the
 * event stream's hub) stops relying on them the moment the connection is gone, and `onListening` tells it when it
 * is back (what was sent in between is lost, so the caller must start afresh).
 */
export interface Listener {
  listening(): boolean;
  close(): Promise<void>;
}

export interface ListenOptions {
  connectionString: string;
  channel: string;
  onNotification(): void;
  /** Called each time LISTEN succeeds (first connection and every reconnection). */
  onListening(): void;
  /** Called when the connection is lost (or could not be made). */
  onLost(error: unknown): void;
}

const RETRY_MS = 1000;

export async function listen(options: ListenOptions): Promise<Listener> {
  if (!/^[a-z_][a-z0-9_]*$/.test(options.channel)) throw new Error(`bad channel name ${options.channel}`);
  const pg = (await import('pg')).default;
  let client: InstanceType<typeof pg.Client> | null = null;
  let up = false;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  const connect = async () => {
    const next = new pg.Client({
      connectionString: options.connectionString,
      keepAlive: true,
      connectionTimeoutMillis: 2000,
    });
    let lostOnce = false;
    const lost = (error: unknown) => {
      if (lostOnce) return;
      lostOnce = true;
      up = false;
      if (client === next) client = null;
      next.removeAllListeners();
      next.on('error', () => {});
      void next.end().catch(() => {});
      if (!closed) {
        options.onLost(error);
        retry = setTimeout(() => void connect(), RETRY_MS);
        retry.unref();
      }
    };
    next.on('error', lost);
    next.on('end', () => lost(new Error('LISTEN connection ended')));
    next.on('notification', () => options.onNotification());
    try {
      await next.connect();
      await next.query(`LISTEN ${options.channel}`);
      if (closed) {
        await next.end().catch(() => {});
        return;
      }
      client = next;
      up = true;
      options.onListening();
    } catch (error) {
      lost(error);
    }
  };
  await connect();
  return {
    listening: () => up,
    close: async () => {
      closed = true;
      clearTimeout(retry);
      up = false;
      const open = client;
      client = null;
      if (open) {
        open.removeAllListeners();
        open.on('error', () => {});
        await open.end().catch(() => {});
      }
    },
  };
}
