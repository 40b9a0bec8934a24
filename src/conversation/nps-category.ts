/** The fixed NPS cut-offs: 0–6 detractor, 7–8 passive, 9–10 promoter. Never per customer. */
export type Category = 'promoter' | 'passive' | 'detractor';

export function categorize(score: number): Category {
  if (!Number.isInteger(score) || score < 0 || score > 10) throw new RangeError(`not an NPS score: ${score}`);
  return score >= 9 ? 'promoter' : score >= 7 ? 'passive' : 'detractor';
}
