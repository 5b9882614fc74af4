/**
 * The few `Reflect` metadata functions tsyringe (under @peculiar/x509) checks for at import.
 * No metadata polyfill package is installed and x509 registers its services without decorators,
 * so a small WeakMap-backed one does; a real polyfill, if loaded first, is left alone.
 */
type Key = string | symbol | undefined;
type Store = WeakMap<object, Map<Key, Map<unknown, unknown>>>;

interface ReflectMetadata {
  defineMetadata(metadataKey: unknown, value: unknown, target: object, propertyKey?: string | symbol): void;
  getOwnMetadata(metadataKey: unknown, target: object, propertyKey?: string | symbol): unknown;
  getMetadata(metadataKey: unknown, target: object, propertyKey?: string | symbol): unknown;
  hasOwnMetadata(metadataKey: unknown, target: object, propertyKey?: string | symbol): boolean;
  hasMetadata(metadataKey: unknown, target: object, propertyKey?: string | symbol): boolean;
}

const reflect = Reflect as unknown as Partial<ReflectMetadata>;

if (typeof reflect.getMetadata !== 'function') {
  const store: Store = new WeakMap();
  const table = (target: object, propertyKey: Key, create: boolean): Map<unknown, unknown> | undefined => {
    let byProperty = store.get(target);
    if (!byProperty) {
      if (!create) return undefined;
      byProperty = new Map();
      store.set(target, byProperty);
    }
    let entries = byProperty.get(propertyKey);
    if (!entries && create) {
      entries = new Map();
      byProperty.set(propertyKey, entries);
    }
    return entries;
  };
  const own = (target: object, propertyKey?: Key) => table(target, propertyKey, false);
  const find = (key: unknown, target: object | null, propertyKey?: Key): Map<unknown, unknown> | undefined => {
    for (let t = target; t; t = Object.getPrototypeOf(t)) {
      const entries = own(t, propertyKey);
      if (entries?.has(key)) return entries;
    }
    return undefined;
  };
  const metadata: ReflectMetadata = {
    defineMetadata: (key, value, target, propertyKey) => {
      table(target, propertyKey, true)?.set(key, value);
    },
    getOwnMetadata: (key, target, propertyKey) => own(target, propertyKey)?.get(key),
    getMetadata: (key, target, propertyKey) => find(key, target, propertyKey)?.get(key),
    hasOwnMetadata: (key, target, propertyKey) => own(target, propertyKey)?.has(key) ?? false,
    hasMetadata: (key, target, propertyKey) => find(key, target, propertyKey) !== undefined,
  };
  Object.assign(Reflect, metadata);
}
