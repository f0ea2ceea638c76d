import { Navigate, Route, Routes } from 'react-router';
import { LoginPage } from './auth/LoginPage';
import { RequireUser } from './auth/RequireUser';
import { CatalogPage } from './catalog/CatalogPage';
import { ComparePage } from './compare/ComparePage';
import { EditorPage } from './editor/EditorPage';
import { ModulePage } from './modules/ModulePage';
import { TokensPage } from './settings/TokensPage';
import { AppShell } from './ui/AppShell';

/** Routes: `/` editor, `/catalog`, `/modules/:id`, `/settings/tokens`, `/compare` (races and chosen runs), `/login`. Django serves this shell for every non-API path. */
export function App() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route
        element={
          <RequireUser>
            <AppShell />
          </RequireUser>
        }
      >
        <Route index element={<EditorPage />} />
        <Route path="/catalog" element={<CatalogPage />} />
        <Route path="/compare" element={<ComparePage />} />
        <Route path="/compare/:compareId" element={<ComparePage />} />
        <Route path="/modules/:moduleId" element={<ModulePage />} />
        <Route path="/settings/tokens" element={<TokensPage />} />
      </Route>
      <Route path="*" element={<Navigate to="/" replace />} />
    </Routes>
  );
}
