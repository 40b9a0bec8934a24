/**
 * Customer text in a Discord message must show as typed, never as markdown: a comment
 * like `[your refund](https://evil.example)` would otherwise render as a trustworthy-
 * looking link in the managers' channel, and `<@id>`/`@everyone` as mentions (the
 * notice also sends `allowed_mentions: {parse: []}`, so none of them ever pings).
 */
import { escapeMarkdown } from 'discord.js';

const EVERYTHING = {
  codeBlock: true, inlineCode: true, bold: true, italic: true, underline: true, strikethrough: true, spoiler: true,
  codeBlockContent: true, inlineCodeContent: true, escape: true, heading: true, bulletedList: true, numberedList: true, maskedLink: true,
} as const;

/** `text` escaped so Discord shows it literally: markdown, masked links, quotes, mentions. */
export function escapeDiscordText(text: string): string {
  return escapeMarkdown(text, EVERYTHING)
    // What escapeMarkdown leaves: a masked link's closing part, block quotes, subtext lines.
    .replace(/\]\(/g, '\\](')
    .replace(/^(\s*)(>|-#)/gm, '$1\\$2')
    // <@id>, <@&role>, <#channel>, <t:…>, </command:id>: shown, not resolved.
    .replace(/</g, '\\<')
    // @everyone / @here: a zero-width space keeps them from being read as mentions.
    .replace(/@(everyone|here)/gi, '@\u200b$1');
}
