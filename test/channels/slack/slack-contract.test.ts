/** Slack keeps the adapter contract, against the fake Web API (Slack's `ok:false` codes and its 429) and Events API requests signed as Slack signs them. */
import { BOT_TOKEN, FakeSlack } from '../../fakes/slack-web-api.ts';
import { SIGNING_SECRET, deliver, reactionAdded } from '../../fakes/slack-events.ts';
import { adapterContract } from '../../helpers/adapter-contract.ts';

const CARE = 'CCARE0077';
const AGENT = 'UAGENT077';
let fake: FakeSlack;
let url = '';
let n = 0;
let last = '';

adapterContract('slack', {
  channel: 'slack',
  async start() {
    fake = await new FakeSlack().start();
    fake.addUser({ id: AGENT, real_name: 'Sam Agent' });
    return {
      SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl,
      SLACK_CARE_CHANNELS: CARE, SLACK_STAFF_IDS: AGENT, SLACK_THREAD_FALLBACK: 'false',
    };
  },
  started(app) { url = app.url; },
  stop: () => fake.close(),
  recipient: () => {
    last = `UCONTR${String(++n).padStart(3, '0')}`;
    fake.addUser({ id: last, real_name: 'Cus Tomer', locale: 'en-US' });
    return { surveyId: `s${n}`, conversationId: `${CARE}:1700000000.00000${n}`, customerId: last, locale: 'en' };
  },
  noticeChannel: () => 'CMANAGERS',
  accepted: () => [...fake.channels.keys()].reduce((sum, channel) => sum + fake.botMessages(channel).length, 0),
  failNext(failure) {
    // Slack answers 429 with Retry-After for a rate limit, and HTTP 200 `ok:false` with a code for everything else.
    if (failure === 'rate-limited') fake.rateLimits.set('chat.postMessage', [2]);
    else fake.postRefusals.set(fake.dmChannelOf(last), failure === 'server-error' ? 'internal_error' : 'is_archived');
  },
  clearFailures: () => { fake.rateLimits.clear(); fake.postRefusals.clear(); },
  webhook: {
    deliver(how) {
      const cust = `UHOOK${String(++n).padStart(4, '0')}`;
      fake.addUser({ id: cust, real_name: 'Cus Tomer' });
      const root = fake.say(CARE, cust, 'Help');
      const event = reactionAdded(AGENT, 'white_check_mark', CARE, root, cust);
      if (how === 'unsigned') return fetch(`${url}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: event.body });
      return deliver(url, event, how === 'forged' ? { secret: 'not-the-signing-secret' } : {});
    },
  },
});
