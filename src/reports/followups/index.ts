/**
 * The follow-up workflow's public face: what commands, forget and the migrations use.
 * Detractor follow-ups are opened by survey-sync, listed and closed by managers, reminded
 * when overdue, and counted in the closed-loop figures.
 */
export { FOLLOWUP_OUTCOMES } from './followup-model.ts';
export { closedLoopCsv, closedLoopParamsSchema, closedLoopSummary, type ClosedLoopSummary } from './followup-summary.ts';
export { followupPatchSchema, type FollowupView } from './followup-workflow.ts';
export { loadFollowupSettings } from './followup-config.ts';
export { eraseFollowupsOf, type FollowupErasure, type PostedAlert } from './followup-erasure.ts';
