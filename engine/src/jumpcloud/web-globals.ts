// Node's web globals FormData, Headers, Request and Response are getters that load Node's own fetch
// implementation (undici) the first time one is read. axios reads all four when it loads (to know
// FormData and to set up its fetch adapter), though the engine only ever talks through node:https,
// so every process that loaded the JumpCloud client carried undici: about 3 MB more RSS, the
// agent's idle memory included (docs/memory.md). transport.ts imports this module right before
// axios: the four read as undefined while axios loads, and transport.ts puts them back
// (restoreWebGlobals) before anything else runs; a later read loads undici as it always did.
const HIDDEN = ['FormData', 'Headers', 'Request', 'Response'] as const;

const saved = HIDDEN.map((name) => [name, Object.getOwnPropertyDescriptor(globalThis, name)] as const);
for (const [name, descriptor] of saved)
  if (descriptor?.configurable) Object.defineProperty(globalThis, name, { value: undefined, configurable: true, writable: true });

/** The four globals as Node defined them (the lazy getters). Idempotent. */
export function restoreWebGlobals(): void {
  for (const [name, descriptor] of saved) if (descriptor?.configurable) Object.defineProperty(globalThis, name, descriptor);
}
