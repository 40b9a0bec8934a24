/**
 * A platform endpoint's answer, read with a size cap: a misbehaving or hostile endpoint
 * (a wrong URL, a proxy's error page, an endless stream) must not fill the bot's memory.
 * Past the cap the stream is cancelled and the text cut there (a JSON parser then fails
 * on it, which every caller treats as "no readable answer").
 */

/** 1 MB: far above any answer the platforms document for a send. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;

export async function cappedText(res: Response, maxBytes = MAX_RESPONSE_BYTES): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const room = maxBytes - size;
      if (value.byteLength >= room) {
        chunks.push(value.subarray(0, room));
        size = maxBytes;
        await reader.cancel().catch(() => undefined);
        break;
      }
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // A connection cut mid-answer: what arrived is what we have.
  }
  return Buffer.concat(chunks, size).toString('utf8');
}
