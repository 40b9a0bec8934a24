/**
 * Slack user ids (`U…`, or `W…` on Enterprise Grid). Anything else is refused where it
 * enters: an id is pasted into `<@…>` mentions, so a made-up one could carry mrkdwn
 * (`U1> <!channel> <https://evil.example|…`) into a channel.
 */
export const SLACK_USER_ID = /^[UW][A-Z0-9]{1,30}$/;

/** The id itself (trimmed) when it is a Slack user id, else null. */
export function canonicalSlackUserId(id: string): string | null {
  const trimmed = id.trim();
  return SLACK_USER_ID.test(trimmed) ? trimmed : null;
}
