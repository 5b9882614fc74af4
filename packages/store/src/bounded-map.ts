/**
 * Sets `key` to `value` as the newest entry of an insertion-ordered `map` (moved to the end if it
 * was there) and drops the oldest entries beyond `max`: the one eviction rule of the in-memory
 * caches (clients, verified tokens, opened credentials, revocation data).
 *
 * @example
 * const cache = new Map<string, Client>();
 * setBounded(cache, client.clientId, client, 10_000);
 */
export function setBounded<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  for (const oldest of map.keys()) {
    if (map.size <= max) break;
    map.delete(oldest);
  }
}
