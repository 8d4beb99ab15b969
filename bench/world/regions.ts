import { type CopySettings, type RegionPairBandwidth, copyDurationMs } from '../../sim/model';

/**
 * The world the virtual-time scenarios run in: the source region and ten destinations, with a
 * bandwidth for every pair. Copy speed between Alibaba regions follows geography: fast inside
 * mainland China, slower to Asia-Pacific, slowest across continents and to the Middle East. The
 * numbers are plausible orders of magnitude (MiB/s), not measurements; what matters to the bench
 * is that they vary, so a scheduler that picks its relay sources blindly pays for it.
 */
export const SOURCE_REGION = 'cn-hangzhou';

const Area = { China: 'china', AsiaPacific: 'apac', Europe: 'europe', America: 'america', MiddleEast: 'middle-east' } as const;
type Area = (typeof Area)[keyof typeof Area];

const AREA_OF: Readonly<Record<string, Area>> = {
  'cn-hangzhou': Area.China,
  'cn-shanghai': Area.China,
  'cn-beijing': Area.China,
  'cn-shenzhen': Area.China,
  'cn-qingdao': Area.China,
  'ap-southeast-1': Area.AsiaPacific,
  'ap-northeast-1': Area.AsiaPacific,
  'eu-central-1': Area.Europe,
  'eu-west-1': Area.Europe,
  'us-west-1': Area.America,
  'me-east-1': Area.MiddleEast,
};

/** The ten destinations, nearest first. */
export const DESTINATIONS_10: readonly string[] = Object.keys(AREA_OF).filter((region) => region !== SOURCE_REGION);
export const ALL_REGIONS: readonly string[] = [SOURCE_REGION, ...DESTINATIONS_10];

/** Six destinations spread over every area: the fan-out and calls scenarios copy to these. */
export const DESTINATIONS_6: readonly string[] = ['cn-shanghai', 'cn-beijing', 'ap-southeast-1', 'eu-central-1', 'us-west-1', 'me-east-1'];

/** MiB/s between two areas (symmetric). */
const AREA_BANDWIDTH: ReadonlyArray<readonly [Area, Area, number]> = [
  [Area.China, Area.China, 110],
  [Area.China, Area.AsiaPacific, 55],
  [Area.China, Area.America, 28],
  [Area.China, Area.Europe, 22],
  [Area.China, Area.MiddleEast, 15],
  [Area.AsiaPacific, Area.AsiaPacific, 80],
  [Area.AsiaPacific, Area.America, 40],
  [Area.AsiaPacific, Area.Europe, 30],
  [Area.AsiaPacific, Area.MiddleEast, 30],
  [Area.Europe, Area.Europe, 120],
  [Area.Europe, Area.America, 45],
  [Area.Europe, Area.MiddleEast, 40],
  [Area.America, Area.America, 100],
  [Area.America, Area.MiddleEast, 20],
  [Area.MiddleEast, Area.MiddleEast, 100],
];

/** Links that are not what their areas suggest: neighbours and a congested one. */
const PAIR_OVERRIDES: ReadonlyArray<readonly [string, string, number]> = [
  ['cn-hangzhou', 'cn-shanghai', 150],
  ['cn-beijing', 'cn-qingdao', 140],
  ['cn-hangzhou', 'cn-shenzhen', 90],
  ['cn-shenzhen', 'ap-southeast-1', 70],
  ['cn-hangzhou', 'ap-northeast-1', 60],
  ['cn-hangzhou', 'eu-west-1', 18],
];

const areaOf = (region: string): Area => {
  const area = AREA_OF[region];
  if (area === undefined) throw new Error(`no area for region ${region}`);
  return area;
};

export const bandwidthMiBps = (from: string, to: string): number => {
  const override = PAIR_OVERRIDES.find(([a, b]) => (a === from && b === to) || (a === to && b === from));
  if (override !== undefined) return override[2];
  const [fromArea, toArea] = [areaOf(from), areaOf(to)];
  const entry = AREA_BANDWIDTH.find(([a, b]) => (a === fromArea && b === toArea) || (a === toArea && b === fromArea));
  if (entry === undefined) throw new Error(`no bandwidth between ${fromArea} and ${toArea}`);
  return entry[2];
};

/** Every unordered pair of the given regions, for the simulator seed's `copy.pairs` (symmetric). */
export const bandwidthPairs = (regions: readonly string[]): RegionPairBandwidth[] =>
  regions.flatMap((from, i) => regions.slice(i + 1).map((to) => ({ from, to, bandwidthMiBps: bandwidthMiBps(from, to) })));

/** Fixed cost of every copy besides the transfer (snapshotting, registering the image), seconds. */
export const COPY_OVERHEAD_SECONDS = 120;
/** Alibaba's limit, which the simulator enforces: copies running at once out of one source region. */
export const COPIES_PER_SOURCE_REGION = 5;

/** The simulator's copy settings for this world (every pair declared, so the default never applies). */
export const copySettings = (regions: readonly string[] = ALL_REGIONS): CopySettings & { pairs: RegionPairBandwidth[] } => ({
  bandwidthMiBps: 25,
  overheadSeconds: COPY_OVERHEAD_SECONDS,
  maxConcurrentPerSourceRegion: COPIES_PER_SOURCE_REGION,
  pairs: bandwidthPairs(regions),
});

const WORLD_SETTINGS = copySettings();

/**
 * How long the simulator takes for one copy, seconds: its own formula (sim/model.ts), so the lower
 * bounds are computed from exactly the durations the run experiences.
 */
export const copySeconds = (sizeGiB: number, from: string, to: string): number => copyDurationMs(sizeGiB, WORLD_SETTINGS, from, to) / 1000;

