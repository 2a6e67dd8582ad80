import { Table, TableBody, TableContainer, TableHead, TableHeader, TableRow } from '@carbon/react';
import type { ReactNode } from 'react';

export interface HeadedTableProps {
  /** the container's title, also the table's accessible name unless `label` is given */
  title?: string;
  /** the accessible name when the table has no visible title of its own (a section heading names it) */
  label?: string;
  description?: string;
  testId: string;
  size?: 'xs' | 'sm' | 'md' | 'lg' | 'xl';
  /** column headings, in order */
  columns: readonly string[];
  /** the body's rows (TableRow elements) */
  children: ReactNode;
}

/** A Carbon data table with a plain header row: the shape every list page (jobs, keys, audit, profiles, uploads) uses. */
export function HeadedTable({ title, label, description, testId, size, columns, children }: HeadedTableProps) {
  return (
    <TableContainer title={title} description={description}>
      <Table aria-label={label ?? title} data-testid={testId} size={size}>
        <TableHead>
          <TableRow>
            {columns.map((column) => (
              <TableHeader key={column}>{column}</TableHeader>
            ))}
          </TableRow>
        </TableHead>
        <TableBody>{children}</TableBody>
      </Table>
    </TableContainer>
  );
}
