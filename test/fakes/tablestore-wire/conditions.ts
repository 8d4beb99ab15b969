import protoRoot from 'tablestore/lib/protocol/tablestore_compiled_proto.js';
import { z } from 'zod';
import { type CellValue, type PkValue, decodeVariant } from './plain-buffer';
import { compareValues, isCellValue } from './values';

/** A write's condition as it arrived on the wire, decoded for evaluation and for tests to inspect. */
export type ColumnCondition =
  | {
      readonly kind: 'single';
      readonly columnName: string;
      readonly comparator: number;
      readonly value: PkValue;
      /** The wire's `filter_if_missing`: the SDK sends `!passIfMissing`. */
      readonly filterIfMissing: boolean;
      readonly latestVersionOnly: boolean;
    }
  | { readonly kind: 'composite'; readonly combinator: number; readonly conditions: readonly ColumnCondition[] };

export interface RowCondition {
  /** 0 IGNORE, 1 EXPECT_EXIST, 2 EXPECT_NOT_EXIST. */
  readonly rowExistence: number;
  readonly column?: ColumnCondition | undefined;
}

const filterProto = protoRoot.filter.proto;
const FilterType = { Single: 1, Composite: 2 } as const;
const Comparator = { Equal: 1, NotEqual: 2, Greater: 3, GreaterEqual: 4, Less: 5, LessEqual: 6 } as const;
const Logical = { Not: 1, And: 2, Or: 3 } as const;

const bytes = z.custom<Uint8Array>((value) => value instanceof Uint8Array);
const filterSchema = z.object({ type: z.number(), filter: bytes });
const singleSchema = z.object({
  comparator: z.number(),
  columnName: z.string(),
  columnValue: bytes,
  filterIfMissing: z.boolean(),
  latestVersionOnly: z.boolean(),
});
const compositeSchema = z.object({ combinator: z.number(), subFilters: z.array(filterSchema) });
export const conditionSchema = z.object({ rowExistence: z.number(), columnCondition: bytes.optional() });

const decodeFilter = (encoded: Uint8Array): ColumnCondition => {
  const { type, filter } = filterSchema.parse(filterProto.Filter!.decode(encoded));
  if (type === FilterType.Single) {
    const single = singleSchema.parse(filterProto.SingleColumnValueFilter!.decode(filter));
    return {
      kind: 'single',
      columnName: single.columnName,
      comparator: single.comparator,
      value: decodeVariant(single.columnValue),
      filterIfMissing: single.filterIfMissing,
      latestVersionOnly: single.latestVersionOnly,
    };
  }
  if (type === FilterType.Composite) {
    const composite = compositeSchema.parse(filterProto.CompositeColumnValueFilter!.decode(filter));
    return {
      kind: 'composite',
      combinator: composite.combinator,
      conditions: composite.subFilters.map((sub) => decodeFilter(filterProto.Filter!.encode(sub).finish())),
    };
  }
  throw new Error(`unsupported filter type ${type}`);
};

export const decodeCondition = (raw: unknown): RowCondition => {
  const condition = conditionSchema.parse(raw);
  const column =
    condition.columnCondition && condition.columnCondition.length > 0 ? decodeFilter(condition.columnCondition) : undefined;
  return { rowExistence: condition.rowExistence, column };
};

const compare = (comparator: number, order: number): boolean => {
  switch (comparator) {
    case Comparator.Equal:
      return order === 0;
    case Comparator.NotEqual:
      return order !== 0;
    case Comparator.Greater:
      return order > 0;
    case Comparator.GreaterEqual:
      return order >= 0;
    case Comparator.Less:
      return order < 0;
    case Comparator.LessEqual:
      return order <= 0;
    default:
      throw new Error(`unknown comparator ${comparator}`);
  }
};

/** A column condition against a row's columns; a missing row has every column missing. */
export const columnConditionHolds = (
  condition: ColumnCondition,
  columns: ReadonlyMap<string, CellValue> | undefined,
): boolean => {
  if (condition.kind === 'composite') {
    const results = condition.conditions.map((sub) => columnConditionHolds(sub, columns));
    if (condition.combinator === Logical.Not) return !results[0];
    return condition.combinator === Logical.And ? results.every(Boolean) : results.some(Boolean);
  }
  const stored = columns?.get(condition.columnName);
  if (stored === undefined) return !condition.filterIfMissing;
  if (!isCellValue(condition.value)) return false;
  const order = compareValues(stored, condition.value);
  return order !== undefined && compare(condition.comparator, order);
};
