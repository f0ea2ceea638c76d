import { useNavigate } from 'react-router';
import { errorMessage } from '../api/client';
import { useSandboxOffer, useStartSandbox } from '../api/sandbox';

/** Minutes as a person says them: "45 minutes", "2 hours". */
export function formatIdle(minutes: number): string {
  if (minutes % 60 === 0) return `${minutes / 60} hour${minutes === 60 ? '' : 's'}`;
  return `${minutes} minutes`;
}

/** "Try the demo": one click signs the visitor into a private sandbox with the example graph. */
export function TryDemo() {
  const offer = useSandboxOffer();
  const start = useStartSandbox();
  const navigate = useNavigate();
  if (offer.isPending) return null;
  if (offer.isError || !offer.data.available) {
    return (
      <p className="muted small try-demo__off">
        The demo is not set up on this server yet (an administrator runs{' '}
        <code>python manage.py seed_demo</code>).
      </p>
    );
  }
  const { idle_minutes: idle, limits } = offer.data;
  return (
    <section className="try-demo" aria-labelledby="try-demo-title">
      <h2 id="try-demo-title">No account?</h2>
      <button
        type="button"
        className="button button--accent button--wide"
        disabled={start.isPending}
        onClick={() => start.mutate(undefined, { onSuccess: () => navigate('/', { replace: true }) })}
      >
        {start.isPending ? 'Preparing your sandbox…' : 'Try the demo'}
      </button>
      <p className="muted small">
        You get a private sandbox with an example graph already training: up to {limits.job} training jobs and{' '}
        {limits.upload} uploads. Nobody else sees it, and it is deleted after {formatIdle(idle)} without use.
      </p>
      {start.isError && (
        <p role="alert" className="alert alert--error">
          {errorMessage(start.error)}
        </p>
      )}
    </section>
  );
}
