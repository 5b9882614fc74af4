import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CAPTURE_SCHEDULE,
  FACE_ACTIONS,
  type FaceAction,
  type FoundFace,
  performAction,
  y4mVideo,
} from '@signet/accounts/testing';
import { type Browser, chromium, type Page } from 'playwright-core';

/** The Chromium switches every browser test launches with (Debian's /usr/bin/chromium, headless, as root). */
const LAUNCH_ARGS = ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'];

/**
 * Seconds of the straight look before the first action in the video: the page's script waits
 * 1 s after the camera starts, then takes its neutral frames for `neutralMs`; the rest is
 * Chromium's start-up.
 */
const LEAD_SECONDS = 1.1 + CAPTURE_SCHEDULE.neutralMs / 1000;

/** Chromiums with fake cameras (`--use-file-for-fake-video-capture`) for the face challenge. */
export interface FakeCameras {
  /** Its camera shows the portrait looking straight: for the pages before the face step. */
  idle: Browser;
  /**
   * Continues `page` (a face page) in a Chromium whose camera performs the challenge the page
   * shows, as the test reads it from `data-actions`: the cookies move over and the same URL
   * opens (the challenge is kept while it is live). Closes `page`'s context.
   */
  follow(page: Page, contextOptions?: Parameters<Browser['newContext']>[0]): Promise<Page>;
  /** A scratch directory (the videos are in it) removed by `close`. */
  dir: string;
  /** Closes every browser and removes `dir`. */
  close(): Promise<void>;
}

/**
 * Writes the Y4M video of `portrait` performing `actions` as the face page asks: straight for
 * {@link LEAD_SECONDS}, then each action for the schedule's `actionMs` (starting at half
 * strength for 0.3 s, then held), then straight again.
 */
async function challengeVideo(portrait: Buffer, face: FoundFace, actions: readonly FaceAction[]): Promise<Buffer> {
  const segments = [{ image: portrait, seconds: LEAD_SECONDS }];
  const actionSeconds = CAPTURE_SCHEDULE.actionMs / 1000;
  for (const action of actions) {
    const [half, full] = await Promise.all([
      performAction(portrait, face, action, 0.5),
      performAction(portrait, face, action, 1),
    ]);
    segments.push({ image: half, seconds: 0.3 }, { image: full, seconds: actionSeconds - 0.3 });
  }
  segments.push({ image: portrait, seconds: 3 });
  return y4mVideo(segments);
}

/**
 * Launches an idle Chromium whose camera shows `portrait` (its `face` found by the model), and
 * on demand one per challenge whose camera performs it (see {@link FakeCameras.follow}).
 */
export async function launchFakeCameras(portrait: Buffer, face: FoundFace): Promise<FakeCameras> {
  const dir = mkdtempSync(join(tmpdir(), 'signet-fake-camera-'));
  const launched: Browser[] = [];
  const launch = async (name: string, video: Buffer) => {
    const file = join(dir, `${name}.y4m`);
    writeFileSync(file, video);
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        ...LAUNCH_ARGS,
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',
        `--use-file-for-fake-video-capture=${file}`,
      ],
    });
    launched.push(browser);
    return browser;
  };
  const close = async () => {
    await Promise.all(launched.map((b) => b.close()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const idle = await launch('idle', await y4mVideo([{ image: portrait, seconds: 2 }]));
    const performing = new Map<string, Browser>();
    return {
      idle,
      dir,
      close,
      async follow(page, contextOptions) {
        const listed = (await page.locator('#face').getAttribute('data-actions')) ?? '';
        const actions = listed.split(' ') as FaceAction[];
        if (!actions.every((a) => FACE_ACTIONS.includes(a))) throw new Error(`not a challenge: ${listed}`);
        let browser = performing.get(listed);
        if (!browser) {
          browser = await launch(actions.join('-'), await challengeVideo(portrait, face, actions));
          performing.set(listed, browser);
        }
        const context = await browser.newContext(contextOptions);
        await context.addCookies(await page.context().cookies());
        const next = await context.newPage();
        await next.goto(page.url());
        await page.context().close();
        return next;
      },
    };
  } catch (error) {
    await close();
    throw error;
  }
}
