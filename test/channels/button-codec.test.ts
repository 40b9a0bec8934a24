/**
 * The score-button codec (`src/channels/button-codec.ts`), by property (fast-check) and by
 * literal example: encode → decode is the identity for every button a platform can carry,
 * every payload fits the platform's documented limit, decode refuses what is not ours
 * (another tool's payload, a garbled or oversized one) and never throws, and payloads of
 * buttons sent before the codec existed (the old wire formats) still decode.
 */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  BUTTON_PLATFORMS, decodeScoreButton, encodeScoreButton, fits, type ButtonPlatformName, type ScoreButton,
} from '../../src/channels/button-codec.ts';

const PLATFORMS = Object.keys(BUTTON_PLATFORMS) as ButtonPlatformName[];
const RUNS = { numRuns: 300 };

/** What a format carries back: the customer only where the format names who may press. */
function carried(platform: ButtonPlatformName, b: ScoreButton): ScoreButton {
  const format = BUTTON_PLATFORMS[platform].format;
  const score = b.score + 0; // -0 is written as 0
  return format === 'slack' || format === 'discord' ? { surveyId: b.surveyId, score, customerId: b.customerId } : { surveyId: b.surveyId, score };
}

const score = fc.integer({ min: 0, max: 10 });
const objectId = fc.stringMatching(/^[0-9a-f]{24}$/);
const snowflake = fc.stringMatching(/^[1-9]\d{16,19}$/);
/** Buttons of every shape the formats may hold, and many they may not (so encode's refusals are exercised too). */
const anyButton = fc.record({
  surveyId: fc.oneof(
    objectId,
    fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
    fc.string({ minLength: 1, maxLength: 80, unit: 'binary' }),
  ),
  score: fc.oneof(score, fc.integer({ min: -3, max: 300 }), fc.double({ noNaN: false })),
  customerId: fc.oneof(snowflake, fc.stringMatching(/^[UW][A-Z0-9]{8,11}$/), fc.string({ minLength: 1, maxLength: 70, unit: 'binary' })),
});

describe('limits are the documented ones', () => {
  const documented: Record<ButtonPlatformName, [number, 'bytes' | 'chars']> = {
    telegram: [64, 'bytes'], // Bot API InlineKeyboardButton.callback_data: 1-64 bytes
    discord: [100, 'chars'], // custom_id: 1 to 100 characters
    slack: [2000, 'chars'], // button element value: max 2000 characters
    messenger: [1000, 'chars'], // quick reply payload: 1000 characters
    instagram: [1000, 'chars'],
    whatsapp: [200, 'chars'], // interactive list row id: 200 characters
    chatwoot: [200, 'chars'],
    sunshine: [200, 'chars'],
    x: [1000, 'chars'], // quick_reply option metadata: 1000 characters
    intercom: [36, 'chars'], // a UUID
  };
  for (const p of PLATFORMS) {
    test(p, () => assert.deepEqual([BUTTON_PLATFORMS[p].limit.max, BUTTON_PLATFORMS[p].limit.unit], documented[p]));
  }
});

