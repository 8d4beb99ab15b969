/**
 * Notification lag: from the instant a copy became Available at the provider (the simulator's
 * completion instant of its copy task) to the instant the webhook receiver got the job's
 * outcome, both on the run's virtual clock. The first receipt counts; a redelivery changes
 * nothing for whoever was waiting.
 */
export interface FinishedCopy {
  readonly destinationImageId: string;
  readonly finishedAtMs: number;
}

export interface Receipt {
  readonly destinationImageId: string | null;
  readonly atMs: number;
}

/** Seconds of lag per copy, in the order of `copies`; a copy nobody was told about throws. */
export const notificationLagsSeconds = (copies: readonly FinishedCopy[], receipts: readonly Receipt[]): number[] => {
  const first = new Map<string, number>();
  for (const receipt of receipts) {
    if (receipt.destinationImageId === null) continue;
    const seen = first.get(receipt.destinationImageId);
    if (seen === undefined || receipt.atMs < seen) first.set(receipt.destinationImageId, receipt.atMs);
  }
  return copies.map((copy) => {
    const at = first.get(copy.destinationImageId);
    if (at === undefined) throw new Error(`no webhook receipt for the copy ${copy.destinationImageId}`);
    if (at < copy.finishedAtMs) throw new Error(`the copy ${copy.destinationImageId} was notified before it finished`);
    return (at - copy.finishedAtMs) / 1000;
  });
};
