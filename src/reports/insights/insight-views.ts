/**
 * One entry point for the understanding reports, shared by the HTTP routes and the CLI:
 * a view name (`themes`, `drivers`, `agents`, `segments`, `value`) and the shared
 * parameters give the report as JSON, CSV and a terminal table.
 */
import { runAgentComparison } from './agent-report.ts';
import { runCoverageReport } from './coverage-report.ts';
import type { InsightContext, InsightHeader, InsightParams } from './insight-range.ts';
import {
  agentsCsv, agentsTable, coverageCsv, coverageTable, driversCsv, driversTable, insightCsvFilename, segmentsCsv, segmentsTable, themesCsv, themesTable, valueCsv, valueTable,
  type InsightView,
} from './insight-render.ts';
import type { Scope } from '../scope.ts';
import { runSegmentReport } from './segment-report.ts';
import type { Theme } from '../themes/theme-list.ts';
import { runThemeReport } from '../themes/theme-report.ts';
import { runValueReport } from './value-report.ts';

export interface InsightOutput {
  json: InsightHeader;
  csv(): string;
  table(): string;
  filename: string;
}

export async function runInsight(view: InsightView, ctx: InsightContext, p: InsightParams, scope: Scope, themes: readonly Theme[]): Promise<InsightOutput> {
  const out = <R extends InsightHeader>(json: R, csv: (r: R) => string, table: (r: R) => string): InsightOutput => ({
    json, csv: () => csv(json), table: () => table(json), filename: insightCsvFilename(view, json),
  });
  switch (view) {
    case 'themes': return out(await runThemeReport(ctx, p, scope, themes), themesCsv, themesTable);
    case 'drivers': {
      const { rows: _rows, ...drivers } = await runThemeReport(ctx, p, scope, themes);
      return out(drivers, driversCsv, driversTable);
    }
    case 'agents': return out(await runAgentComparison(ctx, p, scope), agentsCsv, agentsTable);
    case 'segments': return out(await runSegmentReport(ctx, p, scope), segmentsCsv, segmentsTable);
    case 'value': return out(await runValueReport(ctx, p, scope), valueCsv, valueTable);
    case 'coverage': return out(await runCoverageReport(ctx, p, scope), coverageCsv, coverageTable);
  }
}
