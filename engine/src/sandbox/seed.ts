// Seeds for a new sandbox org. `empty`: an org and nothing else. `demo`: about three hundred
// users across twelve departments (one group each, all bound to DC=example;DC=com), some
// suspended, a few contractors outside every group (three bound to the domain directly), and the
// awkward cases a sync must handle: no last name, a 22-character username, non-ASCII names, and a
// username that collides with an AD built-in account. The same seed gives the same org, ids
// included, on every machine.
import { IdMaker, seededRandom } from './ids';
import type { SandboxStore, UserRecord } from './store';

export type SeedName = 'empty' | 'demo';
export const SEED_NAMES: readonly SeedName[] = ['empty', 'demo'];

export const DEMO_DOMAIN = 'DC=example;DC=com';
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
  'Ada', 'Ben', 'Carla', 'Dmitri', 'Elena', 'Farah', 'Gabriel', 'Hana', 'Ivan', 'Julia', 'Kofi', 'Lena', 'Mateo', 'Nadia',
  'Oscar', 'Priya', 'Quentin', 'Rosa', 'Samir', 'Tara', 'Umar', 'Vera', 'Wei', 'Ximena', 'Yusuf', 'Zara', 'Anders', 'Bianca',
  'Chen', 'Dalia', 'Emil', 'Fiona', 'Goran', 'Helga', 'Isaac', 'Jonas', 'Keiko', 'Liam', 'Maya', 'Noah',
];
const LAST_NAMES = [
  'Anderson', 'Brooks', 'Castillo', 'Dubois', 'Eriksen', 'Fischer', 'Garcia', 'Haddad', 'Ivanova', 'Jensen', 'Kowalski', 'Larsen',
  'Moreau', 'Nakamura', 'Okafor', 'Petrov', 'Quinn', 'Rossi', 'Schmidt', 'Tanaka', 'Usman', 'Varga', 'Weber', 'Xu', 'Yilmaz',
  'Zimmermann', 'Baker', 'Clarke', 'Diaz', 'Evans', 'Ford', 'Gupta', 'Hughes', 'Ito', 'Khan', 'Lopez', 'Murphy', 'Novak',
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
  { username: 'christopher.montgomery', firstname: 'Christopher', lastname: 'Montgomery', department: 'Sales', jobTitle: 'Regional Director', suspended: false },
  { username: 'cher', firstname: 'Cher', lastname: '', department: 'Marketing', jobTitle: 'Brand Ambassador', suspended: false },
  { username: 'zoe.angstrom', firstname: 'Zoë', lastname: 'Ångström', department: 'Research', jobTitle: 'Research Scientist', suspended: false },
  { username: 'bjorn.oberg', firstname: 'Björn', lastname: 'Öberg', department: 'Engineering', jobTitle: 'Software Engineer', suspended: false },
];

export function applySeed(store: SandboxStore, seed: SeedName): void {
  const random = seededRandom(DEMO_SEED);
  const machine = Array.from({ length: 5 }, () => Math.floor(random() * 256).toString(16).padStart(2, '0')).join('');
  store.withFrozenClock(DEMO_EPOCH, (setNow) => {
    let clock = DEMO_EPOCH;
    const tick = (ms = 60_000) => {
      clock += ms;
      setNow(clock);
    };
    store.initEmpty(seed === 'demo' ? 'Example Corp (sandbox demo)' : 'Sandbox Org', new IdMaker(0, machine));
    if (seed === 'empty') return;

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
