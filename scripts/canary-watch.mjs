#!/usr/bin/env node
// Watches processes while the fault suite runs (scripts/test-faults.sh starts and stops it):
// every 150 ms it reads /proc/<pid>/cmdline of every process, and /proc/<pid>/environ of the
// suite's own ones (descendants of ROOT_PID, or naming the work folder, like detached agents),
// looking for the run's canary marker in any encoding (tests/engine/helpers/canary.ts).
// It keeps no argv or environment text: only counts, the command names of the suite's
// processes, and hits (pid, command name, argv or environ, encodings). WORK/watch/summary.json is
// rewritten every second and on SIGTERM; tests/engine/faults/secret-canaries.test.ts reads it.
// Usage: node --import tsx scripts/canary-watch.mjs WORK ROOT_PID
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { setInterval, clearInterval } from 'node:timers';
import { canaryNeedles, findCanary } from '../tests/engine/helpers/canary.ts';

const [work, rootPidText] = process.argv.slice(2);
const rootPid = Number(rootPidText);
if (!work || !Number.isInteger(rootPid)) {
  console.error('usage: node --import tsx scripts/canary-watch.mjs WORK ROOT_PID');
  process.exit(2);
}
const needles = canaryNeedles(readFileSync(join(work, 'canary', 'marker'), 'utf8').trim());
const workBytes = Buffer.from(work);
const out = join(work, 'watch');
mkdirSync(out, { recursive: true, mode: 0o700 });

const summary = { startedAt: new Date().toISOString(), samples: 0, processesSeen: 0, ownProcessesSeen: 0, environsRead: 0, ownCommands: {}, hits: [] };
const seen = new Set();
const ownSeen = new Set();

const read = (path) => {
  try {
    return readFileSync(path);
  } catch {
    return null; // gone, or not ours to read
  }
};

/** A short label for a process of the suite: the program's base name plus its verb. */
function label(argv) {
  const parts = argv.toString('utf8').split('\0').filter(Boolean);
  const program = basename(parts[0] ?? '?');
  const verb = parts.slice(1).find((p) => ['exec', 'run', 'sandbox', '--test', 'samba'].includes(p) || p.endsWith('.mjs') || p.endsWith('.sh'));
  return verb ? `${program} ${basename(verb)}` : program;
}

function sample() {
  summary.samples++;
  const parents = new Map();
  const cmdlines = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    const stat = read(`/proc/${pid}/stat`);
    const cmdline = read(`/proc/${pid}/cmdline`);
    if (!stat || !cmdline) continue;
    // The command name in stat may hold spaces or parentheses: the ppid follows the last ')'.
    const text = stat.toString('latin1');
    parents.set(pid, Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[1]));
    cmdlines.set(pid, cmdline);
  }
  const own = (pid) => {
    for (let p = pid, hops = 0; p > 1 && hops < 64; p = parents.get(p) ?? 0, hops++) if (p === rootPid) return true;
    return (cmdlines.get(pid) ?? Buffer.alloc(0)).indexOf(workBytes) >= 0;
  };
  for (const [pid, cmdline] of cmdlines) {
    const key = `${pid}:${cmdline.length}`;
    if (!seen.has(key)) {
      seen.add(key);
      summary.processesSeen++;
    }
    const argvHit = findCanary(cmdline, needles);
    if (argvHit.length > 0) summary.hits.push({ pid, command: label(cmdline), where: 'argv', encodings: argvHit, at: new Date().toISOString() });
    if (pid === process.pid || !own(pid)) continue;
    if (!ownSeen.has(key)) {
      ownSeen.add(key);
      summary.ownProcessesSeen++;
      const l = label(cmdline);
      summary.ownCommands[l] = (summary.ownCommands[l] ?? 0) + 1;
    }
    const environ = read(`/proc/${pid}/environ`);
    if (!environ) continue;
    summary.environsRead++;
    const envHit = findCanary(environ, needles);
    if (envHit.length > 0) summary.hits.push({ pid, command: label(cmdline), where: 'environ', encodings: envHit, at: new Date().toISOString() });
  }
}

function save() {
  const file = join(out, 'summary.json');
  writeFileSync(`${file}.tmp`, JSON.stringify({ ...summary, savedAt: new Date().toISOString() }, null, 2));
  renameSync(`${file}.tmp`, file);
}

const sampler = setInterval(sample, 150);
const saver = setInterval(save, 1000);
const stop = () => {
  clearInterval(sampler);
  clearInterval(saver);
  sample();
  save();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
sample();
save();
