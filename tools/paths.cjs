// One source of truth for TypeScript path aliases, read by the node build and by jest.
const path = require('node:path');
const fs = require('node:fs');
const root = path.resolve(__dirname, '..');
const base = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.base.json'), 'utf8'));
const paths = base.compilerOptions.paths;
/** jest moduleNameMapper entries: '^@engage/x$' -> <rootDir>/libs/x/src/index.ts */
function jestModuleNameMapper() {
  const out = {};
  for (const [alias, [target]] of Object.entries(paths)) out[`^${alias}$`] = path.join(root, target);
  return out;
}
/** swc options shared by the node build and by jest (decorator metadata for NestJS). */
function swcOptions() {
  return {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      target: 'es2022',
      keepClassNames: true,
      baseUrl: root,
      paths,
    },
    module: { type: 'commonjs' },
    sourceMaps: true,
  };
}
module.exports = { root, paths, jestModuleNameMapper, swcOptions };
