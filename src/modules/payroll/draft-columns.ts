import { PAY_BASES } from '../../platform/db/tables.js';
import type { Rate } from '../pay/pricing.js';
import { ZERO_AMOUNT, type LineDraft, type LineOwner, type LineProject } from './pay-lines.js';

// The fields of one draft line, as numbers in a row of a Float64Array (every value a pay line holds is an
// integer or an instant in ms, exact in a double): strings and rates are indexes into the caller's tables.
const PERSON = 0;
const PROJECT = 1;
const MONTH = 2;
const BASIS = 3;
const APPROVED = 4;
const RATE = 5;
const PLANNED = 6;
const WORKED = 7;
const APPROVED_MINUTES = 8;
const NIGHT = 9;
const SUNDAY = 10;
const HOLIDAY = 11;
const CACHETS = 12;
const START_MS = 13;
const WEEK = 14;
const STRIDE = 15;
/** Lines per chunk: chunks are added, never copied, as the month is read (120 B a line, 480 KB a chunk). */
const CHUNK = 4096;

/**
 * The draft lines of an org's month, in columns instead of objects: ≈ 62,000 lines at scale L are ≈ 7 MB of
 * typed arrays that the garbage collector neither traces nor copies, where objects (a draft, its line, their
 * fields) cost several times that and were promoted through every young-generation collection of the read.
 * `add` keeps a draft; `byPerson` hands each person's drafts back, rebuilt as objects, in the order they were
 * added.
 */
export class DraftColumns {
  private readonly chunks: Float64Array[] = [];
  private length = 0;
  private readonly months: string[] = [];
  private readonly rates: (Rate | undefined)[] = [];
  private readonly rateIndex = new Map<Rate | undefined, number>();

  constructor(
    private readonly people: readonly LineOwner[],
    private readonly projects: readonly LineProject[],
  ) {}

  get size(): number {
    return this.length;
  }

  add(person: number, project: number, draft: LineDraft): void {
    const chunk = this.length % CHUNK === 0 ? this.grow() : this.chunks.at(-1)!;
    const at = (this.length % CHUNK) * STRIDE;
    const { line } = draft;
    chunk[at + PERSON] = person;
    chunk[at + PROJECT] = project;
    chunk[at + MONTH] = this.indexOf(this.months, line.month);
    chunk[at + BASIS] = PAY_BASES.indexOf(line.basis);
    chunk[at + APPROVED] = line.approved ? 1 : 0;
    chunk[at + RATE] = this.rateOf(draft.rate);
    chunk[at + PLANNED] = line.planned_minutes;
    chunk[at + WORKED] = line.worked_minutes;
    chunk[at + APPROVED_MINUTES] = line.approved_minutes;
    chunk[at + NIGHT] = line.night_minutes;
    chunk[at + SUNDAY] = line.sunday_minutes;
    chunk[at + HOLIDAY] = line.holiday_minutes;
    chunk[at + CACHETS] = line.cachets;
    chunk[at + START_MS] = draft.startMs;
    chunk[at + WEEK] = draft.week;
    this.length += 1;
  }

  /**
   * Each person's drafts, person by person in the order of `people`, each in the order added (a counting sort
   * by person: stable, one pass).
   */
  *byPerson(): Generator<LineDraft[]> {
    const starts = new Int32Array(this.people.length + 1);
    for (let i = 0; i < this.length; i++) starts[this.field(i, PERSON) + 1]! += 1;
    for (let p = 0; p < this.people.length; p++) starts[p + 1]! += starts[p]!;
    const order = new Int32Array(this.length);
    const next = starts.slice(0, this.people.length);
    for (let i = 0; i < this.length; i++) order[next[this.field(i, PERSON)]!++] = i;
    for (let p = 0; p < this.people.length; p++) {
      if (starts[p] === starts[p + 1]) continue;
      const drafts: LineDraft[] = [];
      for (let k = starts[p]!; k < starts[p + 1]!; k++) drafts.push(this.draft(order[k]!));
      yield drafts;
    }
  }

  private draft(i: number): LineDraft {
    const chunk = this.chunks[Math.floor(i / CHUNK)]!;
    const at = (i % CHUNK) * STRIDE;
    const owner = this.people[chunk[at + PERSON]!]!;
    const project = this.projects[chunk[at + PROJECT]!]!;
    return {
      rate: this.rates[chunk[at + RATE]!],
      startMs: chunk[at + START_MS]!,
      week: chunk[at + WEEK]!,
      line: {
        user_id: owner.user_id,
        user_name: owner.user_name,
        employment_type: owner.employment_type,
        project_id: project.project_id,
        project_name: project.project_name,
        month: this.months[chunk[at + MONTH]!]!,
        basis: PAY_BASES[chunk[at + BASIS]!]!,
        approved: chunk[at + APPROVED] === 1,
        planned_minutes: chunk[at + PLANNED]!,
        worked_minutes: chunk[at + WORKED]!,
        approved_minutes: chunk[at + APPROVED_MINUTES]!,
        night_minutes: chunk[at + NIGHT]!,
        sunday_minutes: chunk[at + SUNDAY]!,
        holiday_minutes: chunk[at + HOLIDAY]!,
        overtime_minutes: 0,
        cachets: chunk[at + CACHETS]!,
        priced: false,
        amount: ZERO_AMOUNT,
      },
    };
  }

  private field(i: number, field: number): number {
    return this.chunks[Math.floor(i / CHUNK)]![(i % CHUNK) * STRIDE + field]!;
  }

  private grow(): Float64Array {
    const chunk = new Float64Array(CHUNK * STRIDE);
    this.chunks.push(chunk);
    return chunk;
  }

  private indexOf(list: string[], value: string): number {
    const found = list.indexOf(value);
    return found >= 0 ? found : list.push(value) - 1;
  }

  private rateOf(rate: Rate | undefined): number {
    let index = this.rateIndex.get(rate);
    if (index === undefined) {
      index = this.rates.push(rate) - 1;
      this.rateIndex.set(rate, index);
    }
    return index;
  }
}
