/**
 * Checks on rows read back from SQLite: a column with an unexpected type means the file was edited or
 * damaged, and is reported as such instead of flowing on as `undefined`.
 */
import { EnvironmentError } from '../../base/errors.js';

export type Row = Record<string, unknown>;

function bad(table: string, column: string, value: unknown): EnvironmentError {
  return new EnvironmentError('env.storeCorrupt', `the store holds an invalid ${table}.${column} (${typeof value}): the database was altered outside tongban`);
}

export function text(row: Row, table: string, column: string): string {
  const v = row[column];
  if (typeof v !== 'string') throw bad(table, column, v);
  return v;
}

export function textOrNull(row: Row, table: string, column: string): string | null {
  const v = row[column];
  if (v === null) return null;
  if (typeof v !== 'string') throw bad(table, column, v);
  return v;
}

export function int(row: Row, table: string, column: string): number {
  const v = row[column];
  if (typeof v !== 'number' || !Number.isInteger(v)) throw bad(table, column, v);
  return v;
}

export function intOrNull(row: Row, table: string, column: string): number | null {
  const v = row[column];
  if (v === null) return null;
  return int(row, table, column);
}

export function blob(row: Row, table: string, column: string): Uint8Array {
  const v = row[column];
  if (!(v instanceof Uint8Array)) throw bad(table, column, v);
  return v;
}

export function blobOrNull(row: Row, table: string, column: string): Uint8Array | null {
  const v = row[column];
  if (v === null) return null;
  return blob(row, table, column);
}

export function json(row: Row, table: string, column: string): unknown {
  const s = text(row, table, column);
  try {
    return JSON.parse(s);
  } catch {
    throw bad(table, column, s);
  }
}
