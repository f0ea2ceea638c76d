import { NavLink, Outlet, useNavigate } from 'react-router';
import { useLogout, useMe } from '../api/auth';
import { SandboxBanner } from '../auth/SandboxBanner';
import { Logo } from './Logo';

/** Top bar with navigation and the signed-in user; pages render below it. */
export function AppShell() {
  const me = useMe();
  const logout = useLogout();
  const navigate = useNavigate();
  return (
    <div className="shell">
      <header className="topbar">
        <Logo />
        <nav aria-label="Main" className="topbar__nav">
          <NavLink to="/" end className="topbar__link">
            Editor
          </NavLink>
          <NavLink to="/catalog" className="topbar__link">
            Catalog
          </NavLink>
          <NavLink to="/settings/tokens" className="topbar__link">
            API tokens
          </NavLink>
        </nav>
        <div className="topbar__user">
          {me.data && (
            <span className="muted" aria-label="Signed in as">
              {me.data.username}
              {me.data.is_lab_manager && <span className="tag">lab manager</span>}
            </span>
          )}
          <button
            type="button"
            className="button button--ghost"
            onClick={() => logout.mutate(undefined, { onSuccess: () => navigate('/login') })}
            disabled={logout.isPending}
          >
            Log out
          </button>
        </div>
      </header>
      <SandboxBanner />
      <div className="shell__body">
        <Outlet />
      </div>
    </div>
  );
}
