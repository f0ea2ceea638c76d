import { useMe } from '../api/auth';
import { formatIdle } from './TryDemo';

/** A thin bar for demo visitors: what the sandbox is, its quotas, and when it goes. */
export function SandboxBanner() {
  const me = useMe();
  const sandbox = me.data?.sandbox;
  if (!sandbox) return null;
  return (
    <div className="sandbox-banner" role="status" aria-label="Demo sandbox">
      <strong>Demo sandbox.</strong> Private to you; deleted after {formatIdle(sandbox.idle_minutes)} without
      use. Training jobs {sandbox.used.job} of {sandbox.limits.job}, uploads {sandbox.used.upload} of{' '}
      {sandbox.limits.upload}. To keep your work, log out and sign in with an account.
    </div>
  );
}