describe('round trip (property)', () => {
  for (const platform of PLATFORMS) {
    test(`${platform}: a survey the engine makes (ObjectId), any score, a platform user id: always encoded, fits, decodes to itself`, () => {
      fc.assert(fc.property(objectId, score, snowflake, (surveyId, n, customerId) => {
        const b = { surveyId, score: n, customerId };
        const payload = encodeScoreButton(platform, b);
        assert.ok(fits(payload, BUTTON_PLATFORMS[platform].limit), payload);
        assert.deepEqual(decodeScoreButton(platform, payload), carried(platform, b));
      }), RUNS);
    });

    test(`${platform}: any button is either refused with a RangeError or encoded within the limit and decoded to itself`, () => {
      fc.assert(fc.property(anyButton, (b) => {
        let payload: string;
        try {
          payload = encodeScoreButton(platform, b);
        } catch (err) {
          assert.ok(err instanceof RangeError, String(err));
          return;
        }
        assert.ok(fits(payload, BUTTON_PLATFORMS[platform].limit));
        assert.deepEqual(decodeScoreButton(platform, payload), carried(platform, b));
      }), RUNS);
    });
  }

  test('choice platforms carry every id of letters, digits, _ and - up to what their limit holds', () => {
    for (const platform of ['messenger', 'instagram', 'whatsapp', 'chatwoot', 'sunshine', 'x', 'telegram'] as const) {
      // "nps:" + id + ":" + "10": Telegram's 64 bytes hold 57 characters of id, the others the format's 64.
      const room = Math.min(64, BUTTON_PLATFORMS[platform].limit.max - 7);
      fc.assert(fc.property(fc.stringMatching(new RegExp(`^[A-Za-z0-9_-]{1,${room}}$`)), score, (surveyId, n) => {
        assert.deepEqual(decodeScoreButton(platform, encodeScoreButton(platform, { surveyId, score: n })), { surveyId, score: n });
      }), RUNS);
    }
  });
});

describe('decode refuses what is not ours (property and examples)', () => {
  for (const platform of PLATFORMS) {
    test(`${platform}: any string or value never throws; what it accepts is in range and re-encodes to the same button`, () => {
      fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 120, unit: 'binary' }), fc.anything()), (payload) => {
        const b = decodeScoreButton(platform, payload);
        if (b === null) return;
        assert.ok(Number.isInteger(b.score) && b.score >= 0 && b.score <= 10);
        assert.deepEqual(decodeScoreButton(platform, encodeScoreButton(platform, b)), b);
      }), RUNS);
    });

    test(`${platform}: one of ours padded past the limit is refused, though its form is intact`, () => {
      fc.assert(fc.property(objectId, score, snowflake, (surveyId, n, customerId) => {
        const payload = encodeScoreButton(platform, { surveyId, score: n, customerId });
        const max = BUTTON_PLATFORMS[platform].limit.max;
        // Slack's JSON still parses with whitespace inside: only the size check refuses it.
        const padded = BUTTON_PLATFORMS[platform].format === 'slack' ? `${payload.slice(0, -1)}${' '.repeat(max)}}` : payload + ' '.repeat(max);
        assert.equal(decodeScoreButton(platform, padded), null);
      }), { numRuns: 50 });
    });
  }

  test('garbled payloads: a score out of range, a missing or extra part, another separator, another prefix', () => {
    const garbled: Array<[ButtonPlatformName, unknown]> = [
      ['messenger', 'nps:abc:11'], ['messenger', 'nps:abc:-1'], ['messenger', 'nps::5'], ['messenger', 'NPS:abc:5'],
      ['messenger', 'nps:abc:5:x'], ['messenger', 'nps:a b:5'], ['messenger', 'nps;abc;5'], ['messenger', 'BUY_NOW'],
      ['telegram', 'nps:answered'], ['telegram', `nps:${'a'.repeat(60)}:1`], ['x', 'menu:billing'], ['whatsapp', 'nps:abc'],
      ['sunshine', 'nps:abc:1.5'], ['chatwoot', ''], ['chatwoot', 42],
      ['discord', 'nps:abc:1:11'], ['discord', 'nps:abc:12:-1'], ['discord', 'other:abc:123:5'], ['discord', `nps:${'a'.repeat(41)}:1:5`],
      ['discord', 'nps:abc:U123:5'], ['discord', 'nps:abc:5'],
      ['slack', '{}'], ['slack', '{"s":"a","n":11,"u":"U"}'], ['slack', '{"s":"a","n":1.5,"u":"U"}'], ['slack', '{"s":"","n":1,"u":"U"}'],
      ['slack', '[1]'], ['slack', 'null'], ['slack', '{"s":"a","n":"1","u":"U"}'], ['slack', '{"s":"a","n":1'],
      ['intercom', '0b5c2c1e-8f61-4a4e-9b53-2f8e6c1d7a90'], ['intercom', '65f0c0ff-ee01-2345-6789-abcd00000b00'],
      ['intercom', '65f0c0ff-ee01-2345-6789-abcd00010900'], ['intercom', '65f0c0ffee0123456789abcd00000900'],
    ];
    for (const [platform, payload] of garbled) assert.equal(decodeScoreButton(platform, payload), null, `${platform} ${String(payload)}`);
  });

  test('a button that cannot be carried is refused on the way out', () => {
    assert.throws(() => encodeScoreButton('telegram', { surveyId: 'x'.repeat(60), score: 1 }), /at most 64 bytes/);
    assert.throws(() => encodeScoreButton('messenger', { surveyId: 'has space', score: 1 }), RangeError);
    assert.throws(() => encodeScoreButton('messenger', { surveyId: 'abc', score: 11 }), RangeError);
    assert.throws(() => encodeScoreButton('discord', { surveyId: 'abc', score: 1, customerId: 'not-a-snowflake' }), RangeError);
    assert.throws(() => encodeScoreButton('slack', { surveyId: 'abc', score: 1 }), RangeError, 'Slack buttons name the customer');
    assert.throws(() => encodeScoreButton('intercom', { surveyId: 'not-hex', score: 3 }), RangeError);
  });
});

