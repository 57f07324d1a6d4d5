// Seeds for a new sandbox org. `empty`: an org and nothing else. `demo`: about three hundred
// users across twelve departments (one group each, all bound to DC=example;DC=com), some
// suspended, a few contractors outside every group (three bound to the domain directly), and the
// awkward cases a sync must handle: no last name, a 22-character username, non-ASCII names, and a
// username that collides with an AD built-in account. The same seed gives the same org, ids
// included, on every machine.
import { IdMaker, seededRandom } from './ids';
import type { SandboxStore, UserRecord } from './store';

export type SeedName = 'empty' | 'demo' | 'rehearsal';
export const SEED_NAMES: readonly SeedName[] = ['empty', 'demo', 'rehearsal'];

const DEMO_DOMAIN = 'DC=example;DC=com';
const DEMO_EPOCH = Date.parse('2025-01-06T09:00:00Z');
const DEMO_SEED = 0x5eed_adc0;

const DEPARTMENTS: Array<{ name: string; size: number; title: string }> = [
  { name: 'Engineering', size: 60, title: 'Software Engineer' },
  { name: 'Sales', size: 40, title: 'Account Executive' },
  { name: 'Marketing', size: 22, title: 'Marketing Specialist' },
  { name: 'Finance', size: 16, title: 'Financial Analyst' },
  { name: 'Human Resources', size: 12, title: 'HR Partner' },
  { name: 'Customer Support', size: 36, title: 'Support Engineer' },
  { name: 'Operations', size: 20, title: 'Operations Manager' },
  { name: 'Legal', size: 8, title: 'Counsel' },
  { name: 'IT', size: 14, title: 'Systems Administrator' },
  { name: 'Product', size: 18, title: 'Product Manager' },
  { name: 'Design', size: 12, title: 'Product Designer' },
  { name: 'Research', size: 15, title: 'Research Scientist' },
];

const FIRST_NAMES = [
  'Ada',
  'Ben',
  'Carla',
  'Dmitri',
  'Elena',
  'Farah',
  'Gabriel',
  'Hana',
  'Ivan',
  'Julia',
  'Kofi',
  'Lena',
  'Mateo',
  'Nadia',
  'Oscar',
  'Priya',
  'Quentin',
  'Rosa',
  'Samir',
  'Tara',
  'Umar',
  'Vera',
  'Wei',
  'Ximena',
  'Yusuf',
  'Zara',
  'Anders',
  'Bianca',
  'Chen',
  'Dalia',
  'Emil',
  'Fiona',
  'Goran',
  'Helga',
  'Isaac',
  'Jonas',
  'Keiko',
  'Liam',
  'Maya',
  'Noah',
];
const LAST_NAMES = [
  'Anderson',
  'Brooks',
  'Castillo',
  'Dubois',
  'Eriksen',
  'Fischer',
  'Garcia',
  'Haddad',
  'Ivanova',
  'Jensen',
  'Kowalski',
  'Larsen',
  'Moreau',
  'Nakamura',
  'Okafor',
  'Petrov',
  'Quinn',
  'Rossi',
  'Schmidt',
  'Tanaka',
  'Usman',
  'Varga',
  'Weber',
  'Xu',
  'Yilmaz',
  'Zimmermann',
  'Baker',
  'Clarke',
  'Diaz',
  'Evans',
  'Ford',
  'Gupta',
  'Hughes',
  'Ito',
  'Khan',
  'Lopez',
  'Murphy',
  'Novak',
];

interface SeedUser {
  username: string;
  firstname: string;
  lastname: string;
  department: string | null;
  jobTitle: string;
  suspended: boolean;
  bindDirectly?: boolean;
}

/** The special cases, placed into departments so they are in scope. */
const SPECIAL_USERS: SeedUser[] = [
  { username: 'administrator', firstname: 'Alex', lastname: 'Admin', department: 'IT', jobTitle: 'IT Lead', suspended: false },
  {
    username: 'christopher.montgomery',
    firstname: 'Christopher',
    lastname: 'Montgomery',
    department: 'Sales',
    jobTitle: 'Regional Director',
    suspended: false,
  },
  { username: 'cher', firstname: 'Cher', lastname: '', department: 'Marketing', jobTitle: 'Brand Ambassador', suspended: false },
  { username: 'zoe.angstrom', firstname: 'Zoë', lastname: 'Ångström', department: 'Research', jobTitle: 'Research Scientist', suspended: false },
  { username: 'bjorn.oberg', firstname: 'Björn', lastname: 'Öberg', department: 'Engineering', jobTitle: 'Software Engineer', suspended: false },
];

