/** The dashboard's public face: its routes (pages, login, charts), mounted by the reports module. */
export { dashboardRoutes } from './dashboard-routes.ts';
