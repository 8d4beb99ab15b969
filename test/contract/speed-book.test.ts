import Database from 'better-sqlite3';
import TableStore from 'tablestore';
import { afterEach, describe, expect, it } from 'vitest';
import { pairKey, withObservations } from '../../shared/core/domain/copy-speed';
import type { SpeedBook } from '../../shared/core/ports/speed-book';
import { SqliteSpeedBook } from '../../shared/stores/sqlite/sqlite-speed-book';
import { InMemorySpeedBook } from '../fakes/in-memory-speed-book';
import { TABLE, type TablestoreHarness, startTablestoreHarness } from '../fakes/tablestore-wire/harness';

const SCOPE = 'alibaba/default';
const at = new Date('2026-03-01T00:00:00Z');
const observed = withObservations({}, [{ from: 'cn-hangzhou', to: 'eu-central-1', sizeGiB: 100, seconds: 3600 }], at);

/** Each store, and a way to plant a raw document in it as somebody else might have written it. */
interface Opened {
  readonly book: SpeedBook;
  readonly plant: (body: string) => Promise<void>;
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const STORES: readonly (readonly [string, () => Promise<Opened>])[] = [
  [
    'in memory',
    async () => {
      const book = new InMemorySpeedBook();
      return { book, plant: async (body) => void book.documents.set(SCOPE, body) };
    },
  ],
  [
    'in SQLite',
    async () => {
      const db = new Database(':memory:');
      cleanups.push(() => {
        db.close();
      });
      return { book: new SqliteSpeedBook(db), plant: async (body) => void db.prepare('INSERT OR REPLACE INTO copy_speeds (scope, body) VALUES (?, ?)').run(SCOPE, body) };
    },
  ],
  [
    'on Tablestore (wire fake, real client)',
    async () => {
      const harness: TablestoreHarness = await startTablestoreHarness();
      cleanups.push(() => harness.close());
      const plant = async (body: string) => {
        await harness.client.putRow({
          tableName: TABLE,
          condition: new TableStore.Condition(TableStore.RowExistenceExpectation.IGNORE, null),
          primaryKey: [{ pk: `speeds:${SCOPE}` }],
          attributeColumns: [{ body }],
        });
      };
      return { book: harness.store, plant };
    },
  ],
];

describe.each(STORES)('the speed book %s', (_name, open) => {
  it('reads nothing before anything was written', async () => {
    const { book } = await open();
    expect(await book.readSpeeds(SCOPE)).toEqual({});
  });

  it('reads back what it wrote, per provider account', async () => {
    // Prepare
    const { book } = await open();
    // Act
    await book.writeSpeeds(SCOPE, observed);
    // Assess
    expect(await book.readSpeeds(SCOPE)).toEqual(observed);
    expect(await book.readSpeeds('huawei/default')).toEqual({});
  });

  it('replaces the document on each write (last writer wins)', async () => {
    // Prepare
    const { book } = await open();
    await book.writeSpeeds(SCOPE, observed);
    const newer = withObservations(observed, [{ from: 'cn-hangzhou', to: 'eu-central-1', sizeGiB: 100, seconds: 1800 }], at);
    // Act
    await book.writeSpeeds(SCOPE, newer);
    // Assess
    expect((await book.readSpeeds(SCOPE))[pairKey('cn-hangzhou', 'eu-central-1')]?.samples).toBe(2);
  });

  it('reads a damaged or hostile document as what parses of it, without failing', async () => {
    // Prepare
    const { book, plant } = await open();
    const good = { gibPerHour: 120, samples: 2, at: at.toISOString() };
    await plant(JSON.stringify({ 'cn-hangzhou>eu-central-1': { gibPerHour: 'Infinity' }, '__proto__': good, 'a>b': good, 'c>d': { ...good, gibPerHour: 1e-300 } }));
    // Act
    const speeds = await book.readSpeeds(SCOPE);
    const broken = await (async () => {
      await plant('{"a>b": ');
      return book.readSpeeds(SCOPE);
    })();
    // Assess
    expect(speeds).toEqual({ 'a>b': good });
    expect(Object.getPrototypeOf(speeds)).toBe(Object.prototype);
    expect(broken).toEqual({});
  });
});
