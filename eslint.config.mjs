// Lint the TypeScript engine, its tests and the build scripts.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The engine's layers point down (ARCHITECTURE.md): each folder of engine/src may import only the
// folders listed for it. A wrong-way import fails `npm run lint`, a stage of `npm test`.
const ENGINE_FOLDERS = ['util', 'config', 'log', 'ad', 'jumpcloud', 'sync', 'delegation', 'csv', 'prerequisites', 'agent', 'sandbox', 'cli'];
const MAY_IMPORT = {
  util: [],
  config: ['util'],
  log: ['util', 'config'],
  ad: ['util', 'config', 'log'],
  jumpcloud: ['util', 'config', 'log'],
  sync: ['util', 'config', 'log', 'ad', 'jumpcloud'],
  delegation: ['util', 'config', 'log', 'ad'],
  csv: ['util', 'config', 'log', 'ad', 'jumpcloud'],
  prerequisites: ['util', 'config', 'log', 'ad', 'jumpcloud'],
  agent: ['util', 'config', 'log', 'ad', 'jumpcloud', 'sync', 'delegation'],
  sandbox: ['util', 'config', 'log', 'jumpcloud'],
  cli: ENGINE_FOLDERS,
};
const layerRules = Object.entries(MAY_IMPORT).map(([folder, allowed]) => {
  const denied = ENGINE_FOLDERS.filter((other) => other !== folder && !allowed.includes(other));
  return {
    files: [`engine/src/${folder}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...(denied.length === 0
              ? []
              : [
                  {
                    group: denied.map((other) => `**/${other}/*`),
                    message: `engine/src/${folder} may import only ${['errors', 'version', ...allowed].join(', ')} (layers point down: see ARCHITECTURE.md).`,
                  },
                ]),
            // errors.ts and version.ts sit at the bottom and import nothing of the engine.
            { group: ['**/main', '**/main.ts'], message: 'main.ts is the entry point; nothing imports it.' },
          ],
        },
      ],
    },
  };
});

export default tseslint.config(
  { ignores: ['build/**', 'node_modules/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'error',
    },
  },
  {
    // `import * as z` lets the bundle drop the parts of zod the engine never uses (its locales:
    // about 0.5 MB evaluated on every exec start); `import { z }` keeps them all.
    files: ['engine/src/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "ImportDeclaration[source.value='zod'][importKind='value'] > :matches(ImportSpecifier[imported.name='z'], ImportDefaultSpecifier)",
          message: "Use `import * as z from 'zod'`, which the bundle can trim.",
        },
      ],
    },
  },
  ...layerRules,
  {
    // The bottom of the engine: the error taxonomy, its id catalogue and the version import nothing
    // of the engine (errors.ts imports the catalogue).
    files: ['engine/src/errors.ts', 'engine/src/error-ids.ts', 'engine/src/version.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.\\.?/(?!\\.\\./package\\.json$|error-ids$)',
              message: 'errors.ts, error-ids.ts and version.ts are the bottom layer: they import nothing of the engine but the catalogue.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['scripts/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly', setTimeout: 'readonly' } },
    rules: { '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }] },
  },
);
