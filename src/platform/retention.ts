/** Retention chores (docs/events.md, "Retention"), run from the dispatchers' polling rounds. */

/**
 * A chore a poller's rounds run in bounded batches (retention): one batch of at most `batchSize` per call while
 * batches come back full, then nothing until `everyMs` later. Returns how many rows the batch handled.
 */
export function batchedChore(
  run: (limit: number) => Promise<number>,
  options: { batchSize: number; everyMs: number },
): (nowMs?: number) => Promise<number> {
  let nextAt = 0;
  return async (nowMs = Date.now()) => {
    if (nowMs < nextAt) return 0;
    const done = await run(options.batchSize);
    nextAt = done < options.batchSize ? nowMs + options.everyMs : 0;
    return done;
  };
}
