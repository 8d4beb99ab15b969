import type { CellValue, PkCell, PkValue } from './plain-buffer';

/**
 * Ordering and equality of Tablestore values: rows sort by primary key, column by column;
 * strings and blobs by their bytes, INF_MIN / INF_MAX at the ends.
 */

const rank = (value: PkValue): number => {
  switch (value.type) {
    case 'inf_min':
      return 0;
    case 'inf_max':
      return 2;
    default:
      return 1;
  }
};

/** Compares two values of one column; undefined when the types cannot be compared. */
export const compareValues = (a: PkValue, b: PkValue): number | undefined => {
  if (rank(a) !== 1 || rank(b) !== 1) return rank(a) - rank(b);
  if (a.type === 'integer' && b.type === 'integer') return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
  if (a.type === 'double' && b.type === 'double') return a.value - b.value;
  if (a.type === 'boolean' && b.type === 'boolean') return Number(a.value) - Number(b.value);
  if (a.type === 'string' && b.type === 'string') return Buffer.compare(Buffer.from(a.value), Buffer.from(b.value));
  if (a.type === 'blob' && b.type === 'blob') return Buffer.compare(a.value, b.value);
  return undefined;
};

export const comparePrimaryKeys = (a: readonly PkCell[], b: readonly PkCell[]): number => {
  for (let index = 0; index < Math.max(a.length, b.length); index += 1) {
    const left = a[index];
    const right = b[index];
    if (!left || !right) return left ? 1 : -1;
    const order = compareValues(left.value, right.value);
    if (order === undefined) throw new Error(`primary key column ${left.name} mixes types`);
    if (order !== 0) return order;
  }
  return 0;
};

/** A stable map key for a primary key. */
export const primaryKeyId = (primaryKey: readonly PkCell[]): string =>
  JSON.stringify(
    primaryKey.map((cell) => [
      cell.name,
      cell.value.type,
      'value' in cell.value ? (Buffer.isBuffer(cell.value.value) ? cell.value.value.toString('hex') : String(cell.value.value)) : '',
    ]),
  );

export const isCellValue = (value: PkValue): value is CellValue => value.type !== 'inf_min' && value.type !== 'inf_max';
