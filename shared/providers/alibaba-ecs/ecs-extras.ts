import { TerminalError, isReplicationError } from '../../core/domain/errors';
import type { ImageUse } from '../../core/ports/copy-provider';
import { type EcsAction, type EcsImageRecord, type EssAction, parseBody, tagParams } from './image-cloud';
import { alibabaImageUse } from './image-users';
import * as z from '../../core/zod';

/**
 * The ECS calls beyond a one-step copy: the snapshot route (CopySnapshot, DescribeSnapshots,
 * CreateImage, DeleteSnapshot), sharing (ModifyImageSharePermission), attributes (family,
 * deprecation) and the in-use check (image-users.ts). Over the same signed client as the rest.
 */
export interface EcsExtras {
  describeImage(region: string, imageId: string): Promise<EcsImageRecord | undefined>;
  copySnapshot(command: CopySnapshotCommand): Promise<string>;
  describeSnapshots(region: string, snapshotIds: readonly string[]): Promise<EcsSnapshot[]>;
  createImage(command: CreateImageCommand): Promise<string>;
  deleteSnapshot(region: string, snapshotId: string): Promise<void>;
  /** Adds and removes accounts, 10 a call as the API takes them. */
  modifySharing(region: string, imageId: string, change: { add?: readonly string[]; remove?: readonly string[] }): Promise<void>;
  sharedWith(region: string, imageId: string): Promise<string[]>;
  /** What runs or launches from the image in its region: instances, launch templates, scaling configurations. */
  imageUse(region: string, imageId: string): Promise<ImageUse>;
  modifyImage(region: string, imageId: string, change: { family?: string; status?: 'Deprecated' | 'Available' }): Promise<void>;
  regions(): Promise<string[]>;
}

export interface CopySnapshotCommand {
  readonly sourceRegion: string;
  readonly snapshotId: string;
  readonly destinationRegion: string;
  /** Required by the API: 2–128 characters, a letter first. */
  readonly name: string;
  /** Required by the API: 2–256 characters. */
  readonly description: string;
  readonly encrypted?: boolean | undefined;
  readonly kmsKeyId?: string | undefined;
  readonly tags: Readonly<Record<string, string>>;
  readonly idempotencyToken: string;
}

export interface EcsSnapshot {
  readonly id: string;
  readonly status: 'progressing' | 'accomplished' | 'failed';
  readonly progressPercent: number;
  readonly remainSeconds?: number | undefined;
  readonly sizeGiB: number;
  readonly tags: Readonly<Record<string, string>>;
}

export interface CreateImageCommand {
  readonly region: string;
  readonly name: string;
  readonly description?: string | undefined;
  readonly family?: string | undefined;
  readonly platform?: string | undefined;
  readonly architecture?: string | undefined;
  readonly bootMode?: string | undefined;
  readonly disks: readonly { readonly snapshotId: string; readonly device: string; readonly type: 'system' | 'data'; readonly sizeGiB: number }[];
  readonly tags: Readonly<Record<string, string>>;
  readonly idempotencyToken: string;
}

interface EcsCaller {
  call(action: EcsAction | EssAction, region: string, params: Record<string, string>): Promise<unknown>;
  describeImage(region: string, imageId: string): Promise<EcsImageRecord | undefined>;
}

const idSchema = (field: string) => z.object({ [field]: z.string().check(z.minLength(1)) });
const snapshotsSchema = z.object({
  Snapshots: z.object({
    Snapshot: z.array(
      z.looseObject({
        SnapshotId: z.string().check(z.minLength(1)),
        Status: z.enum(['progressing', 'accomplished', 'failed']),
        Progress: z.optional(z.string().check(z.regex(/^(\d{1,3}(\.\d+)?%?)?$/))),
        RemainTime: z.optional(z.number().check(z.int(), z.nonnegative())),
        SourceDiskSize: z.optional(z.union([z.string(), z.number()])),
        Tags: z.optional(z.object({ Tag: z.array(z.object({ TagKey: z.string(), TagValue: z.optional(z.string()) })) })),
      }),
    ),
  }),
  NextToken: z.optional(z.string()),
});
const sharesSchema = z.object({
  Accounts: z.object({ Account: z.array(z.looseObject({ AliyunId: z.string() })) }),
  TotalCount: z.number().check(z.int(), z.nonnegative()),
});
const regionsSchema = z.object({ Regions: z.object({ Region: z.array(z.looseObject({ RegionId: z.string() })) }) });

/** The API processes 10 accounts a call and ignores the rest: sharing with more takes several calls. */
export const SHARE_ACCOUNTS_PER_CALL = 10;
/** DescribeSnapshots takes at most 100 ids a call. */
const SNAPSHOT_IDS_PER_CALL = 100;

const numberOf = (value: string | number | undefined): number => (typeof value === 'number' ? value : Number.parseFloat(value ?? '0') || 0);

const ignoreNotFound = async (work: () => Promise<unknown>, codes: readonly string[]): Promise<void> => {
  try {
    await work();
  } catch (error) {
    if (isReplicationError(error) && codes.includes(error.code)) return;
    throw error;
  }
};

