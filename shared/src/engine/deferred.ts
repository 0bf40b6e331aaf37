/**
 * A value worked out when first read, then kept. A full recompute produces millions of
 * lines whose provenance (and the divisions in it) nobody reads; values that only
 * provenance shows are deferred like this, and computed exactly as before when read.
 */
export abstract class Deferred<T> {
  #value: T | undefined;
  #done = false;

  protected abstract compute(): T;

  get(): T {
    if (!this.#done) {
      this.#value = this.compute();
      this.#done = true;
    }
    return this.#value as T;
  }
}

export type MaybeDeferred<T> = T | Deferred<T>;

export function resolve<T>(value: MaybeDeferred<T>): T {
  return value instanceof Deferred ? value.get() : value;
}
