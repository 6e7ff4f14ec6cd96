import { describe, expect, it } from 'vitest';
import { holidayCalendar, isKnownCountry } from '../../../src/modules/pay/holidays.js';
import {
  divideHalfUp,
  formatCents,
  formatHours,
  priceLine,
  weeklyOvertime,
  type LineQuantities,
  type Rate,
} from '../../../src/modules/pay/pricing.js';
import { RateResolver } from '../../../src/modules/pay/rate-resolution.js';
import { breakDownWork, DEFAULT_NIGHT, mondayOf } from '../../../src/modules/pay/work-time.js';

// Pure computations (no database): the same cases run through HTTP on both dialects in timesheets-pay.test.ts.
const paris = { timeZone: 'Europe/Paris', night: DEFAULT_NIGHT, isHoliday: holidayCalendar('FR') };

describe('work-time breakdown in the org time zone', () => {
  it('a night shift across midnight: 20:00 → 04:00 local has 6 h of night', () => {
    // Wednesday 5 March 2031, CET (UTC+1)
    expect(breakDownWork('2031-03-05T19:00:00Z', '2031-03-06T03:00:00Z', 30, paris)).toEqual({
      elapsed_minutes: 480,
      worked_minutes: 450,
      night_minutes: 360,
      sunday_minutes: 0,
      holiday_minutes: 0,
    });
  });

  it('the spring-forward night is one hour shorter: Sat 22:00 → Sun 06:00 local is 7 h', () => {
    // 30 March 2031: 02:00 CET → 03:00 CEST
    expect(breakDownWork('2031-03-29T21:00:00Z', '2031-03-30T04:00:00Z', 0, paris)).toEqual({
      elapsed_minutes: 420,
      worked_minutes: 420,
      night_minutes: 420,
      sunday_minutes: 300,
      holiday_minutes: 0,
    });
  });

  it('the fall-back night is one hour longer: Sat 22:00 → Sun 06:00 local is 9 h', () => {
    // 26 October 2031: 03:00 CEST → 02:00 CET
    expect(breakDownWork('2031-10-25T20:00:00Z', '2031-10-26T05:00:00Z', 0, paris)).toEqual({
      elapsed_minutes: 540,
      worked_minutes: 540,
      night_minutes: 540,
      sunday_minutes: 420,
      holiday_minutes: 0,
    });
  });

  it('a public holiday (14 July) counts by local date; a local-midnight boundary splits it', () => {
    // Monday 14 July 2031 20:00 → Tuesday 02:00 local (CEST): 4 h on the holiday, 4 h of night
    expect(breakDownWork('2031-07-14T18:00:00Z', '2031-07-15T00:00:00Z', 0, paris)).toMatchObject({
      worked_minutes: 360,
      holiday_minutes: 240,
      night_minutes: 240,
      sunday_minutes: 0,
    });
  });

  it('premium minutes never exceed the worked minutes once breaks are taken out', () => {
    expect(breakDownWork('2031-03-05T21:00:00Z', '2031-03-06T01:00:00Z', 60, paris)).toMatchObject({
      worked_minutes: 180,
      night_minutes: 180,
    });
  });

  it('a night window that does not cross midnight, and another country', () => {
    const ctx = { ...paris, night: { startMinute: 0, endMinute: 5 * 60 } };
    expect(breakDownWork('2031-03-05T22:00:00Z', '2031-03-06T06:00:00Z', 0, ctx).night_minutes).toBe(300);
    expect(holidayCalendar('DE')('2031-10-03')).toBe(true);
    expect(holidayCalendar('FR')('2031-10-03')).toBe(false);
    expect(isKnownCountry('FR')).toBe(true);
    expect(isKnownCountry('XX')).toBe(false);
  });

  it('weeks start on Monday', () => {
    expect(mondayOf('2031-03-09')).toBe('2031-03-03');
    expect(mondayOf('2031-03-03')).toBe('2031-03-03');
  });
});

const hourly: Rate = {
  basis: 'HOURLY',
  base_amount_cents: 1550,
  night_premium_pct: 25,
  sunday_premium_pct: 50,
  holiday_premium_pct: 100,
  overtime_premium_pct: 25,
  overtime_weekly_threshold_minutes: 35 * 60,
};
const line = (over: Partial<LineQuantities>): LineQuantities => ({
  basis: 'HOURLY',
  worked_minutes: 0,
  night_minutes: 0,
  sunday_minutes: 0,
  holiday_minutes: 0,
  overtime_minutes: 0,
  cachets: 0,
  ...over,
});

