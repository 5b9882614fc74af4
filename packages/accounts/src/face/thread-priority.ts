import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * The nice value of a face worker thread: the lowest priority. A face check is about 0.3 s of CPU;
 * at nice 0 it takes its full share of a core from the event loop answering tokens, whose p99 then
 * triples. At 19 the kernel gives the event loop the core whenever it has work (CFS weight 1024
 * against 15), and face checks run in what is left.
 */
export const FACE_WORKER_NICE = 19;

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
