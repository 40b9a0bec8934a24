/**
 * The whole bot wired to one platform fake, as the end-to-end channel tests set it up:
 * start the fake, start the bot with settings that name it, point the fake's webhooks at
 * the bot; and the teardown in the order that leaves nothing running: the fake's own
 * deliveries answered, the bot stopped (its database dropped), then the fake closed.
 */
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from './app.ts';

/** What a loopback platform fake offers the set-up (see test/fakes/loopback-fake.ts). */
export interface PlatformFake {
  readonly url: string;
  settled(): Promise<void>;
  stop(): Promise<void>;
}

export async function startBotWithFake<F extends PlatformFake>(opts: {
  /** Names the test database. */
  label: string;
  fake: () => Promise<F>;
  /** The bot's settings for this platform (the fake's url among them). */
  env: (fake: F) => Record<string, string>;
  /** Point the fake's webhooks at the bot's routes under `appUrl` (as the platform's admin would); none for a platform the bot connects out to. */
  webhooks?: (fake: F, appUrl: string) => void | Promise<void>;
}): Promise<{ fake: F; app: TestApp }> {
  const fake = await opts.fake();
  let app: TestApp;
  try {
    app = await startTestApp({ label: opts.label, env: opts.env(fake) });
  } catch (err) {
    // The caller never gets the fake to stop: do it here, or its server keeps the test process open.
    await fake.stop();
    throw err;
  }
  try {
    await opts.webhooks?.(fake, app.url);
  } catch (err) {
    await stopBotWithFake({ fake, app });
    throw err;
  }
  return { fake, app };
}

/** Tolerates a set-up that failed half-way (either part may be missing). */
export async function stopBotWithFake(parts: { fake?: PlatformFake; app?: TestApp }): Promise<void> {
  await parts.fake?.settled();
  await parts.app?.close();
  await parts.fake?.stop();
}

/** The bot answered a delivery (a fake's webhook POST) with 200; its body is the message when not. */
export async function assertAccepted(delivery: Promise<Response | undefined> | Response | undefined): Promise<void> {
  const res = await delivery;
  assert.equal(res?.status, 200, await res?.text());
}
