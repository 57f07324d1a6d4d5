// The rolling safety limit over passwords from JumpCloud (kind `passwordChange`,
// sync/safety-limit.ts). Each password event the agent would write to AD is admitted one by one
// in the AD ledger, after every other check and before the password is opened (./passwords.ts).
// Over the limit the password is held: not opened, not written, not acknowledged. JumpCloud keeps
// it sealed to the agent's key and delivers it again after the delivery lease (the agent channel
// is at least once), so nothing is kept on this server, in memory or on disk; an approval
// (Approve-JCSyncSafetyLimit -SafetyKind passwordChange) lets the next deliveries through.
//
// The hold is shown like the plan kinds' holds: `safetyHold` in the agent status, one
// `safetyLimit` entry in the history and a warning per hold, and one `setPassword` entry
// (outcome `reported`) per held event. The ids of the events held now are kept in memory only
// (a restart learns them again at their next delivery), so the ledger notes how many an approval
// must allow for all of them.
import { AdLedgerStore } from '../ad/ledger';
import type { AdSession } from '../ad/session';
import { AdWriter } from '../ad/writer';
import { heldMessage, SafetyLimit, type KindStatus } from '../sync/safety-limit';
import type { AgentCore } from './core';

const KIND = 'passwordChange';
const REPORTED = `safety:${KIND}`;

export class PasswordHolds {
  readonly #held = new Set<string>();

  constructor(private readonly core: AgentCore) {}

  /** The `admit` of one password event's context (PasswordContext.admit). */
  admitFor(session: AdSession, eventId: string, who: string): (accountDn: string) => Promise<boolean> {
    return async (accountDn) => {
      const core = this.core;
      const settings = core.config.sync;
      const limit = new SafetyLimit(
        new AdLedgerStore(session, new AdWriter(session, settings.anchorAttribute), core.rootDN),
        { windowHours: settings.safetyWindowHours, maxCount: settings.maxDisableCount, maxPercent: settings.maxDisablePercent },
        () => core.now(),
      );
      const known = this.#held.has(eventId);
      const pending = known ? this.#held.size : this.#held.size + 1;
      const { admitted, status } = await limit.admitPasswordChange(core.managedObjects ?? 0, pending);
      if (admitted) {
        this.#held.delete(eventId);
        if (this.#held.size === 0) this.#release();
        return true;
      }
      this.#held.add(eventId);
      this.#hold(status, accountDn, who, !known);
      return false;
    };
  }

  #hold(status: KindStatus, accountDn: string, who: string, firstTime: boolean): void {
    const core = this.core;
    const message = heldMessage(status, core.config.sync.safetyWindowHours);
    if (firstTime) {
      core.journal.write({
        kind: 'setPassword',
        target: accountDn,
        jcId: null,
        outcome: 'reported',
        detail: `password of ${who} changed in JumpCloud: held back by the safety limit (${KIND}); not written, not acknowledged (JumpCloud delivers it again)`,
      });
    }
    const newHold = core.store.state.reported[REPORTED] === undefined;
    core.store.update(
      (s) => {
        const before = s.safetyHold.find((h) => h.kind === KIND);
        const entry = {
          kind: KIND,
          planned: status.planned,
          windowCount: status.windowCount,
          limit: status.limit,
          approved: status.approved,
          since: before?.since ?? core.nowIso(),
          message,
        };
        s.safetyHold = [...s.safetyHold.filter((h) => h.kind !== KIND), entry];
        s.reported[REPORTED] = 'held';
      },
      { flush: firstTime || newHold },
    );
    if (newHold) {
      core.journal.write({ kind: 'safetyLimit', target: KIND, jcId: null, outcome: 'reported', detail: message });
      core.log('warning', message, { id: 'Sync.SafetyLimit' });
    }
  }

  #release(): void {
    const core = this.core;
    if (core.store.state.reported[REPORTED] === undefined && !core.store.state.safetyHold.some((h) => h.kind === KIND)) return;
    core.store.update(
      (s) => {
        s.safetyHold = s.safetyHold.filter((h) => h.kind !== KIND);
        delete s.reported[REPORTED];
      },
      { flush: true },
    );
    core.log('info', 'passwords from JumpCloud are written to AD again (the safety limit admits them)');
  }
}
