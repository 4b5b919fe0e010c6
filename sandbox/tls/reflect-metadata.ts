/**
 * The three `Reflect` metadata functions that tsyringe (a dependency of `@peculiar/x509`) checks
 * for at load time. The `reflect-metadata` package is not installed and we may not add it, so
 * this module installs a minimal WeakMap-backed version, only where none exists. It must be
 * imported before `@peculiar/x509`; ESM evaluates imports in order, so importing it first is
 * enough.
 */
type MetadataStore = WeakMap<object, Map<unknown, unknown>>;

interface ReflectMetadata {
  getMetadata?(key: unknown, target: object): unknown;
  getOwnMetadata?(key: unknown, target: object): unknown;
  defineMetadata?(key: unknown, value: unknown, target: object): void;
}

const reflect = Reflect as typeof Reflect & ReflectMetadata;

if (typeof reflect.getMetadata !== 'function') {
  const store: MetadataStore = new WeakMap();
  const own = (key: unknown, target: object): unknown => store.get(target)?.get(key);
  reflect.getOwnMetadata = own;
  reflect.defineMetadata = (key, value, target) => {
    const entries = store.get(target) ?? new Map<unknown, unknown>();
    entries.set(key, value);
    store.set(target, entries);
  };
  // Metadata is inherited along the prototype chain, as in the reflect-metadata proposal.
  reflect.getMetadata = (key, target) => {
    for (let t: object | null = target; t !== null; t = Object.getPrototypeOf(t) as object | null) {
      const entries = store.get(t);
      if (entries?.has(key)) return entries.get(key);
    }
    return undefined;
  };
}

export {};
