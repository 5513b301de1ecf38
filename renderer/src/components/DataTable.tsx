import type { ReactNode } from 'react';

export interface Column<T> {
  /** The column header; a `hiddenHeader` column (actions, "open") names itself to screen readers only. */
  header: string;
  hiddenHeader?: boolean;
  cell: (row: T) => ReactNode;
}

/**
 * A table of rows with a (visually hidden) caption, one header per column, and `empty` shown instead
 * when there are no rows. `isSelected` marks the row a detail panel is showing.
 */
export function DataTable<T>({
  caption,
  columns,
  rows,
  rowKey,
  empty,
  isSelected,
}: {
  caption: string;
  columns: readonly Column<T>[];
  rows: readonly T[];
  rowKey: (row: T) => string;
  empty?: ReactNode;
  isSelected?: (row: T) => boolean;
}) {
  if (rows.length === 0 && empty !== undefined) return <>{empty}</>;
  return (
    <table>
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          {columns.map((column) => (
            <th key={column.header} scope="col">
              {column.hiddenHeader ? <span className="visually-hidden">{column.header}</span> : column.header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={rowKey(row)} aria-selected={isSelected ? isSelected(row) : undefined}>
            {columns.map((column) => (
              <td key={column.header}>{column.cell(row)}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
