/**
 * Deliberately broken variants of the product, each a textual patch at a known anchor in a copy of
 * the source (never a seam in the product itself). An anchor must be found exactly once: a
 * refactor that moves the code makes the mutant fail loudly instead of silently testing nothing.
 */
export interface Patch {
  readonly file: string;
  readonly anchor: string;
  readonly replacement: string;
}

export interface Mutant {
  readonly id: string;
  /** The brief's letter for it. */
  readonly letter: string;
  readonly breaks: string;
  /** Every place the broken idea needs changing (one check may be made in several places). */
  readonly patches: readonly Patch[];
}

const TERMINAL_5XX =
  "    if (code === 'InternalError' || code === 'ServiceUnavailable' || code.startsWith('Http5')) return { kind: 'refused', reason: RefusalReason.Invalid, code, message };\n";
const UNKNOWN_LINE = "    if (UNKNOWN_OUTCOME_CODES.has(code) || isRetryable(error)) return { kind: 'unknown', code, message };";

/** The batch loop only collects bad input; its letters are sent, each guarded, once every input has run. */
const DEAD_LETTER_COLLECTED = `      logger.error('input set aside on the dead-letter queue', { input: letter.raw.slice(0, 512), messageId: letter.messageId, code: letter.code, error: letter.reason });
      letters.push({ letter, key });`;
const DEAD_LETTER_IN_LOOP = `      logger.error('input set aside on the dead-letter queue', { input: letter.raw.slice(0, 512), messageId: letter.messageId, code: letter.code, error: letter.reason });
      await options.deadLetters.send(JSON.stringify(letter));
      deadLettered += 1;`;

export const MUTANTS: readonly Mutant[] = [
  {
    id: 'alibaba-5xx-terminal',
    letter: 'a',
    breaks: 'a 5xx answer to CopyImage is taken as a refusal (the job fails) instead of an unknown outcome',
    patches: [{ file: 'shared/providers/alibaba-ecs/copy-provider.ts', anchor: UNKNOWN_LINE, replacement: `${TERMINAL_5XX}${UNKNOWN_LINE}` }],
  },
  {
    id: 'alibaba-token-per-try',
    letter: 'b',
    breaks: 'CopyImage gets a new ClientToken on every try instead of one per job attempt',
    patches: [
      {
        file: 'shared/providers/alibaba-ecs/image-cloud.ts',
        anchor: '      ClientToken: command.idempotencyToken,',
        // A counter, not randomness: the mutant's run replays like any other.
        replacement:
          '      ClientToken: `${command.idempotencyToken}-t${((globalThis as { chaosTry?: number }).chaosTry = ((globalThis as { chaosTry?: number }).chaosTry ?? 0) + 1)}`,',
      },
    ],
  },
  {
    id: 'alibaba-adopt-by-name',
    letter: 'c',
    breaks: 'no job-tag check: a copy whose name is taken is adopted by its name, and any image with the recorded id is the job\'s',
    patches: [
      {
        file: 'shared/providers/alibaba-ecs/copy-provider.ts',
        anchor: '    const found = await this.findCopy(request);',
        replacement: [
          '    const named = (await this.#images.listImages(request.destination.region, { states: ALL_IMAGE_STATES, ownedBySelf: true })).find((image) => image.name === request.destination.name);',
          '    const found = named === undefined ? undefined : { handle: named.id, imageId: named.id, state: named.state };',
        ].join('\n'),
      },
      {
        file: 'shared/providers/alibaba-ecs/copy-provider.ts',
        anchor: 'const isOurs = (image: CloudImage, jobId: string): boolean => image.tags[ReplicaTag.Job] === jobId;',
        replacement: 'const isOurs = (_image: CloudImage, _jobId: string): boolean => true;',
      },
    ],
  },
  {
    id: 'huawei-adopt-by-name',
    letter: 'c',
    breaks: 'a copy is recognised by its name alone, without the job marker in its description',
    patches: [
      {
        file: 'shared/providers/huawei-ims/copy-lookup.ts',
        anchor: '.filter((image) => image.name === name && markedJobId(image.__description) === jobId && image.status !== ImsImageStatus.Deleted)',
        replacement: '.filter((image) => image.name === name && image.status !== ImsImageStatus.Deleted)',
      },
    ],
  },
  {
    id: 'dead-letter-not-isolated',
    letter: 'd',
    breaks: 'the dead-letter send runs inside the batch loop unguarded: one failing send takes the rest of the batch down',
    patches: [{ file: 'shared/platform/fc/invocation.ts', anchor: DEAD_LETTER_COLLECTED, replacement: DEAD_LETTER_IN_LOOP }],
  },
  {
    id: 'huawei-submit-without-looking',
    letter: 'e',
    breaks: 'after a lost answer the cross-region copy is submitted again without looking for the first one',
    patches: [
      {
        file: 'shared/providers/huawei-ims/huawei-copy-provider.ts',
        anchor: '    const copies = await findJobCopies(this.#client, target, destination.name, request.jobId);',
        replacement: '    const copies: Awaited<ReturnType<typeof findJobCopies>> = [];',
      },
    ],
  },
];

export class AnchorError extends Error {
  constructor(mutant: Mutant, patch: Patch, found: number) {
    super(`mutant ${mutant.id}: its anchor occurs ${found} times in ${patch.file}, expected exactly once; update the catalog (test/chaos/mutants/catalog.ts) after the refactor`);
    this.name = 'AnchorError';
  }
}

/** A file's text with one patch applied; throws unless the anchor occurs exactly once. */
export const applyPatch = (mutant: Mutant, patch: Patch, text: string): string => {
  const found = text.split(patch.anchor).length - 1;
  if (found !== 1) throw new AnchorError(mutant, patch, found);
  return text.replace(patch.anchor, () => patch.replacement);
};

/** Applies every patch of a mutant through `files` (read, write): in a copy of the tree, never the repository. */
export const applyMutant = (mutant: Mutant, files: { read(path: string): string; write(path: string, text: string): void }): void => {
  for (const patch of mutant.patches) files.write(patch.file, applyPatch(mutant, patch, files.read(patch.file)));
};
