/**
 * Work through claimed items several at a time: `n` workers each take one (`takeAndHandle`
 * claims it in the database and handles it) until none is left. The claim, not this
 * loop, keeps workers and processes apart; several at a time, so one item waiting on its
 * platform (a rate-limit slot) does not hold the others behind it.
 */
export async function untilNoneLeft(n: number, takeAndHandle: () => Promise<boolean>): Promise<void> {
  const worker = async (): Promise<void> => {
    while (await takeAndHandle()) { /* next */ }
  };
  await Promise.all(Array.from({ length: Math.max(1, n) }, worker));
}
