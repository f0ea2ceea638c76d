/** The wordmark: two blocks joined by an adapter. */
export function Logo() {
  return (
    <span className="logo">
      <svg width="26" height="26" viewBox="0 0 26 26" aria-hidden="true">
        <rect x="1" y="6" width="9" height="14" rx="2.5" fill="var(--category)" />
        <rect x="16" y="6" width="9" height="14" rx="2.5" fill="var(--task)" />
        <rect x="9" y="11" width="8" height="4" rx="2" fill="var(--ink)" />
      </svg>
      <span className="logo__text">Transplant Studio</span>
    </span>
  );
}