export function applySeed(store: SandboxStore, seed: SeedName): void {
  const random = seededRandom(DEMO_SEED);
  const machine = Array.from({ length: 5 }, () =>
    Math.floor(random() * 256)
      .toString(16)
      .padStart(2, '0'),
  ).join('');
  store.withFrozenClock(DEMO_EPOCH, (setNow) => {
    let clock = DEMO_EPOCH;
    const tick = (ms = 60_000) => {
      clock += ms;
      setNow(clock);
    };
    store.initEmpty(seed === 'demo' ? 'Example Corp (sandbox demo)' : seed === 'rehearsal' ? 'JumpCloudADI rehearsal' : 'Sandbox Org', new IdMaker(0, machine));
    if (seed === 'empty') return;
    if (seed === 'rehearsal') {
      applyRehearsalSeed(store, tick);
      return;
    }

    const users = demoUsers(random);
    const groups = new Map<string, string>();
    for (const department of DEPARTMENTS) {
      tick();
      groups.set(department.name, store.createGroup({ name: department.name, description: `Everyone in ${department.name}` }).id);
    }
    const created: Array<{ record: UserRecord; seed: SeedUser }> = [];
    users.forEach((u, index) => {
      tick();
      const record = store.createUser({
        username: u.username,
        email: `${u.username}@example.com`,
        firstname: u.firstname,
        lastname: u.lastname,
        displayname: [u.firstname, u.lastname].filter(Boolean).join(' '),
        department: u.department ?? 'Contractors',
        jobTitle: u.jobTitle,
        company: 'Example Corp',
        location: ['Denver', 'London', 'Berlin', 'Remote'][index % 4],
        employeeIdentifier: u.department ? `E${String(10001 + index)}` : '',
        employeeType: u.department ? 'Full-time' : 'Contractor',
        suspended: u.suspended,
      });
      // Demo users have had a password for a while (set before any agent existed).
      record.activated = true;
      record.passwordDate = new Date(clock).toISOString();
      created.push({ record, seed: u });
    });
    for (const { record, seed: u } of created) {
      if (u.department) store.changeMember(groups.get(u.department) as string, record._id, 'add');
    }
    tick();
    const domain = store.createDomain({ domain: DEMO_DOMAIN, useCase: 'JCASAUTHORITY' });
    for (const groupId of groups.values()) store.bind(domain.id, 'user_group', groupId, 'add');
    for (const { record, seed: u } of created) if (u.bindDirectly) store.bind(domain.id, 'user', record._id, 'add');
  });
}

function demoUsers(random: () => number): SeedUser[] {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const taken = new Set(SPECIAL_USERS.map((u) => u.username));
  const out: SeedUser[] = [];
  const specials = new Map(SPECIAL_USERS.map((u) => [u.department, u]));
  for (const department of DEPARTMENTS) {
    const special = specials.get(department.name);
    if (special) out.push(special);
    for (let i = special ? 1 : 0; i < department.size; i++) {
      const firstname = pick(FIRST_NAMES);
      const lastname = pick(LAST_NAMES);
      let username = `${firstname}.${lastname}`.toLowerCase();
      for (let n = 2; taken.has(username); n++) username = `${firstname}.${lastname}${n}`.toLowerCase();
      taken.add(username);
      out.push({ username, firstname, lastname, department: department.name, jobTitle: department.title, suspended: random() < 0.05 });
    }
  }
  for (let i = 0; i < 12; i++) {
    const firstname = pick(FIRST_NAMES);
    const lastname = pick(LAST_NAMES);
    let username = `c.${firstname}.${lastname}`.toLowerCase();
    for (let n = 2; taken.has(username); n++) username = `c.${firstname}.${lastname}${n}`.toLowerCase();
    taken.add(username);
    out.push({ username, firstname, lastname, department: null, jobTitle: 'Contractor', suspended: i === 11, bindDirectly: i < 3 });
  }
  return out;
}

