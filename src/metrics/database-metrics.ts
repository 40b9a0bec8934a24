/** Database connection health from the driver's own events: losses, recoveries, failed heartbeats. */
import type { Connection } from 'mongoose';
import type { BotMetrics } from './bot-metrics.ts';

export function watchDatabase(conn: Connection, metrics: BotMetrics): () => void {
  const disconnected = () => metrics.dbDisconnects.inc();
  const reconnected = () => metrics.dbReconnects.inc();
  const error = () => metrics.dbErrors.inc({ kind: 'connection' });
  const heartbeatFailed = () => metrics.dbErrors.inc({ kind: 'heartbeat' });
  conn.on('disconnected', disconnected);
  conn.on('reconnected', reconnected);
  conn.on('error', error);
  const client = conn.getClient();
  client.on('serverHeartbeatFailed', heartbeatFailed);
  return () => {
    conn.off('disconnected', disconnected);
    conn.off('reconnected', reconnected);
    conn.off('error', error);
    client.off('serverHeartbeatFailed', heartbeatFailed);
  };
}

/** A request that failed with a driver or mongoose error (a 500 caused by the database). */
export function countDatabaseFailure(err: unknown, metrics: BotMetrics): void {
  const name = err instanceof Error ? err.name : '';
  if (name.startsWith('Mongo') || name.startsWith('Mongoose')) metrics.dbErrors.inc({ kind: 'request' });
}
