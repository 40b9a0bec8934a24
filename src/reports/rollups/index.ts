/**
 * The rollups' public face: day and month buckets of counts per channel and credited
 * agent, kept in step by survey-sync, rebuilt and verified by `nps-bot rollup`.
 */
export { rebuildRollups, verifyRollups } from './rollup-rebuild.ts';
