/**
 * The contract every channel adapter keeps, as one suite each adapter runs against its
 * own fake platform (in the manner of BullMQ's adapter conformance tests): the whole bot
 * is started from the adapter's settings, and the adapter the app built is driven
 * directly.
 *
 * - `send` delivers a question (with its 0–10 choices) to the platform; `post` delivers a
 *   notice for managers;
 * - the platform's failures come back as the contract's three send errors: rate limited
 *   (429 or the platform's own form) → `TransientSendError` with a wait, a server error →
 *   `TransientSendError`, a refusal (4xx) → `PermanentSendError`;
 *   (where the platform library waits a 429 out itself, the send succeeds after the wait);
 * - where the adapter has a webhook: an unsigned delivery and a badly signed one are
 *   refused (401/403) and change nothing; the same delivery properly signed is taken.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import type { ChannelAdapter, Recipient } from '../../src/conversation/channel-contract/channel.ts';
import { PermanentSendError, TransientSendError } from '../../src/conversation/channel-contract/send-errors.ts';
import { eventually, startTestApp, type TestApp } from './app.ts';
import { countSurveys } from './surveys.ts';

export type PlatformFailure = 'rate-limited' | 'server-error' | 'refused';

export interface ContractHarness {
  /** The adapter's name among the app's channels. */
  channel: string;
  /** Start the fake platform; the settings that point the adapter at it. */
  start(): Promise<Record<string, string>>;
  /** After the bot is up: tell the fake where the bot's webhook is. */
  started?(app: TestApp): Promise<void> | void;
  stop(): Promise<void>;
  /** A customer the platform knows, fresh for each call (so per-chat pacing never links two tests). */
  recipient(): Promise<Recipient> | Recipient;
  /** Where a notice for managers may go. */
  noticeChannel(): Promise<string> | string;
  /** How many messages (to customers or managers) the fake platform has accepted. */
  accepted(): number;
  /** Make the platform answer the adapter's next call with this failure, the way it documents it. */
  failNext(failure: PlatformFailure): void;
  /** Settle anything scripted and not used (e.g. a failure the send never reached). */
  clearFailures?(): void;
  /**
   * Set when the platform library itself waits out a 429 and sends again (discord.js's
   * REST buckets): the contract is then that the send still succeeds, after the wait.
   */
  rateLimitWaitedOutBy?: string;
  webhook?: {
    /** Deliver one event the adapter would act on (a resolution), signed as the platform signs, not at all, or with a wrong secret. */
    deliver(how: 'signed' | 'unsigned' | 'forged'): Promise<{ status: number }>;
  };
}

const QUESTION = { kind: 'question' as const, text: 'How likely are you to recommend Acme to a friend?', choices: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10] };

export function adapterContract(label: string, harness: ContractHarness): void {
  describe(`${label}: the channel adapter contract`, () => {
    let app: TestApp;
    let adapter: ChannelAdapter;
    let key = 0;
    const message = () => ({ ...QUESTION, idempotencyKey: `contract-${label}-${++key}` });

    beforeAll(async () => {
      const env = await harness.start();
      app = await startTestApp({ label: `contract-${label.replace(/[^a-z0-9]/gi, '-')}`, env: { COMPANY_NAME: 'Acme', ...env }, schedule: false });
      await harness.started?.(app);
      const found = app.channels.get(harness.channel);
      assert.ok(found, `the app built no ${harness.channel} channel from these settings (it has ${[...app.channels.keys()].join(', ')})`);
      adapter = found;
    });

    afterAll(async () => {
      await app?.close();
      await harness.stop();
    });

    test('send: the question reaches the platform', async () => {
      const before = harness.accepted();
      await adapter.send(await harness.recipient(), message());
      await eventually(async () => harness.accepted() > before, 5000, 'the platform to accept the question');
    });

    test('post: a notice for managers reaches the platform', async () => {
      const before = harness.accepted();
      await adapter.post(await harness.noticeChannel(), { text: 'A detractor answered 3', fields: { Agent: 'Anna' } });
      await eventually(async () => harness.accepted() > before, 5000, 'the platform to accept the notice');
    });

    const expectations: Array<[PlatformFailure, string, (err: unknown) => void]> = [
      ['rate-limited', 'transient, with how long to wait', (err) => {
        assert.ok(err instanceof TransientSendError, String(err));
        assert.ok((err.retryAfterMs ?? 0) > 0, `retryAfterMs ${err.retryAfterMs}`);
      }],
      ['server-error', 'transient', (err) => assert.ok(err instanceof TransientSendError, String(err))],
      ['refused', 'permanent', (err) => assert.ok(err instanceof PermanentSendError, String(err))],
    ];
    if (harness.rateLimitWaitedOutBy) {
      expectations.shift();
      test(`errors: the platform rate limiting (429) is waited out by ${harness.rateLimitWaitedOutBy}, then the message is delivered`, async () => {
        const to = await harness.recipient();
        const before = harness.accepted();
        harness.failNext('rate-limited');
        await adapter.send(to, message());
        await eventually(async () => harness.accepted() > before, 5000, 'the platform to accept the question after the wait');
      });
    }
    for (const [failure, meaning, check] of expectations) {
      test(`errors: the platform ${failure === 'refused' ? 'refusing (4xx)' : failure === 'server-error' ? 'failing (5xx)' : 'rate limiting (429)'} is ${meaning}`, async () => {
        const to = await harness.recipient();
        harness.failNext(failure);
        try {
          const err = await adapter.send(to, message()).then(() => null, (e: unknown) => e);
          assert.ok(err !== null, 'the send succeeded although the platform failed');
          check(err);
        } finally {
          harness.clearFailures?.();
        }
      });
    }

    if (harness.webhook) {
      const webhook = harness.webhook;
      test('webhook: an unsigned and a badly signed delivery are refused and change nothing; properly signed, it is taken', async () => {
        const before = await countSurveys(app, {});
        for (const how of ['unsigned', 'forged'] as const) {
          const res = await webhook.deliver(how);
          assert.ok([401, 403].includes(res.status), `${how}: answered ${res.status}`);
        }
        assert.equal(await countSurveys(app, {}), before, 'a refused delivery stored something');
        const res = await webhook.deliver('signed');
        assert.ok(res.status >= 200 && res.status < 300, `signed: answered ${res.status}`);
      });
    }
  });
}
