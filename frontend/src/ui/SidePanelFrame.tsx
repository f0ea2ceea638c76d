import type { ReactNode } from 'react';

/** The right-hand drawer used by the edge, job queue and versions panels. */
export function SidePanelFrame({
  title,
  onClose,
  children,
  subtitle,
}: {
  title: ReactNode;
  onClose: () => void;
  children: ReactNode;
  subtitle?: ReactNode;
}) {
  const label = typeof title === 'string' ? title : 'Details';
  return (
    <aside className="side-panel" aria-label={label}>
      <header className="side-panel__head">
        <div>
          <h2 className="side-panel__title">{title}</h2>
          {subtitle && <div className="side-panel__subtitle">{subtitle}</div>}
        </div>
        <button type="button" className="icon-button" onClick={onClose} aria-label={`Close ${label}`}>
          ×
        </button>
      </header>
      <div className="side-panel__body">{children}</div>
    </aside>
  );
}