/** The group of the rehearsal org that is bound to the ADI domain; its members are in scope only through it. */
export const REHEARSAL_GROUP = 'JCRH Staff';
/** The rehearsal org's user bound to the domain directly (in no bound group). */
export const REHEARSAL_DIRECT_USER = 'jcrh.direct';

/**
 * The rehearsal org (Invoke-JCSyncRehearsal): the awkward cases a sync meets on a real directory,
 * under usernames that start with `jcrh.` so they are unlikely to exist in any forest. No ADI
 * domain yet: the rehearsal creates the admin's own domain and binds REHEARSAL_GROUP and
 * REHEARSAL_DIRECT_USER to it; it also generates the large group itself (its size is a parameter).
 */
const REHEARSAL_USERS: ReadonlyArray<{
  username: string;
  firstname: string;
  lastname: string;
  state?: 'STAGED';
  suspended?: boolean;
  inGroup: boolean;
  case: string;
}> = [
  { username: 'jcrh.zoe', firstname: 'Zoë', lastname: 'Ångström-Øre', inGroup: true, case: 'non-ASCII names' },
  { username: 'jcrh.twenty.chars.ab', firstname: 'Twenty', lastname: 'Characters', inGroup: true, case: 'a 20-character username (the longest AD allows)' },
  { username: 'jcrh.twenty.chars.abc', firstname: 'Twentyone', lastname: 'Characters', inGroup: true, case: 'a 21-character username (one too long for AD)' },
  { username: 'jcrh.nolastname', firstname: 'Cher', lastname: '', inGroup: true, case: 'a missing last name' },
  { username: 'jcrh.taken', firstname: 'Taken', lastname: 'Elsewhere', inGroup: true, case: 'a username already taken elsewhere in the forest' },
  {
    username: 'jcrh.longname',
    firstname: 'Maximiliana-Alexandrina-Konstantina-Bartholomea-Wilhelmina-Theodora',
    lastname: 'Long',
    inGroup: true,
    case: 'a first name over 64 characters',
  },
  { username: 'jcrh.staged', firstname: 'Stan', lastname: 'Staged', state: 'STAGED', inGroup: true, case: 'a STAGED user' },
  { username: 'jcrh.suspended', firstname: 'Sue', lastname: 'Suspended', suspended: true, inGroup: true, case: 'a SUSPENDED user' },
  { username: 'jcrh.rename', firstname: 'Rena', lastname: 'Mewes', inGroup: true, case: 'renamed in JumpCloud' },
  { username: 'jcrh.suspend', firstname: 'Sven', lastname: 'Later', inGroup: true, case: 'suspended in JumpCloud' },
  { username: 'jcrh.password', firstname: 'Paula', lastname: 'Word', inGroup: true, case: 'a password set in JumpCloud' },
  { username: 'jcrh.member', firstname: 'Mo', lastname: 'Member', inGroup: true, case: 'a group membership changed in JumpCloud' },
  { username: 'jcrh.offboard', firstname: 'Otto', lastname: 'Board', inGroup: true, case: 'disabled in AD (offboarding)' },
  { username: REHEARSAL_DIRECT_USER, firstname: 'Dora', lastname: 'Direct', inGroup: false, case: 'bound to the domain directly, then unbound' },
];

function applyRehearsalSeed(store: SandboxStore, tick: () => void): void {
  const group = store.createGroup({ name: REHEARSAL_GROUP, description: 'Users of the JumpCloudADI rehearsal' });
  store.createGroup({ name: 'JCRH Project', description: 'A group the rehearsal adds a member to' });
  for (const u of REHEARSAL_USERS) {
    tick();
    const record = store.createUser({
      username: u.username,
      email: `${u.username}@rehearsal.invalid`,
      firstname: u.firstname,
      lastname: u.lastname,
      displayname: [u.firstname, u.lastname].filter(Boolean).join(' '),
      suspended: u.suspended === true,
    });
    if (u.state === 'STAGED') {
      record.state = 'STAGED';
      record.activated = false;
    } else {
      record.activated = true;
    }
    if (u.inGroup) store.changeMember(group.id, record._id, 'add');
  }
}
