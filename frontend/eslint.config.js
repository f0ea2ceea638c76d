// ESLint for the editor: the JavaScript and TypeScript recommendations, and React's rules of hooks.
// `npm run lint` runs it with --max-warnings 0, so a warning fails ./scripts/test as an error does.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig([
  // schema.gen.ts is written by scripts/generate-api-types from the server's OpenAPI schema.
  globalIgnores(['dist', 'src/api/schema.gen.ts']),
  {
    files: ['**/*.{ts,tsx}'],
    extends: [js.configs.recommended, tseslint.configs.recommended, reactHooks.configs.flat.recommended],
    rules: {
      // `const { page, ...rest } = filters` is how the editor leaves fields out of an object.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
    },
  },
]);
