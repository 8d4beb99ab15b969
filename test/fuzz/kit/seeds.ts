/** Fixed suite seeds: change one only on purpose, since a printed failure names it. */
export const FUZZ_SEEDS = {
  fcEvents: 0x5eed_0001,
  queueMessages: 0x5eed_0002,
  policyConfig: 0x5eed_0003,
  functionEnv: 0x5eed_0004,
  ecsAnswers: 0x5eed_0005,
  webhookUrls: 0x5eed_0006,
} as const;
