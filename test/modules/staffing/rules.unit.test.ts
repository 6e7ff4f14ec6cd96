import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RULES,
  judge,
  maxWorkInWindow,
  type BusyAssignment,
} from '../../../src/modules/staffing/rules.js';

const H = 3600_000;
const span = (from: number, to: number) => ({ start: from * H, end: to * H });
const accepted = (from: number, to: number, id = `a${from}`): BusyAssignment => ({
  ...span(from, to),
  assignmentId: id,
  missionId: `m${from}`,
  title: `M${from}`,
  status: 'ACCEPTED',
});
const none = { assignments: [], unavailable: [], elsewhere: [] };

describe('the rules engine', () => {
  it('finds the busiest window touching the mission, counting overlapping work once', () => {
    expect(maxWorkInWindow([span(0, 8), span(18, 24)], span(18, 24), 24 * H)).toBe(14 * H);
    expect(maxWorkInWindow([span(0, 8), span(4, 12)], span(4, 12), 24 * H)).toBe(12 * H);
    expect(maxWorkInWindow([span(0, 8), span(40, 44)], span(40, 44), 24 * H)).toBe(4 * H);
  });

  it('says nothing about a lone mission within the limits', () => {
    expect(judge(span(8, 16), none, DEFAULT_RULES)).toEqual([]);
  });

  it('flags a single mission longer than the daily maximum', () => {
    expect(judge(span(0, 13), none, DEFAULT_RULES)).toEqual([
      expect.objectContaining({ rule: 'max_hours_24h', severity: 'block' }),
    ]);
  });

  it('measures rest on both sides and ignores work long before', () => {
    const context = { ...none, assignments: [accepted(0, 8), accepted(30, 34), accepted(-100, -90)] };
    const reasons = judge(span(18, 24), context, DEFAULT_RULES);
    expect(reasons.map((r) => [r.rule, r.assignment_id])).toEqual([
      ['min_rest', 'a0'],
      ['min_rest', 'a30'],
      ['max_hours_24h', undefined],
    ]);
  });

  it('exactly the minimum rest or the maximum hours is allowed', () => {
    expect(judge(span(19, 23), { ...none, assignments: [accepted(0, 8)] }, DEFAULT_RULES)).toEqual([]);
    expect(
      judge(
        span(20, 24),
        { ...none, assignments: [accepted(8, 16)] },
        { ...DEFAULT_RULES, min_rest: { value: 4, mode: 'block' } },
      ),
    ).toEqual([]);
  });
});
