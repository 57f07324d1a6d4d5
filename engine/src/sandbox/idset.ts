// A set of JumpCloud ids that keeps its ascending order once asked, until it changes. The API's
// lists (a group's members, a domain's bindings) are paged by 100: sorting the whole set for each
// page made reading a 20,000-member group cost 200 sorts of 20,000 ids, and the sandbox's CPU then
// grew with the square of the group (engine/src/sandbox/README.md, "Cost").
export class IdSet extends Set<string> {
  #sorted: readonly string[] | null = null;

  // Filled after construction: Set's constructor calls add() before this class's fields exist.
  constructor(ids: Iterable<string> = []) {
    super();
    for (const id of ids) this.add(id);
  }

  override add(id: string): this {
    if (!this.has(id)) this.#sorted = null;
    return super.add(id);
  }

  override delete(id: string): boolean {
    const deleted = super.delete(id);
    if (deleted) this.#sorted = null;
    return deleted;
  }

  override clear(): void {
    this.#sorted = null;
    super.clear();
  }

  /** The ids in ascending order (as `<` compares them): made once per change, shared until the next. */
  sorted(): readonly string[] {
    this.#sorted ??= Object.freeze([...this].sort());
    return this.#sorted;
  }
}
