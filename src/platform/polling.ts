/** A background round run again `intervalMs` after the previous one ends: never two at once, errors logged. */
export interface Poller {
  /** Starts the rounds (the server process does; tests call the round themselves). */
  start(): void;
  /** Stops scheduling and waits for the round in progress. */
  stop(): Promise<void>;
}

export function poller(
  round: () => Promise<unknown>,
  intervalMs: number,
  onError: (error: unknown) => void,
): Poller {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> | null = null;
  const loop = () => {
    running = round()
      .catch(onError)
      .finally(() => {
        running = null;
        if (timer) timer = setTimeout(loop, intervalMs);
      });
  };
  return {
    start() {
      if (timer) return;
      timer = setTimeout(loop, 0);
    },
    async stop() {
      if (timer) clearTimeout(timer);
      timer = null;
      await running;
    },
  };
}

/**
 * Sends the items with at most `concurrency` in flight: the next starts as soon as one ends, so one slow send
 * holds up one place, not a whole slice. A send that throws stops new ones; the others end before it is rethrown.
 */
export async function inFlight<T>(
  items: T[],
  concurrency: number,
  send: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      try {
        await send(items[next++]!);
      } catch (error) {
        next = items.length;
        throw error;
      }
    }
  };
  const ends = await Promise.allSettled(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  const failed = ends.find((end) => end.status === 'rejected');
  if (failed) throw failed.reason;
}
