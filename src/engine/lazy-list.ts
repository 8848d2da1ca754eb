/**
 * A plain-looking array whose elements are built on first access. The engine records a
 * decision's trace as small closures in the same pass as the decision (SE-DIAG-3) and turns
 * them into `Step` / `Blocker` objects only when someone reads the trace: most decisions in a
 * batch are never explained, and building every sentence up front cost more than deciding.
 *
 * To every reader the list is an ordinary array of plain objects: `Array.isArray` is true,
 * indexing, `length`, iteration, `map`/`find`/…, spreading, `JSON.stringify`, `Object.keys`,
 * vitest's `toEqual` and Node's `util.inspect` all see the built elements. It is a Proxy over a
 * real array that is filled (once) by the first operation that looks at it; writes work too.
 * One thing a Proxy cannot do: `structuredClone` / `postMessage` / `v8.serialize` refuse it
 * (DataCloneError); copy a decision with `JSON.parse(JSON.stringify(decision))` instead.
 */

/** Builds one element, or several (a firewall refusal yields one blocker per distinct fix). */
export type Thunk<T> = () => T | T[];

/** Node's `util.inspect.custom` (a registered symbol: no `node:util` import in the pure core). */
const INSPECT = Symbol.for("nodejs.util.inspect.custom");

class LazyHandler<T> implements ProxyHandler<T[]> {
  private thunks: Array<Thunk<T>> | undefined;

  constructor(thunks: Array<Thunk<T>>) {
    this.thunks = thunks;
  }

  private fill(target: T[]): T[] {
    const thunks = this.thunks;
    if (thunks !== undefined) {
      this.thunks = undefined;
      for (let i = 0; i < thunks.length; i++) {
        const v = thunks[i]!();
        if (Array.isArray(v)) for (const x of v) target.push(x);
        else target.push(v);
      }
    }
    return target;
  }

  get(target: T[], key: string | symbol): unknown {
    if (key === INSPECT) return inspectList;
    return Reflect.get(this.fill(target), key);
  }
  set(target: T[], key: string | symbol, value: unknown): boolean {
    return Reflect.set(this.fill(target), key, value);
  }
  has(target: T[], key: string | symbol): boolean {
    return Reflect.has(this.fill(target), key);
  }
  deleteProperty(target: T[], key: string | symbol): boolean {
    return Reflect.deleteProperty(this.fill(target), key);
  }
  defineProperty(target: T[], key: string | symbol, desc: PropertyDescriptor): boolean {
    return Reflect.defineProperty(this.fill(target), key, desc);
  }
  ownKeys(target: T[]): ArrayLike<string | symbol> {
    return Reflect.ownKeys(this.fill(target)).filter((k) => k !== INSPECT);
  }
  getOwnPropertyDescriptor(target: T[], key: string | symbol): PropertyDescriptor | undefined {
    if (key === INSPECT) return undefined;
    return Reflect.getOwnPropertyDescriptor(this.fill(target), key);
  }
}

/**
 * `util.inspect` looks at a proxy's target, not through its traps: the target carries this
 * hook (called with the proxy as `this`), so `console.log(decision)` shows the built trace.
 */
function inspectList(this: unknown[]): unknown[] {
  return [...this];
}

/** An array whose elements are `thunks`' results, built (in order) on first access. */
export function lazyList<T>(thunks: Array<Thunk<T>>): T[] {
  if (thunks.length === 0) return [];
  const target: T[] = [];
  (target as unknown as Record<symbol, unknown>)[INSPECT] = inspectList;
  return new Proxy(target, new LazyHandler(thunks));
}