describe('pricing in integer cents', () => {
  it('adds each premium as a percentage of the hourly base, not compounded', () => {
    // 7h30 × 15.50 = 116.25; 2 h night × 15.50 × 25% = 7.75; 1 h Sunday × 50% = 7.75
    expect(priceLine(line({ worked_minutes: 450, night_minutes: 120, sunday_minutes: 60 }), hourly)).toEqual({
      amount_cents: 13175,
      base_cents: 11625,
      premiums: { night: 775, sunday: 775, holiday: 0, overtime: 0 },
    });
  });

  it('rounds half-up once per line, and the breakdown adds up to the amount', () => {
    const rate = { ...hourly, base_amount_cents: 30 };
    expect(priceLine(line({ worked_minutes: 1 }), rate).amount_cents).toBe(1); // 0.5 cent → 1
    const odd = { ...hourly, base_amount_cents: 1001 };
    // exact 7 × 1001 / 60 = 116.783… → 117; night premium 7 × 1001 × 25% / 60 = 29.19… → 29
    const priced = priceLine(line({ worked_minutes: 7, night_minutes: 7 }), odd);
    expect(priced.amount_cents).toBe(146); // (7×1001×125)/6000 = 145.979 → 146, rounded once
    expect(priced.base_cents + priced.premiums.night).toBe(priced.amount_cents);
    expect(divideHalfUp(5n, 2n)).toBe(3n);
    expect(divideHalfUp(4n, 3n)).toBe(1n);
  });

  it('daily and cachet lines are flat', () => {
    expect(
      priceLine(line({ basis: 'DAILY', worked_minutes: 600 }), {
        ...hourly,
        basis: 'DAILY',
        base_amount_cents: 25000,
      }).amount_cents,
    ).toBe(25000);
    expect(
      priceLine(line({ basis: 'CACHET', cachets: 3 }), {
        ...hourly,
        basis: 'CACHET',
        base_amount_cents: 15000,
      }).amount_cents,
    ).toBe(45000);
  });

  it('weekly overtime: minutes beyond the threshold, counted in start order within the week', () => {
    const day = (d: number) => ({ week: 'w1', startMs: d, worked_minutes: 480, threshold: 35 * 60 });
    // given out of order: the fifth day (d=5) pushes the week from 32 h to 40 h → 5 h overtime
    expect(weeklyOvertime([day(5), day(1), day(2), day(3), day(4)])).toEqual([300, 0, 0, 0, 0]);
    expect(weeklyOvertime([{ ...day(1), threshold: null }])).toEqual([0]);
    expect(weeklyOvertime([day(1), { ...day(2), week: 'w2' }])).toEqual([0, 0]);
  });

  it('formats cents and hours with a decimal point or comma', () => {
    expect(formatCents(123456)).toBe('1234.56');
    expect(formatCents(5, ',')).toBe('0,05');
    expect(formatHours(450, ',')).toBe('7,50');
    expect(formatHours(1)).toBe('0.02');
  });
});

describe('rate resolution', () => {
  it('mission+person > mission > role+person > role > person', () => {
    const e = { user_id: 'u', mission_id: 'm', role_name: 'Rigger' };
    const b = (profile_id: string, over: object) => ({
      profile_id,
      user_id: null,
      role_name: null,
      mission_id: null,
      ...over,
    });
    const all = [
      b('person', { user_id: 'u' }),
      b('role', { role_name: 'Rigger' }),
      b('role_user', { role_name: 'Rigger', user_id: 'u' }),
      b('mission', { mission_id: 'm' }),
      b('mission_user', { mission_id: 'm', user_id: 'u' }),
    ];
    expect(new RateResolver(all).resolve(e)).toBe('mission_user');
    expect(new RateResolver(all.slice(0, 4)).resolve(e)).toBe('mission');
    expect(new RateResolver(all.slice(0, 3)).resolve(e)).toBe('role_user');
    expect(new RateResolver(all.slice(0, 2)).resolve(e)).toBe('role');
    expect(new RateResolver(all.slice(0, 1)).resolve(e)).toBe('person');
    expect(new RateResolver(all.slice(0, 1)).resolve({ ...e, user_id: 'other' })).toBeNull();
  });
});
