import { PAY_BASES } from '../../platform/db/tables.js';
import type { Rate } from '../pay/pricing.js';
import {
  emptyDraftFields,
  lineDraftOf,
  type DraftFields,
  type LineDraft,
  type LineOwner,
  type LineProject,
} from './pay-lines.js';

// The fields of one draft line, as a row of an Int32Array (every value but the start is an integer that fits 32
// bits: indexes, minutes, cachets, a day number; strings and rates are indexes into the caller's tables), and its
// start (an instant in ms) in a Float64Array beside it.
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
const WEEK = 13;
const STRIDE = 14;
/** Lines per chunk: chunks are added, never copied, as the month is read (64 B a line, 256 KB a chunk). */
const CHUNK = 4096;

/** `value` if it is an integer a 32-bit column keeps as it is (an Int32Array would wrap or truncate it). */
function int32(value: number): number {
  if ((value | 0) !== value) throw new RangeError(`not a 32-bit integer: ${value}`);
  return value;
}

/**
 * The draft lines of an org's month, in columns instead of objects: ≈ 68,000 lines at scale L are ≈ 4.4 MB of
 * typed arrays that the garbage collector neither traces nor copies, where objects (a draft, its line, their
 * fields) cost several times that and were promoted through every young-generation collection of the read.
 * `add` keeps a draft's values (nothing of the object passed is kept: the caller reuses it); `byPerson` hands
 * each person's drafts back, rebuilt as objects, in the order they were added.
 */
export class DraftColumns {
  private readonly chunks: Int32Array[] = [];
  private readonly starts: Float64Array[] = [];
  private length = 0;
  private readonly months: string[] = [];
  private readonly rates: (Rate | undefined)[] = [];
  private readonly rateIndex = new Map<Rate | undefined, number>();
  /** reused by `draft` for every line read back */
  private readonly fields = emptyDraftFields();

  constructor(
    private readonly people: readonly LineOwner[],
    private readonly projects: readonly LineProject[],
  ) {}

  get size(): number {
    return this.length;
  }

  add(person: number, project: number, f: DraftFields): void {
    const at = (this.length % CHUNK) * STRIDE;
    if (at === 0) this.grow();
    const chunk = this.chunks.at(-1)!;
    chunk[at + PERSON] = person;
    chunk[at + PROJECT] = project;
    chunk[at + MONTH] = this.indexOf(this.months, f.month);
    chunk[at + BASIS] = PAY_BASES.indexOf(f.basis);
    chunk[at + APPROVED] = f.approved ? 1 : 0;
    chunk[at + RATE] = this.rateOf(f.rate);
    chunk[at + PLANNED] = int32(f.planned_minutes);
    chunk[at + WORKED] = int32(f.worked_minutes);
    chunk[at + APPROVED_MINUTES] = int32(f.approved_minutes);
    chunk[at + NIGHT] = int32(f.night_minutes);
    chunk[at + SUNDAY] = int32(f.sunday_minutes);
    chunk[at + HOLIDAY] = int32(f.holiday_minutes);
    chunk[at + CACHETS] = int32(f.cachets);
    chunk[at + WEEK] = int32(f.week);
    this.starts.at(-1)![this.length % CHUNK] = f.startMs;
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

  /** Draft `i` rebuilt by `lineDraftOf` (one shape for a draft line), from its columns read into `fields`. */
  private draft(i: number): LineDraft {
    const chunk = this.chunks[Math.floor(i / CHUNK)]!;
    const at = (i % CHUNK) * STRIDE;
    const f = this.fields;
    f.month = this.months[chunk[at + MONTH]!]!;
    f.basis = PAY_BASES[chunk[at + BASIS]!]!;
    f.approved = chunk[at + APPROVED] === 1;
    f.rate = this.rates[chunk[at + RATE]!];
    f.planned_minutes = chunk[at + PLANNED]!;
    f.worked_minutes = chunk[at + WORKED]!;
    f.approved_minutes = chunk[at + APPROVED_MINUTES]!;
    f.night_minutes = chunk[at + NIGHT]!;
    f.sunday_minutes = chunk[at + SUNDAY]!;
    f.holiday_minutes = chunk[at + HOLIDAY]!;
    f.cachets = chunk[at + CACHETS]!;
    f.startMs = this.starts[Math.floor(i / CHUNK)]![i % CHUNK]!;
    f.week = chunk[at + WEEK]!;
    return lineDraftOf(f, this.people[chunk[at + PERSON]!]!, this.projects[chunk[at + PROJECT]!]!);
  }

  private field(i: number, field: number): number {
    return this.chunks[Math.floor(i / CHUNK)]![(i % CHUNK) * STRIDE + field]!;
  }

  private grow(): void {
    this.chunks.push(new Int32Array(CHUNK * STRIDE));
    this.starts.push(new Float64Array(CHUNK));
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
