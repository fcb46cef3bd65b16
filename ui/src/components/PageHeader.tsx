import { useEffect, useRef, type ReactNode } from 'react';

/** The page's `<h1>` (its nav label), a one-line description and optional actions. */
export function PageHeader({ title, description, actions }: { title: string; description: string; actions?: ReactNode }) {
  const heading = useRef<HTMLHeadingElement>(null);
  // Move focus to the new page's heading so keyboard and screen-reader users land on it.
  useEffect(() => {
    if (document.activeElement?.closest('nav')) heading.current?.focus({ preventScroll: true });
  }, [title]);
  return (
    <header className="page-header">
      <div>
        <h1 ref={heading} tabIndex={-1}>
          {title}
        </h1>
        <p className="page-description">{description}</p>
      </div>
      {actions ? <div className="page-actions">{actions}</div> : null}
    </header>
  );
}