export const createEcsExtras = (ecs: EcsCaller): EcsExtras => ({
  describeImage: (region, imageId) => ecs.describeImage(region, imageId),

  async copySnapshot(command) {
    const body = await ecs.call('CopySnapshot', command.sourceRegion, {
      SnapshotId: command.snapshotId,
      DestinationRegionId: command.destinationRegion,
      DestinationSnapshotName: command.name,
      DestinationSnapshotDescription: command.description,
      ...(command.encrypted === undefined ? {} : { Encrypted: String(command.encrypted) }),
      ...(command.kmsKeyId === undefined ? {} : { KMSKeyId: command.kmsKeyId }),
      ...tagParams(command.tags),
      ClientToken: command.idempotencyToken,
    });
    return parseBody('CopySnapshot', command.sourceRegion, idSchema('SnapshotId'), body).SnapshotId as string;
  },

  async describeSnapshots(region, snapshotIds) {
    const found: EcsSnapshot[] = [];
    for (let start = 0; start < snapshotIds.length; start += SNAPSHOT_IDS_PER_CALL) {
      const chunk = snapshotIds.slice(start, start + SNAPSHOT_IDS_PER_CALL);
      const body = await ecs.call('DescribeSnapshots', region, { SnapshotIds: JSON.stringify(chunk), MaxResults: String(SNAPSHOT_IDS_PER_CALL) });
      for (const raw of parseBody('DescribeSnapshots', region, snapshotsSchema, body).Snapshots.Snapshot) {
        found.push({
          id: raw.SnapshotId,
          status: raw.Status,
          progressPercent: Math.min(100, Math.max(0, Math.round(numberOf(raw.Progress?.replace('%', ''))))),
          remainSeconds: raw.RemainTime,
          sizeGiB: numberOf(raw.SourceDiskSize),
          tags: Object.fromEntries((raw.Tags?.Tag ?? []).map((t) => [t.TagKey, t.TagValue ?? ''])),
        });
      }
    }
    return found;
  },

  async createImage(command) {
    if (command.disks.length === 0) throw new TerminalError('NoDisks', 'an image needs at least its system disk');
    const body = await ecs.call('CreateImage', command.region, {
      ImageName: command.name,
      ...(command.description === undefined ? {} : { Description: command.description }),
      ...(command.family === undefined ? {} : { ImageFamily: command.family }),
      ...(command.platform === undefined ? {} : { Platform: command.platform }),
      ...(command.architecture === undefined ? {} : { Architecture: command.architecture }),
      ...(command.bootMode === undefined ? {} : { BootMode: command.bootMode }),
      ...Object.fromEntries(
        command.disks.flatMap((disk, i) => [
          [`DiskDeviceMapping.${i + 1}.SnapshotId`, disk.snapshotId],
          [`DiskDeviceMapping.${i + 1}.Device`, disk.device],
          [`DiskDeviceMapping.${i + 1}.DiskType`, disk.type],
          [`DiskDeviceMapping.${i + 1}.Size`, String(disk.sizeGiB)],
        ]),
      ),
      ...tagParams(command.tags),
      ClientToken: command.idempotencyToken,
    });
    return parseBody('CreateImage', command.region, idSchema('ImageId'), body).ImageId as string;
  },

  async deleteSnapshot(region, snapshotId) {
    await ignoreNotFound(() => ecs.call('DeleteSnapshot', region, { SnapshotId: snapshotId }), ['InvalidSnapshotId.NotFound']);
  },

  async modifySharing(region, imageId, change) {
    const add = [...(change.add ?? [])];
    const remove = [...(change.remove ?? [])];
    while (add.length > 0 || remove.length > 0) {
      const adding = add.splice(0, SHARE_ACCOUNTS_PER_CALL);
      const removing = remove.splice(0, SHARE_ACCOUNTS_PER_CALL);
      await ecs.call('ModifyImageSharePermission', region, {
        ImageId: imageId,
        ...Object.fromEntries(adding.map((account, i) => [`AddAccount.${i + 1}`, account])),
        ...Object.fromEntries(removing.map((account, i) => [`RemoveAccount.${i + 1}`, account])),
      });
    }
  },

  async sharedWith(region, imageId) {
    const accounts: string[] = [];
    for (let page = 1; page <= 10; page += 1) {
      const body = await ecs.call('DescribeImageSharePermission', region, { ImageId: imageId, PageNumber: String(page), PageSize: '100' });
      const parsed = parseBody('DescribeImageSharePermission', region, sharesSchema, body);
      accounts.push(...parsed.Accounts.Account.map((account) => account.AliyunId));
      if (parsed.Accounts.Account.length < 100 || accounts.length >= parsed.TotalCount) break;
    }
    return accounts;
  },

  imageUse: (region, imageId) => alibabaImageUse(ecs, region, imageId),

  async modifyImage(region, imageId, change) {
    await ecs.call('ModifyImageAttribute', region, {
      ImageId: imageId,
      ...(change.family === undefined ? {} : { ImageFamily: change.family }),
      ...(change.status === undefined ? {} : { Status: change.status }),
    });
  },

  async regions() {
    const body = await ecs.call('DescribeRegions', 'cn-hangzhou', {});
    return parseBody('DescribeRegions', 'cn-hangzhou', regionsSchema, body).Regions.Region.map((region) => region.RegionId);
  },
});
