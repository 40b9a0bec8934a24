/** Discord keeps the adapter contract, against the fake Discord (REST and gateway; no webhook: events come over the gateway). */
import { FakeDiscord } from '../../fakes/discord-fake.ts';
import { buildSupportServer, TEST_DISCORD_TOKEN, type SupportServer } from '../../fakes/discord-support-server.ts';
import { adapterContract } from '../../helpers/adapter-contract.ts';

let discord: FakeDiscord;
let server: SupportServer;
let n = 0;
let last = '';

adapterContract('discord', {
  channel: 'discord',
  rateLimitWaitedOutBy: "discord.js's REST buckets",
  async start() {
    discord = await FakeDiscord.start({ token: TEST_DISCORD_TOKEN, heartbeatIntervalMs: 250 });
    server = buildSupportServer(discord);
    return server.env({ DISCORD_THREAD_FALLBACK: 'false' });
  },
  stop: () => discord.stop(),
  recipient: () => {
    last = server.customer(`Casey Contract ${++n}`).id;
    return { surveyId: `s${n}`, conversationId: `t${n}`, customerId: last, locale: 'en' };
  },
  noticeChannel: () => server.support.id,
  accepted: () => discord.requestsTo('POST', /^\/channels\/\d+\/messages$/).filter((r) => r.status === 200).length,
  failNext(failure) {
    if (failure === 'rate-limited') discord.rateLimitNext('POST', /^\/users\/@me\/channels$/, 1, 0.3);
    // Past discord.js's own retries of a 5xx.
    else if (failure === 'server-error') discord.failNext('POST', /^\/users\/@me\/channels$/, 10, 502);
    else discord.world.dmClosed.add(last);
  },
  clearFailures: () => discord.clearFailures(),
});
