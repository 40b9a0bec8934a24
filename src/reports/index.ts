/**
 * The reports' public face for the app and the commands. Reports read the surveys through
 * the survey repository's reader and their own rollups; they never import a channel.
 * Sub-folders, each with its own face: rollups/, followups/, themes/, insights/, digest/,
 * dashboard/. What stays here is the report query itself (NPS per channel and agent from
 * the rollups), its rendering and routes, and the small shared pieces (math, time zones,
 * scopes, CSV).
 */
export { createReports } from './reports-module.ts';
export { catchUp, checkRollupZone, openReportCli, type ReportCli } from './report-cli.ts';
export { reportParamsSchema, ReportRangeError, runReport } from './report-query.ts';
export { reportCsv, reportTable } from './report-render.ts';
export { EVERYTHING } from './scope.ts';
export { loadReportSettings, readDigestTarget } from './report-config.ts';
export type { Notice, NoticeTarget } from './notice-target.ts';
export { dayRange, npsReport } from './raw-nps-count.ts';
