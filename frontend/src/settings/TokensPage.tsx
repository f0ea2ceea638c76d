import { type FormEvent, useState } from 'react';
import { errorMessage } from '../api/client';
import { useApiTokens, useCreateApiToken, useRevokeApiToken } from '../api/tokens';
import type { CreatedApiToken } from '../api/types';
import '../styles/pages.css';

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : 'never');

/** Settings → API tokens: make a named token (shown once), list them, revoke one. */
export function TokensPage() {
  const tokens = useApiTokens();
  const create = useCreateApiToken();
  const revoke = useRevokeApiToken();
  const [name, setName] = useState('');
  const [created, setCreated] = useState<CreatedApiToken | null>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(name, {
      onSuccess: (token) => {
        setCreated(token);
        setName('');
      },
    });
  };

  return (
    <main className="page" aria-labelledby="tokens-title">
      <h1 id="tokens-title">API tokens</h1>
      <p className="muted">
        Scripts use a token instead of your password: send <code>Authorization: Token &lt;token&gt;</code> (or{' '}
        <code>Bearer</code>) with each request to <code>/api/</code>. Only a SHA-256 of each token is stored,
        so a token is shown once, when you make it.
      </p>
      <form className="token-form" onSubmit={submit}>
        <label className="field">
          <span>Name</span>
          <input
            className="input"
            name="token-name"
            placeholder="e.g. nightly sweep"
            value={name}
            onChange={(e) => setName(e.target.value)}
            required
            maxLength={100}
          />
        </label>
        <button type="submit" className="button button--primary" disabled={create.isPending}>
          Create token
        </button>
      </form>
      {create.isError && (
        <p role="alert" className="alert alert--error">
          {errorMessage(create.error)}
        </p>
      )}
      {created && (
        <div className="token-created" role="status" aria-label="New token">
          <p>
            <strong>Copy the token “{created.name}” now</strong>: it is not shown again.
          </p>
          <code className="token-created__value" data-testid="new-token">
            {created.token}
          </code>
          <div className="token-created__actions">
            <button
              type="button"
              className="button button--small"
              onClick={() => void navigator.clipboard?.writeText(created.token)}
            >
              Copy
            </button>
            <button
              type="button"
              className="button button--small button--ghost"
              onClick={() => setCreated(null)}
            >
              Done
            </button>
          </div>
        </div>
      )}
      {tokens.isError && <p className="alert alert--error">{errorMessage(tokens.error)}</p>}
      {tokens.data && tokens.data.length === 0 && <p className="muted">You have no tokens.</p>}
      {tokens.data && tokens.data.length > 0 && (
        <table className="table" aria-label="Your tokens">
          <thead>
            <tr>
              <th>Name</th>
              <th>Starts with</th>
              <th>Created</th>
              <th>Last used</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {tokens.data.map((token) => (
              <tr key={token.id}>
                <td>{token.name}</td>
                <td>
                  <code>{token.prefix}…</code>
                </td>
                <td>{when(token.created)}</td>
                <td>{when(token.last_used)}</td>
                <td>
                  <button
                    type="button"
                    className="button button--small button--danger"
                    aria-label={`Revoke ${token.name}`}
                    disabled={revoke.isPending}
                    onClick={() => {
                      if (window.confirm(`Revoke “${token.name}”? Scripts that use it stop working at once.`))
                        revoke.mutate(token.id);
                    }}
                  >
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}
