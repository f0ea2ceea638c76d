import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { useMe } from '../api/auth';
import { errorMessage } from '../api/client';
import { FullPageMessage } from '../ui/FullPageMessage';

/** Shows its children to a signed-in user; sends others to /login and back afterwards. */
export function RequireUser({ children }: { children: ReactNode }) {
  const me = useMe();
  const location = useLocation();
  if (me.isPending) return <FullPageMessage title="Loading Transplant Studio…" busy />;
  if (me.isError)
    return <FullPageMessage title="The server cannot be reached" detail={errorMessage(me.error)} />;
  if (!me.data) {
    const next = encodeURIComponent(location.pathname + location.search);
    return <Navigate to={`/login?next=${next}`} replace />;
  }
  return <>{children}</>;
}
