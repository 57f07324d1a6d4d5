/* global process, setTimeout, setInterval */
// A stand-in for `jcadi-engine run` in the service host's tests. It records how it was started
// (argv, environment, working directory) in seen.json in its working directory (the install
// folder), then behaves as the file behaviour.txt there says:
//   graceful   waits for its stdin to end, writes stopped.txt, exits 0 (the engine's graceful stop)
//   crash      writes a stderr line and exits 7 by itself
//   badconfig  writes the engine's fatal start line on stderr and exits 2
//   exit0      exits 0 by itself
//   stubborn   starts a grandchild (its pid in grandchild.pid) and ignores the end of stdin
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// The host starts the agent in the install folder.
const folder = process.cwd();
const behaviour = readFileSync(join(folder, 'behaviour.txt'), 'utf8').trim();
writeFileSync(join(folder, 'seen.json'), JSON.stringify({ argv: process.argv.slice(2), env: process.env, cwd: process.cwd(), pid: process.pid }));

switch (behaviour) {
  case 'graceful':
    process.stdin.resume();
    process.stdin.on('end', () => {
      writeFileSync(join(folder, 'stopped.txt'), 'stdin ended');
      process.exit(0);
    });
    break;
  case 'crash':
    process.stderr.write('jcadi-engine: internal error: boom\n');
    setTimeout(() => process.exit(7), 200);
    break;
  case 'badconfig':
    process.stderr.write('jcadi-engine run: JumpCloud.ConnectKeyUsed: The connect key was already used.\n');
    setTimeout(() => process.exit(2), 200);
    break;
  case 'exit0':
    setTimeout(() => process.exit(0), 200);
    break;
  case 'stubborn': {
    const grandchild = spawn('sleep', ['300'], { stdio: 'ignore' });
    writeFileSync(join(folder, 'grandchild.pid'), String(grandchild.pid));
    process.stdin.resume();
    setInterval(() => undefined, 1000);
    break;
  }
  default:
    process.stderr.write(`fake agent: unknown behaviour '${behaviour}'\n`);
    process.exit(70);
}
