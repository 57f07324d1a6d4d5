// Rotating the sync service account's password without losing sync. The order is what matters:
//   1. every store of the password (e.g. the local agent's encrypted config) stages the new one
//      next to the current one, so a running agent that fails to bind can fall back to it;
//   2. AD gets the new password (an administrator reset);
//   3. a bind with the new password proves it works;
//   4. the stores commit (the staged password becomes the only one).
// If AD refuses the password, the stores roll back and nothing changed. Pure orchestration: AD and
// the stores come in as functions.

/** A place that keeps the service account's password besides AD. */
export interface PasswordStore {
  /** Shown in the result, e.g. "agent config C:\ProgramData\JumpCloudADI\agent.json". */
  name: string;
  stage(newPassword: string): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

export interface RotationEffects {
  setPasswordInAd(newPassword: string): Promise<void>;
  /** Binds with the new password; throws when the bind fails. */
  verifyBind?(newPassword: string): Promise<void>;
}

export interface RotationOutcome {
  changedInAd: boolean;
  verified: boolean | null;
  /** Stores that hold the new password now. */
  committed: string[];
}

export async function rotatePassword(newPassword: string, effects: RotationEffects, stores: readonly PasswordStore[] = []): Promise<RotationOutcome> {
  const staged: PasswordStore[] = [];
  try {
    for (const store of stores) {
      await store.stage(newPassword);
      staged.push(store);
    }
    await effects.setPasswordInAd(newPassword);
  } catch (err) {
    for (const store of staged.reverse()) await store.rollback().catch(() => undefined);
    throw err;
  }
  // From here AD holds the new password: the stores must move forward, never back.
  let verified: boolean | null = null;
  if (effects.verifyBind) {
    await effects.verifyBind(newPassword);
    verified = true;
  }
  const committed: string[] = [];
  for (const store of stores) {
    await store.commit();
    committed.push(store.name);
  }
  return { changedInAd: true, verified, committed };
}
