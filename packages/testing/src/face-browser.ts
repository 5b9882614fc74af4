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

// Chromium with fake cameras for the face challenge and Chromium's CDP virtual authenticator for
// passkeys: what the browser tests and the headless demo (scripts/demo.ts) use to act as a person.

/** Where Debian's Chromium is (`apt-get install chromium`). */
export const CHROMIUM = '/usr/bin/chromium';

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
      executablePath: CHROMIUM,
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

/** Chromium's virtual authenticator on this page: a platform authenticator that verifies the person (`hwk`, `user`). */
export async function virtualAuthenticator(page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
}

/** Runs the face capture in `page` (whose camera performs its challenge) until `done`; throws what the page said if it refuses. */
export async function captureFace(page: Page, done: (page: Page) => Promise<unknown>): Promise<void> {
  await page.locator('#face-start').click();
  await Promise.race([done(page), page.locator('#face-error').waitFor({ timeout: 60_000 })]);
  if ((await page.locator('#face-error').count()) > 0) {
    throw new Error(`the face page refused: ${await page.locator('#face-error').textContent()}`);
  }
}

/** The pages a person's walk goes through, handed to `onStep` (checks, screenshots) as each is reached. */
export type PersonStep = 'passkey-step' | 'enrolled' | 'login-page' | 'passkey-sign-in';

/** Options of {@link enrolFaceAndPasskey} and {@link signInWithPasskeyAndFace}. */
export interface PersonWalkOptions {
  /** The browser context's options (e.g. `locale`). Default: `en-US`. */
  contextOptions?: Parameters<Browser['newContext']>[0];
  /** Called on each page of the walk, before the walk acts on it; it may reload the page (same URL). */
  onStep?: (step: PersonStep, page: Page) => Promise<void>;
}

/**
 * A person opens their one-time enrolment `link` (use the issuer's own URL: WebAuthn needs the
 * domain), enrols their face with the fake camera, then creates a passkey on a virtual
 * authenticator. Returns the page, signed in and holding that authenticator: sign in with
 * {@link signInWithPasskeyAndFace} on it.
 */
export async function enrolFaceAndPasskey(
  cameras: FakeCameras,
  link: string,
  options: PersonWalkOptions = {},
): Promise<Page> {
  const contextOptions = options.contextOptions ?? { locale: 'en-US' };
  const first = await (await cameras.idle.newContext(contextOptions)).newPage();
  await first.goto(link);
  // The face step continues in the Chromium whose camera performs the challenge the page asks.
  const page = await cameras.follow(first, contextOptions);
  const errors = pageErrors(page);
  await captureFace(page, (p) => p.locator('#passkey-form').waitFor({ timeout: 60_000 }));
  await options.onStep?.('passkey-step', page);
  await virtualAuthenticator(page);
  await page.locator('#passkey-start').click();
  await page
    .locator('#passkey-enrolled')
    .waitFor({ timeout: 15_000 })
    .catch(async (error: Error) => {
      const said = await page.locator('#passkey-status, #passkey-error').allTextContents();
      throw new Error(`${error.message}; the page said: ${said.join(' / ')}; ${errors.join(' / ')}`);
    });
  await options.onStep?.('enrolled', page);
  return page;
}

/**
 * Signs in on `page` (one holding the person's virtual authenticator, from
 * {@link enrolFaceAndPasskey}) through `authorizationUrl`: the passkey, then the face with the
 * camera performing the challenge, until the browser reaches `redirectUri`. Consent, if asked, is
 * given. Returns the callback URL (with `code`, `state`, `iss`) and the page that reached it.
 */
export async function signInWithPasskeyAndFace(
  cameras: FakeCameras,
  page: Page,
  authorizationUrl: string,
  redirectUri: string,
  options: PersonWalkOptions = {},
): Promise<{ callbackUrl: URL; page: Page }> {
  const atCallback = (u: URL) => u.href.startsWith(redirectUri);
  await page.goto(authorizationUrl);
  await options.onStep?.('login-page', page);
  await page.locator('#passkey-link').click();
  await page.locator('#passkey-form').waitFor();
  await options.onStep?.('passkey-sign-in', page);
  await Promise.all([page.waitForURL(/\/face$/), page.locator('#passkey-start').click()]);
  const facePage = await cameras.follow(page, options.contextOptions ?? { locale: 'en-US' });
  const allow = facePage.locator('button[name=decision][value=allow]');
  await captureFace(facePage, (p) =>
    Promise.race([p.waitForURL(atCallback, { timeout: 60_000 }), allow.waitFor({ timeout: 60_000 })]),
  );
  if (!atCallback(new URL(facePage.url()))) {
    // The consent page: allow.
    await Promise.all([facePage.waitForURL(atCallback, { timeout: 15_000 }), allow.click()]);
  }
  return { callbackUrl: new URL(facePage.url()), page: facePage };
}

/** Collects the page's uncaught script errors, for messages. */
function pageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}
