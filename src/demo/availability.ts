import type { Insertable } from 'kysely';
import type { Db } from '../platform/db/database.js';
import type { AvailabilityTable } from '../platform/db/tables.js';
import { dateOf, insertRows, iso, type Crew, type DemoCalendar } from './dataset.js';
import type { Random } from './prng.js';
import { DAY } from '../platform/clock.js';

/**
 * About one availability declaration per person and month (holidays, other jobs, open windows), written in
 * batches of 10,000 rows. Returns how many were written.
 */
export async function writeAvailability(
  db: Db,
  rng: Random,
  orgId: string,
  crew: Crew[],
  months: number,
  calendar: DemoCalendar,
): Promise<number> {
  const { firstDay, now, localToUtc } = calendar;
  let availabilityCount = 0;
  let availability: Insertable<AvailabilityTable>[] = [];
  const flush = async () => {
    const rows = availability;
    availability = [];
    availabilityCount += rows.length;
    await db.transaction().execute((tx) => insertRows(tx, 'availability', rows));
  };
  for (const person of crew) {
    for (let m = 0; m < months; m++) {
      if (!rng.chance(0.7)) continue;
      const unavailable = rng.chance(0.4);
      const startDay = firstDay + Math.floor(m * 30.44) + rng.int(0, 25);
      const days = unavailable ? rng.int(1, 7) : rng.int(2, 10);
      const starts = localToUtc(dateOf(startDay), '00:00');
      availability.push({
        id: rng.uuid(),
        org_id: orgId,
        user_id: person.id,
        starts_at: iso(starts),
        ends_at: iso(localToUtc(dateOf(startDay + days), '00:00')),
        kind: unavailable ? 'UNAVAILABLE' : 'AVAILABLE',
        note: unavailable ? rng.pick(['Congés', 'Formation', 'Autre production', null]) : null,
        created_at: iso(Math.min(starts - 14 * DAY, now)),
      });
    }
    if (availability.length >= 10_000) await flush();
  }
  await flush();
  return availabilityCount;
}
