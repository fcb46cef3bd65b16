import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef } from 'react';
import { PAGE_SIZE, pagesFor } from '../lib/vehicles';
import { Skeleton } from './states';

/**
 * The parts Vehicles and Faults share: a list the database sends a window of `PAGE_SIZE` rows at
 * a time, drawn only where it is in view. The caller holds window 0 and asks for `deeper`, the
 * windows in view past it. A new `resetKey` (the filter and the order) starts at the top again.
 */
export function useWindowedRows(count: number, rowHeight: number, resetKey: string) {
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scroller.current,
    estimateSize: () => rowHeight,
    overscan: 6,
  });
  const items = virtualizer.getVirtualItems();
  const deeper = pagesFor(items[0]?.index ?? 0, items.at(-1)?.index ?? 0).filter((page) => page > 0);
  useEffect(() => {
    // Only when scrolled: a scroll forces a layout, which a keystroke should not pay for.
    if (scroller.current && scroller.current.scrollTop > 0) scroller.current.scrollTo({ top: 0 });
  }, [resetKey]);
  return { scroller, virtualizer, items, deeper };
}

/** Row `index` of the list, from window 0 or the deeper window that holds it (if it has arrived). */
export function rowIn<T>(index: number, first: T[], deeper: number[], deeperRows: (T[] | undefined)[]): T | undefined {
  const page = Math.floor(index / PAGE_SIZE);
  const rows = page === 0 ? first : deeperRows[deeper.indexOf(page)];
  return rows?.[index - page * PAGE_SIZE];
}

/** A row whose window is still on its way (a fast scroll outran it). */
export function LoadingRow({ top }: { top: number }) {
  return (
    <div className="vtable-row" role="row" aria-busy="true" style={{ transform: `translateY(${top}px)` }}>
      <div className="vtable-cell vcol-loading" role="cell">
        <Skeleton className="skeleton-line" />
      </div>
    </div>
  );
}

/** A column's header; with `onSort`, a button that sorts by it, marked while it does. */
export function ColumnHeader(props: {
  className: string;
  label: string;
  sorted: boolean;
  descending: boolean;
  onSort: (() => void) | null;
}) {
  const { className, label, sorted, descending, onSort } = props;
  return (
    <div
      className={`vtable-cell ${className}`}
      role="columnheader"
      aria-sort={sorted ? (descending ? 'descending' : 'ascending') : undefined}
    >
      {onSort ? (
        <button type="button" className="sort-button" onClick={onSort}>
          {label}
          <span aria-hidden="true">{sorted ? (descending ? ' ↓' : ' ↑') : ''}</span>
        </button>
      ) : (
        label
      )}
    </div>
  );
}
