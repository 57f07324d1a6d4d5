// The esbuild options of the engine's one bundle, shared by the build (scripts/build-engine.mjs)
// and by tests/engine/unit/startup.test.ts, which checks what each verb evaluates at start-up.
// One CJS file: esbuild cannot split CJS, but an `import()` inside it stays lazy (the module
// and its imports run on first use), which is how main.ts and cli/commands/index.ts load code.
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
  };
}
