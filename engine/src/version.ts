// The engine's version is the package version, fixed into the bundle at build time.
import packageJson from '../../package.json';

export const ENGINE_VERSION: string = packageJson.version;
