/**
 * The discord.js client, built with the least it needs: which intents, which partials,
 * where REST lives (DISCORD_API_URL; discord.js then asks that server's
 * `GET /gateway/bot` for the gateway URL) and how it shards.
 */
import { Client, GatewayIntentBits, Options, Partials, type ClientOptions } from 'discord.js';
import type { DiscordSettings } from './discord-settings.ts';

/**
 * Guilds: channels, threads, roles and THREAD_UPDATE (tags, archive, lock).
 * DirectMessages: the customer's typed answers in DMs (DM content needs no privileged intent).
 * GuildMessages + MessageContent: only for the thread fallback, where the customer types
 * the answer in the support thread; Discord hides guild message text without
 * MessageContent unless the message mentions the bot. Turn the fallback off and the
 * bot needs no privileged intent at all.
 */
export function intentsFor(settings: Pick<DiscordSettings, 'threadFallback'>): GatewayIntentBits[] {
  const intents = [GatewayIntentBits.Guilds, GatewayIntentBits.DirectMessages];
  if (settings.threadFallback) intents.push(GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent);
  return intents;
}

export function createDiscordClient(settings: DiscordSettings): Client {
  const options: ClientOptions = {
    intents: intentsFor(settings),
    // DM channels are not in any cache until their first message: without this partial
    // discord.js drops DM messages and button presses in DMs.
    partials: [Partials.Channel],
    rest: { api: settings.apiUrl },
    // Nothing here needs large caches: resolution checks fetch fresh data over REST.
    makeCache: Options.cacheWithLimits({
      ...Options.DefaultMakeCacheSettings,
      MessageManager: 50,
      PresenceManager: 0,
      ReactionManager: 0,
      VoiceStateManager: 0,
      StageInstanceManager: 0,
      GuildEmojiManager: 0,
      GuildStickerManager: 0,
    }),
    // The bot never pings anyone it did not name explicitly.
    allowedMentions: { parse: [] },
  };
  // Unset: one shard, or the SHARDS/SHARD_COUNT a ShardingManager passes to its children.
  if (settings.shards) options.shards = settings.shards;
  return new Client(options);
}
