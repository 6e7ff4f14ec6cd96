import net from 'node:net';

/**
 * A TCP proxy a test can break: `cut()` resets every connection and refuses new ones (a restart, a lost link),
 * `freeze()` keeps every connection open but forwards nothing (a stalled server or network: the bytes wait),
 * `restore()` goes back to forwarding. Put it between the app and PostgreSQL or Redis.
 */
export interface FaultProxy {
  port: number;
  /** `url` with its host and port replaced by the proxy's. */
  via(url: string): string;
  cut(): void;
  freeze(): void;
  restore(): void;
  close(): Promise<void>;
}

interface Pair {
  client: net.Socket;
  upstream: net.Socket;
  held: { to: net.Socket; data: Buffer }[];
}

export async function startFaultProxy(target: { host: string; port: number }): Promise<FaultProxy> {
  let mode: 'open' | 'cut' | 'frozen' = 'open';
  const pairs = new Set<Pair>();
  const forward = (pair: Pair, to: net.Socket) => (data: Buffer) => {
    if (mode === 'frozen') pair.held.push({ to, data });
    else to.write(data);
  };
  const server = net.createServer((client) => {
    client.on('error', () => {});
    if (mode === 'cut') {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(target.port, target.host);
    upstream.on('error', () => {});
    const pair: Pair = { client, upstream, held: [] };
    pairs.add(pair);
    client.on('data', forward(pair, upstream));
    upstream.on('data', forward(pair, client));
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    via(url) {
      const parsed = new URL(url);
      parsed.hostname = '127.0.0.1';
      parsed.port = String(port);
      return parsed.toString();
    },
    cut() {
      mode = 'cut';
      for (const pair of pairs) {
        pair.client.resetAndDestroy();
        pair.upstream.destroy();
      }
      pairs.clear();
    },
    freeze() {
      mode = 'frozen';
    },
    restore() {
      mode = 'open';
      for (const pair of pairs) {
        for (const { to, data } of pair.held.splice(0)) if (!to.destroyed) to.write(data);
      }
    },
    async close() {
      for (const pair of pairs) {
        pair.client.destroy();
        pair.upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
