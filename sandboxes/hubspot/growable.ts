/** An append-only Float64Array that doubles when full: compact columns for a million records. */
export class GrowableFloat64 {
  private data: Float64Array;
  private count = 0;

  constructor(capacity = 16) {
    this.data = new Float64Array(Math.max(16, capacity));
  }

  get length(): number {
    return this.count;
  }

  push(value: number): number {
    if (this.count === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.count] = value;
    return this.count++;
  }

  get(i: number): number {
    return this.data[i]!;
  }

  set(i: number, value: number): void {
    this.data[i] = value;
  }
}
