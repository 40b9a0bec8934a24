/** Customer text in Discord notices shows as typed: no masked links, mentions, quotes or markdown. */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { escapeDiscordText } from '../../../src/channels/discord/discord-markdown.ts';

test('masked links, mentions, quotes, headings and emphasis are escaped', () => {
  const cases: Array<[string, string]> = [
    ['[Claim your refund](https://evil.example)', '\\[Claim your refund\\](https://evil.example)'],
    ['@everyone and @here', '@\u200beveryone and @\u200bhere'],
    ['<@123> <@&45> <#67> <t:1700000000:R>', '\\<@123> \\<@&45> \\<#67> \\<t:1700000000:R>'],
    ['> quoted\n-# small\n# Big', '\\> quoted\n\\-# small\n\\# Big'],
    ['**bold** _it_ ~~gone~~ ||spoiler|| `code`', '\\*\\*bold\\*\\* \\_it\\_ \\~\\~gone\\~\\~ \\|\\|spoiler\\|\\| \\`code\\`'],
    ['plain words, 3/10.', 'plain words, 3/10.'],
  ];
  for (const [input, expected] of cases) assert.equal(escapeDiscordText(input), expected, input);
});
