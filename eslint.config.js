// Lint: typescript-eslint's type-aware recommended rules over src, test, bench and scripts.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', '.tidemark/**', 'bench/results/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      // node:test's test() and describe() return promises the runner awaits itself.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] }] },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
  { files: ['**/*.js'], languageOptions: { globals: { process: 'readonly', console: 'readonly' } } },
  // The dashboard's modules run in the browser.
  {
    files: ['src/web/static/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: Object.fromEntries(
        ['window', 'document', 'sessionStorage', 'fetch', 'Node', 'TextDecoderStream', 'URLSearchParams', 'AbortController', 'setTimeout', 'clearTimeout', 'setInterval'].map((name) => [name, 'readonly']),
      ),
    },
  },
  // The offline site's sync helper runs in the browser too.
  {
    files: ['src/replica/browser/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: Object.fromEntries(
        ['window', 'document', 'navigator', 'fetch', 'performance', 'setTimeout', 'clearTimeout', 'HTMLElement', 'Response', 'Event'].map((name) => [name, 'readonly']),
      ),
    },
  },
  // The example sites' pages (examples/*/public/) run in the browser as well.
  {
    files: ['examples/**/public/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: Object.fromEntries(
        ['window', 'document', 'fetch', 'crypto', 'URLSearchParams', 'Response', 'HTMLElement'].map((name) => [name, 'readonly']),
      ),
    },
  },
);
