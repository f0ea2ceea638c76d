import { useEffect } from 'react';
import { useDismissNotice, useNotice } from '../store/notices';

const INFO_MS = 4000;

/** The editor's message strip. Errors are alerts and stay until dismissed; info fades. */
export function NoticeBar() {
  const notice = useNotice();
  const dismiss = useDismissNotice();
  useEffect(() => {
    if (!notice || notice.tone === 'error') return undefined;
    const timer = window.setTimeout(dismiss, INFO_MS);
    return () => window.clearTimeout(timer);
  }, [notice, dismiss]);
  if (!notice) return <div className="notice-slot" />;
  return (
    <div className="notice-slot">
      <div
        className={`notice notice--${notice.tone}`}
        role={notice.tone === 'error' ? 'alert' : 'status'}
        key={notice.id}
      >
        <span>{notice.message}</span>
        <button type="button" className="icon-button" aria-label="Dismiss message" onClick={dismiss}>
          ×
        </button>
      </div>
    </div>
  );
}
