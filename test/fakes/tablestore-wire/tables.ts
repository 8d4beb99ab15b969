import { type RowCondition, columnConditionHolds } from './conditions';
import { type AttributeCell, type CellValue, CellOp, type PkCell, type PlainRow } from './plain-buffer';
import { comparePrimaryKeys, primaryKeyId } from './values';

/** An error the fake answers with, shaped as the service's protobuf `Error{code,message}`. */
export class OtsError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface StoredRow {
  readonly primaryKey: readonly PkCell[];
  readonly columns: Map<string, CellValue>;
}

export interface TableSchema {
  readonly name: string;
  readonly primaryKey: ReadonlyArray<{ name: string; type: number }>;
}

const PkType = { Integer: 1, String: 2, Binary: 3 } as const;
const RowExistence = { Ignore: 0, ExpectExist: 1, ExpectNotExist: 2 } as const;
/** The service's cap on rows per GetRange page. */
export const MAX_RANGE_ROWS = 5000;

const conditionFailed = () => new OtsError(403, 'OTSConditionCheckFail', 'Condition check failed.');

/** One table's rows and the service's rules for conditional writes and ranges over them. */
export class FakeTable {
  readonly #rows = new Map<string, StoredRow>();
  constructor(
    readonly schema: TableSchema,
    /** Judge a column condition on a missing row as failed, whatever pass_if_missing says. */
    private readonly missingRowFailsColumnCondition = false,
  ) {}

  get size(): number {
    return this.#rows.size;
  }

  checkPrimaryKey(primaryKey: readonly PkCell[], allowInfinity = false): void {
    const expected = this.schema.primaryKey;
    const names = primaryKey.map((cell) => cell.name);
    if (names.join(',') !== expected.map((column) => column.name).join(',')) {
      throw new OtsError(400, 'OTSInvalidPK', `Validate PK name fail. Input: ${names.join(',')}, Meta: ${expected.map((c) => c.name).join(',')}.`);
    }
    primaryKey.forEach((cell, index) => {
      const type = cell.value.type;
      if (allowInfinity && (type === 'inf_min' || type === 'inf_max')) return;
      const wanted = expected[index]?.type;
      const matches =
        (wanted === PkType.String && type === 'string') ||
        (wanted === PkType.Integer && type === 'integer') ||
        (wanted === PkType.Binary && type === 'blob');
      if (!matches) throw new OtsError(400, 'OTSInvalidPK', `Validate PK type fail. Input: ${type}, Column: ${cell.name}.`);
    });
  }

  get(primaryKey: readonly PkCell[]): StoredRow | undefined {
    this.checkPrimaryKey(primaryKey);
    return this.#rows.get(primaryKeyId(primaryKey));
  }

  #checkCondition(existing: StoredRow | undefined, condition: RowCondition): void {
    if (condition.rowExistence === RowExistence.ExpectExist && !existing) throw conditionFailed();
    if (condition.rowExistence === RowExistence.ExpectNotExist && existing) throw conditionFailed();
    if (condition.column && !existing && this.missingRowFailsColumnCondition) throw conditionFailed();
    if (condition.column && !columnConditionHolds(condition.column, existing?.columns)) throw conditionFailed();
  }

  put(row: PlainRow, condition: RowCondition): void {
    const existing = this.get(row.primaryKey);
    this.#checkCondition(existing, condition);
    const columns = new Map<string, CellValue>();
    for (const cell of row.cells) {
      if (cell.op !== CellOp.Put || cell.value === undefined) throw new OtsError(400, 'OTSParameterInvalid', 'PutRow takes values only.');
      columns.set(cell.name, cell.value);
    }
    this.#rows.set(primaryKeyId(row.primaryKey), { primaryKey: row.primaryKey, columns });
  }

  update(row: PlainRow, condition: RowCondition): void {
    if (condition.rowExistence === RowExistence.ExpectNotExist) {
      throw new OtsError(400, 'OTSParameterInvalid', 'Invalid condition: EXPECT_NOT_EXIST while UpdateRow.');
    }
    const existing = this.get(row.primaryKey);
    this.#checkCondition(existing, condition);
    const columns = new Map(existing?.columns ?? []);
    row.cells.forEach((cell) => applyCell(columns, cell));
    this.#rows.set(primaryKeyId(row.primaryKey), { primaryKey: row.primaryKey, columns });
  }

  delete(primaryKey: readonly PkCell[], condition: RowCondition): void {
    if (condition.rowExistence === RowExistence.ExpectNotExist) {
      throw new OtsError(400, 'OTSParameterInvalid', 'Invalid condition: EXPECT_NOT_EXIST while DeleteRow.');
    }
    const existing = this.get(primaryKey);
    this.#checkCondition(existing, condition);
    this.#rows.delete(primaryKeyId(primaryKey));
  }

  /** Rows in [start, end) forward (or (end, start] backward), at most `limit`, and where the next page starts. */
  range(
    start: readonly PkCell[],
    end: readonly PkCell[],
    backward: boolean,
    limit: number,
  ): { rows: StoredRow[]; next?: readonly PkCell[] | undefined } {
    this.checkPrimaryKey(start, true);
    this.checkPrimaryKey(end, true);
    const sorted = [...this.#rows.values()].sort((a, b) => comparePrimaryKeys(a.primaryKey, b.primaryKey));
    const inRange = backward
      ? sorted.reverse().filter((row) => comparePrimaryKeys(row.primaryKey, start) <= 0 && comparePrimaryKeys(row.primaryKey, end) > 0)
      : sorted.filter((row) => comparePrimaryKeys(row.primaryKey, start) >= 0 && comparePrimaryKeys(row.primaryKey, end) < 0);
    const page = inRange.slice(0, limit);
    return { rows: page, next: inRange[limit]?.primaryKey };
  }
}

const applyCell = (columns: Map<string, CellValue>, cell: AttributeCell): void => {
  switch (cell.op) {
    case CellOp.Put:
      if (cell.value === undefined) throw new OtsError(400, 'OTSParameterInvalid', `Column ${cell.name} has no value.`);
      columns.set(cell.name, cell.value);
      return;
    // One version per column here (max versions 1), so deleting one version empties the column.
    case CellOp.DeleteAllVersions:
    case CellOp.DeleteOneVersion:
      columns.delete(cell.name);
      return;
    case CellOp.Increment:
      throw new OtsError(400, 'OTSParameterInvalid', 'INCREMENT is not supported by this fake.');
  }
};
