// The esbuild options of the engine's one bundle, shared by the build (scripts/build-engine.mjs)
// and by tests/engine/unit/startup.test.ts, which checks what each verb evaluates at start-up.
// One CJS file: esbuild cannot split CJS, but an `import()` inside it stays lazy (the module
// and its imports run on first use), which is how main.ts and cli/commands/index.ts load code.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function engineBundleOptions(root, outfile) {
  return {
    entryPoints: [join(root, 'engine/src/main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // SEA's require() only loads built-in modules; everything else is bundled.
    banner: { js: "require = require('node:module').createRequire(__filename);" },
    // Libraries drop their development-only code (winston's colour-coded debug output).
    define: { 'process.env.NODE_ENV': '"production"' },
    legalComments: 'none',
    // Strings and regular expressions come out with \u escapes (esbuild's default, said here
    // because asciiOnly below relies on it).
    charset: 'ascii',
  };
}

/**
 * Rewrites the bundle as pure ASCII. esbuild escapes every non-ASCII character of code, but keeps
 * the comments it carries over (field and JSDoc comments with '→', '…', '—') as they are, and one
 * such character makes V8 hold the whole 2 MB source as UTF-16: 4 MB in the heap of every engine
 * process (measured: an idle engine's anonymous memory 12.3 → 10.3 MB). What is left is only in
 * comments, where a \u escape is harmless text (and anywhere else it would mean the same character).
 */
export function asciiOnly(file) {
  const source = readFileSync(file, 'utf8');
  // eslint-disable-next-line no-control-regex -- the whole range outside ASCII, by definition
  const ascii = source.replace(/[^\u0000-\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (ascii !== source) writeFileSync(file, ascii);
}
