import type { FastifyPluginAsync } from 'fastify';
import { dpaeRoutes } from './dpae/dpae.routes.js';
import { exportsRoutes } from './payroll/exports.routes.js';
import { totalsRoutes } from './payroll/totals.routes.js';
import { ratesRoutes } from './rates/rates.routes.js';
import { timesheetsRoutes } from './timesheets/timesheets.routes.js';
import { paySettingsRoutes } from './pay/pay-settings.routes.js';

/**
 * Every hours-and-pay route (issue 15), registered under the org scope by one line of org-routes.ts. Kept out of
 * pay/, which the other pay modules build on: gathering their routes there would make the modules a cycle.
 */
export const hoursAndPayRoutes: FastifyPluginAsync = async (app) => {
  await app.register(paySettingsRoutes);
  await app.register(timesheetsRoutes);
  await app.register(ratesRoutes);
  await app.register(totalsRoutes);
  await app.register(exportsRoutes);
  await app.register(dpaeRoutes);
};
