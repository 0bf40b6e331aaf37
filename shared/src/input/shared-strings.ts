/**
 * One string object per distinct value, for the fields a million records repeat (dates,
 * owners, currencies, pipelines, stages). A parsed file or a database read gives each
 * record its own copy, which a big tenant keeps for as long as it is loaded; with one
 * shared object per value, equal values also compare by reference, without reading them.
 */
export class SharedStrings {
  private readonly seen = new Map<string, string>();

  of<T extends string>(value: T): T {
    const known = this.seen.get(value);
    if (known !== undefined) return known as T;
    this.seen.set(value, value);
    return value;
  }
}
