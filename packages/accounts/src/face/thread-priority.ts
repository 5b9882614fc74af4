import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * The nice value of a face worker thread. A face check is about 0.3 s of CPU; at nice 0 it takes
 * its full share of a core from the event loop answering tokens, whose p99 then triples. At 10
 * the kernel weighs the event loop 1024 against 110 (CFS), so the event loop gets about 90% of a
 * core it shares with a face check, and face checks still progress under a token flood. At 19
 * (weight 15) they stopped: no face check finished in 10 s of token load on a busy machine.
 */
export const FACE_WORKER_NICE = 10;

/**
 * Lowers the scheduling priority of the calling thread only (a Node worker thread is a Linux
 * thread; `setpriority` with its thread id changes that thread alone, and threads it starts
 * afterwards inherit it). Returns false where the thread id cannot be had (not Linux).
 */
export function lowerThisThreadPriority(nice = FACE_WORKER_NICE): boolean {
  try {
    // /proc/thread-self links to /proc/<pid>/task/<tid>.
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0) return false;
    setPriority(tid, nice);
    return true;
  } catch {
    return false;
  }
}
