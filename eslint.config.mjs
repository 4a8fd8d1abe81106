// Lint for every project. The module-boundary rule turns ARCHITECTURE.md's "may import" table
// into errors: each project carries `type:*` tags in its project.json.
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

export default [
  { ignores: ['**/node_modules/**', '**/dist/**', '**/.angular/**', 'tmp/**', '.tools/**', '.nx/**', '**/*.cjs', '**/*.mjs', '**/*.js'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            // libs/protocol: message names, payload types and schemas. Imports no project.
            { sourceTag: 'type:protocol', onlyDependOnLibsWithTags: ['type:none'] },
            // util libs (chat client, later replayer glue, media client): protocol only.
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:protocol', 'type:util'] },
            // libs/config-env: environment validation shared by the node services. Imports no project.
            { sourceTag: 'type:config', onlyDependOnLibsWithTags: ['type:none'] },
            // the embeddable snippet: protocol and util libs, never an app.
            { sourceTag: 'type:snippet', onlyDependOnLibsWithTags: ['type:protocol', 'type:util'] },
            // services (backend, sfu, proxy-worker) and the Angular app never import each other.
            { sourceTag: 'scope:backend', onlyDependOnLibsWithTags: ['type:protocol', 'type:util', 'type:config'] },
            { sourceTag: 'scope:frontend', onlyDependOnLibsWithTags: ['type:protocol', 'type:util'] },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:protocol', 'type:util'] },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Read settings through the config module of this service, not process.env.',
        },
      ],
    },
  },
  {
    // Config files and test harnesses are where environment variables are read.
    files: ['**/config/**/*.ts', '**/*.spec.ts', '**/e2e/**/*.ts', '**/desk-e2e/**/*.ts', '**/bench/**/*.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
];
