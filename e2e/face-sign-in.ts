import assert from 'node:assert/strict';
import {
  type FaceAction,
  type FaceFixture,
  type FoundFace,
  performChallenge,
  readFaceFixture,
} from '@signet/accounts/testing';
import { formAction, hiddenField, TestBrowser } from '@signet/testing/browser';
import {
  allowInsecureRequests,
  authorizationCodeGrant,
  buildAuthorizationUrl,
  ClientSecretBasic,
  type Configuration,
  calculatePKCECodeChallenge,
  discovery,
  randomNonce,
  randomPKCECodeVerifier,
} from 'openid-client';
import type { RunningSignet } from './signet.js';

/** The redirect URI the e2e integrator registers. */
export const REDIRECT_URI = 'https://example.com/callback';
/** The documented scopes (seed documentation). */
export const DOCUMENTED_SCOPE = 'openid profile birthdate email phone credential offline offline_access';
/** The password `createUser` gives every person. */
export const PASSWORD = 'correct horse battery';

/** An authorization request about to be sent, and the secrets to redeem its code with. */
export interface AuthorizationStart {
  url: URL;
  verifier: string;
  nonce: string;
  state: string;
}

/** A timed capture as the face page's script posts it: base64 JPEGs and their times in ms. */
export type Capture = { frame: string; at: number }[];

/** The challenge a face page shows: its id and the actions, in order. */
export interface PageChallenge {
  id: string;
  actions: FaceAction[];
}

/** A face page (sign-in step or enrolment link) as served: its form and the challenge it asks for. */
export interface FacePage {
  action: string;
  csrf: string;
  challenge: PageChallenge;
  html: string;
  /** The page's Content-Security-Policy header. */
  csp: string;
}

/** The face form in a face page's HTML: the CSRF token and the challenge, read as the script reads them. */
export function faceForm(html: string): { csrf: string; challenge: PageChallenge } {
  const id = /data-challenge="([\w-]+)"/.exec(html)?.[1];
  const actions = /data-actions="([\w ]+)"/.exec(html)?.[1]?.split(' ') as FaceAction[] | undefined;
  const csrf = hiddenField(html, 'csrf');
  assert.ok(id && actions && csrf, html);
  assert.equal(hiddenField(html, 'challenge'), id, 'the form posts the challenge it shows');
  return { csrf, challenge: { id, actions } };
}

/**
 * The documented authorization request with `acr_values=urn:acr:face`, driven over real HTTP:
 * openid-client as the integrator, a cookie-keeping fetch as the person's browser, and the frames
 * the face page's script would capture, synthesised from a fixture portrait turning as asked.
 *
 * @example
 * const faces = await FaceSignIn.for(signet, client);
 * await faces.enrol(person.id, 'hopper');
 * const tokens = await faces.signIn(person.username, 'hopperTransformed'); // tokens.claims().acr === 'urn:acr:face'
 */
export class FaceSignIn {
  private readonly found = new Map<FaceFixture, FoundFace>();

  private constructor(
    readonly signet: RunningSignet,
    readonly config: Configuration,
  ) {}

  /** Discovers the issuer with openid-client for `client` (which must allow the code flow at REDIRECT_URI). */
  static async for(signet: RunningSignet, client: { client_id: string; client_secret: string }): Promise<FaceSignIn> {
    const config = await discovery(
      new URL(signet.issuer),
      client.client_id,
      client.client_secret,
      ClientSecretBasic(client.client_secret),
      { execute: [allowInsecureRequests] },
    );
    return new FaceSignIn(signet, config);
  }

