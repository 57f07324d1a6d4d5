// jcadi-engine entry point: dispatch on argv (no secrets ever come from here), then run.
// Each verb loads its code when it runs: an `await import()` stays lazy inside the one bundle, so
// `--version` evaluates none of zod, winston, axios or ldapts, and `exec` only what the named
// command needs (cli/commands/index.ts). Keep the static imports here this small
// (tests/engine/unit/startup.test.ts checks it).
import { ExitCode } from './errors';
import { tuneHeap } from './util/heap';
import { ENGINE_VERSION } from './version';

const MAX_REQUEST_BYTES = 16 * 1024 * 1024;

async function usage(): Promise<string> {
  const [{ RUN_USAGE }, { SANDBOX_USAGE }] = await Promise.all([import('./agent/cli'), import('./sandbox/cli')]);
  return `jcadi-engine ${ENGINE_VERSION}
Usage:
  jcadi-engine --version           print the version
  jcadi-engine [exec]              read one JSON request on stdin, answer in JSON lines (engine/PROTOCOL.md)
  ${RUN_USAGE}
  ${SANDBOX_USAGE}`;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_REQUEST_BYTES) throw new Error(`request larger than ${MAX_REQUEST_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/^\uFEFF/, '');
}

function writeLine(line: string): void {
  process.stdout.write(line);
}

/** Exits once stdout has flushed, so a piped reader always receives the final `result` line. */
function exitAfterFlush(code: number): void {
  process.stdout.write('', () => process.exit(code));
}

async function main(argv: string[]): Promise<void> {
  tuneHeap();
  const [verb = 'exec', ...rest] = argv;
  switch (verb) {
    case '--version':
    case '-v':
      process.stdout.write(`jcadi-engine ${ENGINE_VERSION}\n`);
      return exitAfterFlush(ExitCode.Ok);
    case '--help':
    case '-h':
      process.stdout.write(await usage());
      return exitAfterFlush(ExitCode.Ok);
    case 'exec': {
      if (rest.length > 0) {
        process.stderr.write(`jcadi-engine exec takes no arguments; the request comes on stdin.\n`);
        return exitAfterFlush(ExitCode.BadRequest);
      }
      let text: string;
      try {
        text = await readStdin();
      } catch (err) {
        text = '';
        process.stderr.write(`jcadi-engine: cannot read stdin: ${(err as Error).message}\n`);
        return exitAfterFlush(ExitCode.BadRequest);
      }
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const { execRequest } = await import('./cli/exec');
      const code = await execRequest(text, { writeLine, signal: controller.signal });
      return exitAfterFlush(code);
    }
    case 'sandbox': {
      const { runSandboxCli } = await import('./sandbox/cli');
      return exitAfterFlush(await runSandboxCli(rest));
    }
    case 'run': {
      const { runAgentCli } = await import('./agent/cli');
      return exitAfterFlush(await runAgentCli(rest));
    }
    default:
      process.stderr.write(`jcadi-engine: unknown verb '${verb}'.\n${await usage()}`);
      return exitAfterFlush(ExitCode.BadRequest);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`jcadi-engine: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(ExitCode.Internal);
});