describe('buttons already sent (the old wire formats) still decode, and are still what is sent', () => {
  const old: Array<[ButtonPlatformName, string, ScoreButton]> = [
    ['messenger', 'nps:66f0c0ffee:7', { surveyId: '66f0c0ffee', score: 7 }],
    ['instagram', 'nps:6650f0c2a1b2c3d4e5f60718:10', { surveyId: '6650f0c2a1b2c3d4e5f60718', score: 10 }],
    ['whatsapp', 'nps:6650f0c2a1b2c3d4e5f60718:0', { surveyId: '6650f0c2a1b2c3d4e5f60718', score: 0 }],
    ['chatwoot', 'nps:6650f0c2a1b2c3d4e5f60718:9', { surveyId: '6650f0c2a1b2c3d4e5f60718', score: 9 }],
    ['sunshine', 'nps:6650f0c2a1b2c3d4e5f60718:4', { surveyId: '6650f0c2a1b2c3d4e5f60718', score: 4 }],
    ['telegram', 'nps:65a1b2c3d4e5f60718293a4b:8', { surveyId: '65a1b2c3d4e5f60718293a4b', score: 8 }],
    ['x', 'nps:abc:0', { surveyId: 'abc', score: 0 }],
    ['discord', 'nps:665f1c2e9b1e8a0012345678:987654321098765432:5', { surveyId: '665f1c2e9b1e8a0012345678', customerId: '987654321098765432', score: 5 }],
    ['slack', '{"s":"65f0c0ffee0000000000abcd","n":10,"u":"U123"}', { surveyId: '65f0c0ffee0000000000abcd', score: 10, customerId: 'U123' }],
    ['intercom', '65f0c0ff-ee01-2345-6789-abcd00000900', { surveyId: '65f0c0ffee0123456789abcd', score: 9 }],
  ];
  for (const [platform, payload, button] of old) {
    test(`${platform}: ${payload}`, () => {
      assert.deepEqual(decodeScoreButton(platform, payload), button);
      assert.equal(encodeScoreButton(platform, button), payload, 'the codec writes the same wire format');
    });
  }

  test('Slack values written with the keys in another order, Intercom uuids in capitals', () => {
    assert.deepEqual(decodeScoreButton('slack', '{"u":"U1","n":3,"s":"abc"}'), { surveyId: 'abc', score: 3, customerId: 'U1' });
    assert.deepEqual(decodeScoreButton('intercom', '65F0C0FF-EE01-2345-6789-ABCD00000900'), { surveyId: '65f0c0ffee0123456789abcd', score: 9 });
  });
});
