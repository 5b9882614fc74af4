import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FaceBox } from '@signet/accounts/testing';
import { turnHead, y4mVideo } from '@signet/accounts/testing';
import { type Browser, chromium } from 'playwright-core';

/** The Chromium switches every browser test launches with (Debian's /usr/bin/chromium, headless, as root). */
const LAUNCH_ARGS = ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'];

/** One Chromium per head-turn side, each with a fake camera turning that way. */
export interface FakeCameras {
  /** Its camera shows the person turning to their left. */
  left: Browser;
  /** Its camera shows the person turning to their right. */
  right: Browser;
  /** A scratch directory (the videos are in it) removed by `close`. */
  dir: string;
  /** Closes both browsers and removes `dir`. */
  close(): Promise<void>;
}

/**
 * Launches two Chromiums whose fake cameras (`--use-file-for-fake-video-capture`) play `portrait`
 * frontal for 2 s, then turned by 15° and 30° (turnHead's cylinder model around the face `box`) to
 * the left or to the right. The face step's challenge side is random, so a test continues in the
 * browser whose camera turns the way the page asks.
 */
export async function launchFakeCameras(portrait: Buffer, box: FaceBox): Promise<FakeCameras> {
  const dir = mkdtempSync(join(tmpdir(), 'signet-fake-camera-'));
  const launched: Browser[] = [];
  try {
    for (const side of ['left', 'right'] as const) {
      const sign = side === 'left' ? 1 : -1;
      const [turned15, turned30] = await Promise.all([
        turnHead(portrait, box, sign * 15),
        turnHead(portrait, box, sign * 30),
      ]);
      const file = join(dir, `${side}.y4m`);
      writeFileSync(
        file,
        await y4mVideo([
          { image: portrait, seconds: 2 },
          { image: turned15, seconds: 0.6 },
          { image: turned30, seconds: 3.4 },
        ]),
      );
      launched.push(
        await chromium.launch({
          executablePath: '/usr/bin/chromium',
          args: [
            ...LAUNCH_ARGS,
            '--use-fake-ui-for-media-stream',
            '--use-fake-device-for-media-stream',
            `--use-file-for-fake-video-capture=${file}`,
          ],
        }),
      );
    }
  } catch (error) {
    await Promise.all(launched.map((b) => b.close()));
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const [left, right] = launched as [Browser, Browser];
  return {
    left,
    right,
    dir,
    async close() {
      await Promise.all(launched.map((b) => b.close()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