  /** Enrols `fixture` as the person's reference face through the admin API over HTTP (asserts 200). */
  async enrol(userId: string, fixture: FaceFixture): Promise<void> {
    const res = await fetch(`${this.signet.adminUrl}/admin/users/${userId}/face`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.signet.adminToken}`, 'content-type': 'image/jpeg' },
      body: readFaceFixture(fixture),
    });
    assert.equal(res.status, 200, await res.text());
  }

  /**
   * The documented authorization request with fresh PKCE, nonce and state. Default
   * `acr_values=urn:acr:face` and the documented scopes.
   */
  async start(options: { acrValues?: string; scope?: string } = {}): Promise<AuthorizationStart> {
    const verifier = randomPKCECodeVerifier();
    const nonce = randomNonce();
    const state = randomNonce();
    const url = buildAuthorizationUrl(this.config, {
      redirect_uri: REDIRECT_URI,
      scope: options.scope ?? DOCUMENTED_SCOPE,
      state,
      nonce,
      code_challenge: await calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      acr_values: options.acrValues ?? 'urn:acr:face',
    });
    return { url, verifier, nonce, state };
  }

  /**
   * Follows `url` to the login page and signs in with the password; returns where the server
   * sends the browser next and the login page's Content-Security-Policy.
   */
  async logIn(browser: TestBrowser, url: URL, username: string): Promise<{ next: string; loginCsp: string }> {
    let res = await browser.get(url.href);
    assert.equal(res.status, 303);
    res = await browser.get(res.headers.get('location') as string);
    const loginCsp = res.headers.get('content-security-policy') ?? '';
    const html = await res.text();
    const action = formAction(html) ?? '';
    const csrf = hiddenField(html, 'csrf') ?? '';
    assert.ok(action.endsWith('/login') && csrf, html);
    res = await browser.post(action, { csrf, username, password: PASSWORD });
    assert.equal(res.status, 303, await res.text());
    return { next: res.headers.get('location') as string, loginCsp };
  }

  /** Opens a face page at `path` (asserts 200); returns its form, the head turn it asks for and its CSP. */
  async facePage(browser: TestBrowser, path: string): Promise<FacePage> {
    const res = await browser.get(path);
    const html = await res.text();
    assert.equal(res.status, 200, html);
    return { action: path, ...faceForm(html), html, csp: res.headers.get('content-security-policy') ?? '' };
  }

  /** The face in `fixture` (its box and landmarks), found once by the service's own model. */
  async face(fixture: FaceFixture): Promise<FoundFace> {
    let face = this.found.get(fixture);
    if (!face) {
      const enrolled = await this.signet.accounts.ctx.faces.verifier.enroll(readFaceFixture(fixture));
      assert.ok(enrolled.ok, JSON.stringify(enrolled));
      face = enrolled.face;
      this.found.set(fixture, face);
    }
    return face;
  }

  /**
   * The capture the face page's script would post for `actions`, performed by the face of
   * `fixture` (synthesised with `performChallenge`: two neutral frames, then four per action at
   * the script's times), as base64 JPEGs with their times.
   */
  async frames(fixture: FaceFixture, actions: readonly FaceAction[]): Promise<Capture> {
    const frames = await performChallenge(readFaceFixture(fixture), await this.face(fixture), actions);
    return frames.map(({ image, at }) => ({ frame: image.toString('base64'), at }));
  }

  /** Posts a timed capture to a face page's form with the challenge id, as the page's script does. */
  postFrames(
    browser: TestBrowser,
    action: string,
    csrf: string,
    challengeId: string,
    capture: Capture,
  ): Promise<Response> {
    const body = new URLSearchParams({ csrf, challenge: challengeId });
    for (const { frame, at } of capture) {
      body.append('frame', frame);
      body.append('at', String(at));
    }
    // TestBrowser.post takes a record; repeated fields need the raw form.
    return browser.postRaw(action, body.toString());
  }

  /**
   * Shows `fixture` to a face page (sign-in step or enrolment link) already loaded from `path`:
   * the face performing the challenge its HTML asks for, posted with its CSRF token.
   */
  async showFace(browser: TestBrowser, path: string, html: string, fixture: FaceFixture): Promise<Response> {
    const { csrf, challenge } = faceForm(html);
    return this.postFrames(browser, path, csrf, challenge.id, await this.frames(fixture, challenge.actions));
  }

  /**
   * Redeems the code in `callback` (the redirect to REDIRECT_URI) with openid-client, which
   * verifies the id_token (signature, `iss`, `aud`, `nonce`) and the state.
   */
  exchange(callback: URL, request: AuthorizationStart) {
    return authorizationCodeGrant(this.config, callback, {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
      idTokenExpected: true,
    });
  }

  /**
   * The whole documented request for `username` in `browser` (default a fresh one), passing the
   * face step with `fixture`; returns the token response (with the verified id_token claims).
   */
  async signIn(username: string, fixture: FaceFixture, browser = new TestBrowser(this.signet.publicUrl)) {
    const request = await this.start();
    const { next } = await this.logIn(browser, request.url, username);
    assert.match(next, /^\/interaction\/[\w-]+\/face$/, 'a face step, not an error');
    const page = await this.facePage(browser, next);
    const res = await this.showFace(browser, page.action, page.html, fixture);
    assert.equal(res.status, 303, await res.text());
    const callback = new URL(res.headers.get('location') as string);
    assert.equal(callback.origin + callback.pathname, REDIRECT_URI);
    return this.exchange(callback, request);
  }
}
