// date-holidays 3 ships typings, but its package `exports` hide them from `moduleResolution: node16`: the part
// we use, declared here.
declare module 'date-holidays' {
  interface HolidayEntry {
    /** local date and time, "YYYY-MM-DD hh:mm:ss" */
    date: string;
    type: 'public' | 'bank' | 'school' | 'optional' | 'observance';
    name: string;
  }
  export default class Holidays {
    constructor(country?: string);
    getHolidays(year: number): HolidayEntry[];
    getCountries(): Record<string, string>;
  }
}
