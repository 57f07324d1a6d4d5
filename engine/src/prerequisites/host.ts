// Is this machine a host the product supports for the agent (64-bit Windows Server 2012–2022,
// Server Core from 2016)? Pure: the facts Node's os module gives come in, a verdict goes out.

export interface HostFacts {
  platform: string;
  /** os.release(): 10.0.17763 on Windows Server 2019. */
  release: string;
  /** os.version(): the product name on Windows, e.g. "Windows Server 2019 Datacenter". */
  version: string;
  arch: string;
}

export interface HostVerdict {
  status: 'Pass' | 'Warn' | 'Fail';
  detail: string;
  remedy: string | null;
}

/** Windows Server releases the product guide supports, by build number. */
const SUPPORTED_BUILDS: ReadonlyArray<[number, string]> = [
  [9200, 'Windows Server 2012'],
  [9600, 'Windows Server 2012 R2'],
  [14393, 'Windows Server 2016'],
  [17763, 'Windows Server 2019'],
  [20348, 'Windows Server 2022'],
];

const SUPPORTED_TEXT = '64-bit Windows Server 2012, 2016, 2019 or 2022 (Server Core from 2016)';

export function classifyHost(facts: HostFacts): HostVerdict {
  const described = `${facts.version || facts.platform} ${facts.release} (${facts.arch})`;
  if (facts.platform !== 'win32') {
    return {
      status: 'Warn',
      detail: `This machine runs ${described}; the agent host must be ${SUPPORTED_TEXT}. This item can only be judged on the agent host.`,
      remedy: 'Run Test-JCSyncPrerequisite on the server that will run the sync agent.',
    };
  }
  if (facts.arch !== 'x64') {
    return { status: 'Fail', detail: `This Windows is ${facts.arch}; the agent needs 64-bit Windows.`, remedy: `Install the agent on ${SUPPORTED_TEXT}.` };
  }
  if (!/server/i.test(facts.version)) {
    return { status: 'Fail', detail: `${described} is not a Windows Server edition.`, remedy: `Install the agent on ${SUPPORTED_TEXT}.` };
  }
  const build = Number.parseInt(facts.release.split('.')[2] ?? '', 10);
  const known = SUPPORTED_BUILDS.find(([b]) => b === build);
  if (known) return { status: 'Pass', detail: `${facts.version} (build ${build}, ${known[1]}) is supported.`, remedy: null };
  const newer = Number.isFinite(build) && build > 20348;
  return {
    status: newer ? 'Warn' : 'Fail',
    detail: newer ? `${described} is newer than the releases the product lists as supported.` : `${described} is older than Windows Server 2012.`,
    remedy: newer ? 'Check with JumpCloud that this Windows Server release is supported.' : `Install the agent on ${SUPPORTED_TEXT}.`,
  };
}
