// Face verification (issue 4) on the real model, in a real worker pool: no mock of the model.
// Fixtures and their licences: packages/accounts/test-fixtures/faces/README.md.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import {
  CHALLENGE_TTL,
  checkChallenge,
  decodeChallenge,
  drawChallenge,
  encodeChallenge,
  type FaceAction,
  isLive,
} from './challenge.js';
import { checkFace } from './check.js';
import { countPeople, FACE_API_TEMPLATE_VERSION } from './face-api-verifier.js';
import { estimateYaw } from './liveness.js';
import { defaultPoolSize, FaceBusyError, FacePoolError, FaceVerifierPool } from './pool.js';
import { captureTimes, performChallenge, readFaceFixture, tiltFlatPicture, turnHead } from './testing-faces.js';
import type { FaceBox, FaceFrame, FacePoint, FaceTemplate, FaceVerification } from './verifier.js';
import { euclideanDistance, isFaceTemplate } from './verifier.js';

const THRESHOLD = 0.5;

/** The frames of a verification that found a face, or a failed assertion. */
function faces(verification: FaceVerification): Extract<FaceFrame, { ok: true }>[] {
  assert.ok(verification.ok, `verification refused: ${JSON.stringify(verification)}`);
  return verification.frames.map((frame, i) => {
    assert.ok(frame.ok, `frame ${i} refused: ${JSON.stringify(frame)}`);
    return frame;
  });
}

describe('face verification with the built-in model', () => {
  // One worker, as on the 2-core machines this runs on; every test goes through the pool.
  const pool = new FaceVerifierPool({ size: 1, maxQueue: 1, verifier: { module: defaultModule(), options: {} } });
  let hopper: FaceTemplate;

  before(async () => {
    await pool.warmUp();
    const enrolled = await pool.enroll(readFaceFixture('hopper'));
    assert.ok(enrolled.ok, JSON.stringify(enrolled));
    hopper = enrolled.template;
    const collins = await pool.enroll(readFaceFixture('collins'));
    assert.ok(collins.ok, JSON.stringify(collins));
  });
  after(() => pool.close());

  describe('enroll', () => {
    it('makes a 128-number template of the built-in model, with the face and its 68 landmarks', async () => {
      assert.ok(isFaceTemplate(hopper));
      assert.equal(hopper.version, FACE_API_TEMPLATE_VERSION);
      assert.equal(hopper.embedding.length, 128);
      const again = await pool.enroll(readFaceFixture('hopper'));
      assert.ok(again.ok);
      assert.ok(
        euclideanDistance(again.template.embedding, hopper.embedding) < 1e-4,
        'the same image, the same template',
      );
      assert.equal(again.face.landmarks.length, 68);
      assert.ok(again.face.score > 0.9);
      // the face is in the middle of the 512×512 portrait
      const { x, y, width, height } = again.face.box;
      assert.ok(x > 100 && x + width < 412 && y > 50 && y + height < 400, JSON.stringify(again.face.box));
    });

    it('refuses a picture with no face as no_face, with a message a person can act on', async () => {
      const result = await pool.enroll(readFaceFixture('coffee'));
      assert.ok(!result.ok);
      assert.equal(result.problem, 'no_face');
      assert.match(result.message, /No face was found/);
    });

    it('refuses a picture with two faces as multiple_faces', async () => {
      const result = await pool.enroll(readFaceFixture('twoFaces'));
      assert.ok(!result.ok);
      assert.equal(result.problem, 'multiple_faces');
      assert.match(result.message, /2 faces were found; exactly one person/);
    });

    it('sees one face in a portrait turned 15–30° either way (no spurious second face in the hair)', async () => {
      // Before the detector tuning, the transformed portrait turned 15–25° showed a second
      // "face" (confidence up to 0.62, 6 % of the real one's area) above the head: multiple_faces.
      const portrait = readFaceFixture('hopperTransformed');
      const frontal = await pool.enroll(portrait);
      assert.ok(frontal.ok, JSON.stringify(frontal));
      for (const degrees of [-25, -20, -15, 15, 20, 25, 30]) {
        const result = await pool.enroll(await turnHead(portrait, frontal.face.box, degrees));
        assert.ok(result.ok, `${degrees}°: ${JSON.stringify(!result.ok && result)}`);
        assert.ok(euclideanDistance(result.template.embedding, hopper.embedding) < THRESHOLD, `${degrees}°`);
      }
    });

    it('still refuses a second person who is small but clearly a face', async () => {
      // Hopper's portrait with Collins' head a quarter of its size beside it (detected at ≈ 0.9).
      const collins = await sharp(readFaceFixture('collins'))
        .extract({ left: 120, top: 0, width: 240, height: 240 })
        .resize(120, 120)
        .toBuffer();
      const pair = await sharp({ create: { width: 632, height: 512, channels: 3, background: '#808080' } })
        .composite([
          { input: readFaceFixture('hopper'), left: 0, top: 0 },
          { input: collins, left: 512, top: 100 },
        ])
        .jpeg()
        .toBuffer();
      const result = await pool.enroll(pair);
      assert.equal(!result.ok && result.problem, 'multiple_faces', JSON.stringify(result));
    });

    it('refuses what is not a JPEG, PNG or WebP picture, or a damaged one, as unreadable_image', async () => {
      const jpeg = readFaceFixture('hopper');
      const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"><rect width="9" height="9"/></svg>';
      for (const [what, bytes] of [
        ['text', new TextEncoder().encode('not a picture')],
        ['nothing', new Uint8Array(0)],
        ['SVG', new TextEncoder().encode(svg)],
        ['a JPEG cut short', jpeg.subarray(0, 4000)],
        ['a JPEG header alone', jpeg.subarray(0, 3)],
      ] as const) {
        const result = await pool.enroll(bytes);
        assert.ok(!result.ok, what);
        assert.equal(result.problem, 'unreadable_image', what);
        assert.ok(result.message.length > 10, what);
      }
    });
  });

  describe('verify', () => {
    it('matches the enrolled person in other pictures of her (distance below 0.5)', async () => {
      const frames = faces(
        await pool.verify(hopper, [readFaceFixture('hopperTransformed'), readFaceFixture('hopperMatplotlib')]),
      );
      for (const frame of frames) {
        assert.ok(frame.match);
        assert.ok(frame.distance < THRESHOLD, `distance ${frame.distance}`);
        assert.equal(frame.landmarks.length, 68);
      }
    });

    it('does not match other people (distance of 0.5 or more)', async () => {
      const verification = await pool.verify(hopper, [readFaceFixture('collins'), readFaceFixture('cameraman')]);
      for (const frame of faces(verification)) {
        assert.equal(frame.match, false);
        assert.ok(frame.distance >= THRESHOLD, `distance ${frame.distance}`);
      }
      assert.equal(verification.ok && verification.match, false);
    });

    it('answers frame by frame: a frame without a face does not hide the others', async () => {
      const verification = await pool.verify(hopper, [readFaceFixture('hopperTransformed'), readFaceFixture('coffee')]);
      assert.ok(verification.ok);
      assert.equal(verification.match, false);
      assert.ok(verification.frames[0]?.ok && verification.frames[0].match);
      assert.equal(verification.frames[1]?.ok === false && verification.frames[1].problem, 'no_face');
    });

    it('refuses a template made by another model, and empty or oversized frame lists', async () => {
      const other = await pool.verify({ version: 'other-model/v2', embedding: hopper.embedding }, [
        readFaceFixture('hopper'),
      ]);
      assert.equal(!other.ok && other.problem, 'incompatible_template');
      const none = await pool.verify(hopper, []);
      assert.equal(!none.ok && none.problem, 'too_few_frames');
      const many = await pool.verify(
        hopper,
        Array.from({ length: 21 }, () => readFaceFixture('hopper')),
      );
      assert.equal(!many.ok && many.problem, 'too_many_frames');
    });
  });

  describe('checkFace (every frame matched, the random challenge performed in order, issue 10)', () => {
    // The genuine captures are synthesised from the frontal portrait (performChallenge: turnHead's
    // cylinder, landmark-guided smile and open mouth), at the page script's own capture times.
    let hopperFace: { box: FaceBox; landmarks: FacePoint[] };
    let collinsFace: { box: FaceBox; landmarks: FacePoint[] };
    before(async () => {
      const h = await pool.enroll(readFaceFixture('hopper'));
      const c = await pool.enroll(readFaceFixture('collins'));
      assert.ok(h.ok && c.ok);
      hopperFace = h.face;
      collinsFace = c.face;
    });
    const times = (n: number) => {
      const t = captureTimes(n);
      return [...t.neutral, ...t.action.flat()];
    };
    const timed = (images: Buffer[], n = 3) =>
      times(n).map((at, i) => ({ image: images[i % images.length] as Buffer, at }));

    it('accepts the enrolled person performing a turn, a smile and an open mouth in the order asked', async () => {
      const actions: FaceAction[] = ['turn_left', 'smile', 'open_mouth'];
      const frames = await performChallenge(readFaceFixture('hopper'), hopperFace, actions);
      assert.equal(frames.length, 14);
      const result = await checkFace(pool, hopper, frames, { challenge: { actions } });
      assert.ok(result.ok, JSON.stringify(result));
      assert.ok(result.distance < THRESHOLD);
      assert.deepEqual(result.actions, actions);
    });

    it('refuses the same movements in another order than asked as no_liveness', async () => {
      const frames = await performChallenge(readFaceFixture('hopper'), hopperFace, [
        'open_mouth',
        'turn_right',
        'smile',
      ]);
      const result = await checkFace(pool, hopper, frames, {
        challenge: { actions: ['turn_right', 'open_mouth', 'smile'] },
      });
      assert.ok(!result.ok);
      assert.equal(result.problem, 'no_liveness', JSON.stringify(result));
      assert.equal(result.failure, 'action_missing');
      assert.equal(result.action, 'turn_right');
    });

    it('refuses a still photo held in front of the camera (the enrolment photo looped) as no_liveness', async () => {
      const result = await checkFace(pool, hopper, timed([readFaceFixture('hopper')]), {
        challenge: { actions: ['turn_left', 'smile', 'turn_right'] },
      });
      assert.ok(!result.ok);
      assert.equal(result.problem, 'no_liveness');
      assert.equal(result.failure, 'action_missing');
    });

    it('refuses a flat photo tilted about a vertical axis and rotated in the plane', async () => {
      const photo = readFaceFixture('hopper');
      const tilted = [photo, await tiltFlatPicture(photo, 30), await tiltFlatPicture(photo, 45)];
      tilted.push(await sharp(photo).rotate(12, { background: '#808080' }).resize(512, 512).jpeg().toBuffer());
      const result = await checkFace(pool, hopper, timed(tilted), {
        challenge: { actions: ['turn_left', 'open_mouth', 'smile'] },
      });
      assert.ok(!result.ok);
      assert.equal(result.problem, 'no_liveness', JSON.stringify(result));
    });

    it('refuses someone else performing the challenge as no_match, naming the first frame', async () => {
      const actions: FaceAction[] = ['smile', 'turn_left', 'open_mouth'];
      const frames = await performChallenge(readFaceFixture('collins'), collinsFace, actions);
      const result = await checkFace(pool, hopper, frames, { challenge: { actions } });
      assert.ok(!result.ok);
      assert.equal(result.problem, 'no_match');
      assert.equal(result.frame, 0);
      assert.ok((result.distance ?? 0) >= THRESHOLD);
    });

    it('refuses a capture where another face takes over in one frame (every frame is matched)', async () => {
      const actions: FaceAction[] = ['turn_left', 'smile', 'open_mouth'];
      const frames = await performChallenge(readFaceFixture('hopper'), hopperFace, actions);
      frames[9] = { image: readFaceFixture('collins'), at: frames[9]?.at ?? 0 };
      const result = await checkFace(pool, hopper, frames, { challenge: { actions } });
      assert.equal(!result.ok && result.problem, 'no_match');
      assert.equal(!result.ok && result.frame, 9);
    });

    it('refuses frames where the face is lost, naming the frame', async () => {
      const frames = timed([readFaceFixture('hopper')]);
      frames[2] = { image: readFaceFixture('coffee'), at: frames[2]?.at ?? 0 };
      const result = await checkFace(pool, hopper, frames, {
        challenge: { actions: ['turn_left', 'smile', 'open_mouth'] },
      });
      assert.ok(!result.ok);
      assert.equal(result.problem, 'no_face');
      assert.equal(result.frame, 2);
    });

    it('needs two frames per window before running the model', async () => {
      const result = await checkFace(pool, hopper, timed([readFaceFixture('hopper')]).slice(0, 7), {
        challenge: { actions: ['turn_left', 'smile', 'open_mouth'] },
      });
      assert.equal(!result.ok && result.problem, 'too_few_frames');
    });
  });

  describe('FaceVerifierPool', () => {
    it('refuses a call at once with FaceBusyError when its queue is full, and still answers the others', async () => {
      assert.equal(pool.running + pool.queued, 0);
      const running = pool.verify(hopper, [readFaceFixture('hopperTransformed')]);
      const queued = pool.verify(hopper, [readFaceFixture('collins')]);
      assert.equal(pool.running, 1);
      assert.equal(pool.queued, 1);
      const started = performance.now();
      await assert.rejects(pool.verify(hopper, [readFaceFixture('hopper')]), (error: unknown) => {
        assert.ok(error instanceof FaceBusyError);
        assert.equal(error.code, 'face_busy');
        assert.ok(Number.isInteger(error.retryAfterSeconds) && error.retryAfterSeconds >= 1);
        return true;
      });
      assert.ok(performance.now() - started < 50, 'refused without waiting');
      assert.equal(faces(await running)[0]?.match, true);
      assert.equal(faces(await queued)[0]?.match, false);
      assert.equal(pool.running + pool.queued, 0);
    });

    it('bounds the queue while its workers are still starting', async () => {
      const lazy = new FaceVerifierPool({ size: 1, maxQueue: 1 });
      const isClosed = (error: unknown) => error instanceof FacePoolError && error.code === 'closed';
      const first = assert.rejects(lazy.enroll(readFaceFixture('hopper')), isClosed); // for the starting worker
      const second = assert.rejects(lazy.enroll(readFaceFixture('hopper')), isClosed); // in the queue
      await assert.rejects(lazy.enroll(readFaceFixture('hopper')), FaceBusyError);
      assert.equal(lazy.queued, 2, 'both wait for the worker to load its model');
      await lazy.close();
      await Promise.all([first, second]);
    });

    it('fails waiting calls and later ones once closed', async () => {
      const lazy = new FaceVerifierPool({ size: 1 });
      const isClosed = (error: unknown) => error instanceof FacePoolError && error.code === 'closed';
      const waiting = assert.rejects(lazy.enroll(readFaceFixture('hopper')), isClosed); // starts the worker
      await lazy.close();
      await waiting;
      await assert.rejects(lazy.enroll(readFaceFixture('hopper')), isClosed);
    });

    it('fails waiting calls with the cause when the verifier module cannot start', async () => {
      const broken = new FaceVerifierPool({ size: 1, verifier: { module: new URL('./verifier.ts', import.meta.url) } });
      try {
        await assert.rejects(broken.enroll(readFaceFixture('hopper')), (error: unknown) => {
          assert.ok(error instanceof FacePoolError);
          assert.equal(error.code, 'worker_failed');
          assert.match(error.message, /does not export createFaceVerifier/);
          return true;
        });
      } finally {
        await broken.close();
      }
    });

    it('leaves a core to the event loop when there are several', () => {
      assert.equal(defaultPoolSize(1), 1);
      assert.equal(defaultPoolSize(2), 1);
      assert.equal(defaultPoolSize(8), 7);
      assert.ok(defaultPoolSize() >= 1);
    });
  });
});

/** The built-in verifier module, named explicitly as an operator would name another. */
function defaultModule(): URL {
  return new URL('./face-api-verifier.ts', import.meta.url);
}

describe('countPeople (which detections are people)', () => {
  const options = { otherFaceMinConfidence: 0.8, otherFaceMinArea: 0.25 };
  const box = (score: number, side: number) => ({ score, box: { width: side, height: side } });

  it('ignores a small, doubtful detection beside a clear face, and picks the most confident as the main one', () => {
    assert.deepEqual(countPeople([box(0.6, 40), box(0.99, 160)], options), { count: 1, main: 1 });
    assert.deepEqual(countPeople([box(0.99, 160)], options), { count: 1, main: 0 });
    assert.deepEqual(countPeople([], options), { count: 0, main: -1 });
  });

  it('counts another detection that is confident, or large, as a second person', () => {
    assert.equal(countPeople([box(0.99, 160), box(0.8, 40)], options).count, 2, 'confident though small');
    assert.equal(countPeople([box(0.99, 160), box(0.55, 80)], options).count, 2, 'doubtful but a quarter of the area');
    assert.equal(countPeople([box(0.99, 160), box(0.55, 79), box(0.9, 30)], options).count, 2);
    assert.equal(countPeople([box(0.99, 160), box(0.96, 100), box(0.9, 60)], options).count, 3);
  });
});

describe('estimateYaw on landmark arrays', () => {
  /**
   * 68 landmarks of a schematic face 200 px wide centred at (cx, cy), with the nose tip moved
   * `yaw` half-widths to the image's right, rotated by `roll` degrees and scaled by `scale`.
   */
  function landmarks(yaw: number, { roll = 0, scale = 1, cx = 300, cy = 200 } = {}): FacePoint[] {
    const points: FacePoint[] = Array.from({ length: 68 }, () => ({ x: 0, y: 0 }));
    for (let i = 0; i <= 16; i++) {
      const angle = Math.PI * (i / 16); // jaw from the image's left, round the chin, to its right
      points[i] = { x: -100 * Math.cos(angle), y: 20 + 110 * Math.sin(angle) };
    }
    for (let i = 36; i <= 41; i++) points[i] = { x: -45 + 10 * Math.cos(i), y: -20 + 5 * Math.sin(i) };
    for (let i = 42; i <= 47; i++) points[i] = { x: 45 + 10 * Math.cos(i), y: -20 + 5 * Math.sin(i) };
    points[30] = { x: 100 * yaw, y: 30 };
    const r = (roll * Math.PI) / 180;
    return points.map(({ x, y }) => ({
      x: cx + scale * (x * Math.cos(r) - y * Math.sin(r)),
      y: cy + scale * (x * Math.sin(r) + y * Math.cos(r)),
    }));
  }
  const close = (a: number, b: number) => Math.abs(a - b) < 0.02;

  it('is 0 for a frontal face and follows the nose between the sides of the jaw', () => {
    assert.ok(close(estimateYaw(landmarks(0)), 0));
    // the sides are the means of jaw points 0–2 and 14–16
    const halfWidth = (100 * (1 + Math.cos(Math.PI / 16) + Math.cos(Math.PI / 8))) / 3;
    assert.ok(close(estimateYaw(landmarks(0.3)), 30 / halfWidth));
    assert.ok(estimateYaw(landmarks(0.3)) > 0.25 && estimateYaw(landmarks(-0.3)) < -0.25);
  });

  it('ignores head tilt (roll), size and position, and changes sign in a mirror', () => {
    const base = estimateYaw(landmarks(0.25));
    assert.ok(close(estimateYaw(landmarks(0.25, { roll: 25 })), base));
    assert.ok(close(estimateYaw(landmarks(0.25, { roll: -25, scale: 0.4, cx: 80, cy: 90 })), base));
    const mirrored = landmarks(0.25).map(({ x, y }) => ({ x: 640 - x, y }));
    // a mirror also swaps the sides of the iBUG order: 0–16 run from the face's right to its left
    const reordered = mirrorOrder(mirrored);
    assert.ok(close(estimateYaw(reordered), -base));
  });

  it('refuses landmark sets that are not 68 points of a face', () => {
    assert.throws(() => estimateYaw(landmarks(0).slice(0, 60)), RangeError);
    assert.throws(() => estimateYaw(Array.from({ length: 68 }, () => ({ x: 1, y: 1 }))), RangeError);
  });
});

describe('checkChallenge on landmark arrays (timing and order)', () => {
  const actions: FaceAction[] = ['turn_left', 'smile', 'open_mouth'];
  const neutral = (yaw = 0) => schematic(yaw);
  const times = () => {
    const t = captureTimes(actions.length);
    return [...t.neutral, ...t.action.flat()];
  };
  /** Frames at the script's times, each the schematic face doing what `doing(window)` says. */
  const capture = (doing: (window: number) => FacePoint[]) =>
    times().map((at) => ({ at, landmarks: doing(at < 1200 ? -1 : Math.floor((at - 1200) / 2000)) }));
  const performing = (w: number) =>
    w === 0 ? neutral(0.3) : w === 1 ? smiling() : w === 2 ? openMouthed() : neutral();

  it('accepts each action in its own window, in order', () => {
    const result = checkChallenge({ actions }, capture(performing));
    assert.ok(result.ok, JSON.stringify(result));
  });

  it('refuses an action done before it was asked for, or not at all', () => {
    const early = checkChallenge(
      { actions },
      capture((w) => (w === -1 ? neutral() : w === 0 ? smiling() : performing(w))),
    );
    assert.equal(!early.ok && early.failure, 'action_missing');
    const shifted = checkChallenge(
      { actions },
      capture((w) => (w === -1 ? neutral() : performing(w - 1))),
    );
    assert.equal(!shifted.ok && shifted.failure, 'action_missing');
    // smiling already at the end of the turn's window, before the smile was asked for
    const frames = capture(performing).map((f, i) => (i === 5 ? { ...f, landmarks: smiling() } : f));
    const anticipated = checkChallenge({ actions }, frames);
    assert.equal(!anticipated.ok && anticipated.failure, 'out_of_order');
  });

  it('refuses a capture whose times are out of order, too close, too far apart, too long or missing a window', () => {
    const good = capture(performing);
    const at = (frames: typeof good, i: number, t: number) => frames.map((f, k) => (k === i ? { ...f, at: t } : f));
    for (const frames of [
      at(good, 3, good[1]?.at ?? 0), // out of order
      good.map((f, i) => ({ ...f, at: i * 40 })), // 25 fps burst, too close and too short
      at(good, 13, 9000), // past the end of the schedule
      good.filter((_, i) => i !== 0), // one neutral frame
      good.map((f) => ({ ...f, at: f.at * 3 })), // a slow replay: gaps of over 1.5 s
    ]) {
      const result = checkChallenge({ actions }, frames);
      assert.equal(!result.ok && result.failure, 'bad_timing', JSON.stringify(frames.map((f) => f.at)));
    }
  });

  it('needs a frontal neutral start', () => {
    const result = checkChallenge(
      { actions },
      capture((w) => (w === -1 ? neutral(0.4) : performing(w))),
    );
    assert.equal(!result.ok && result.failure, 'not_frontal');
  });

  it('draws at least three distinct actions with a turn and an expression, single use ids, and reads back only what it wrote', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const c = drawChallenge(1000);
      assert.equal(new Set(c.actions).size, 3);
      assert.ok(c.actions.some((a) => a.startsWith('turn_')) && c.actions.some((a) => !a.startsWith('turn_')));
      seen.add(c.actions.join(' '));
      assert.deepEqual(decodeChallenge(encodeChallenge(c)), c);
    }
    assert.equal(seen.size, 24, 'every sequence of three is drawn');
    assert.notEqual(drawChallenge(0).id, drawChallenge(0).id);
    assert.equal(decodeChallenge('left'), undefined, "issue 4's bare side is not a challenge");
    assert.equal(decodeChallenge('{"id":"x","actions":["turn_left","fly"],"issuedAt":1}'), undefined);
    const c = drawChallenge(1000);
    assert.ok(isLive(c, 1000) && isLive(c, 1000 + CHALLENGE_TTL - 1) && !isLive(c, 1000 + CHALLENGE_TTL));
  });
});

/**
 * 68 landmarks of a schematic face 200 px wide centred at (300, 200), nose tip moved `yaw`
 * half-widths to the image's right; eyes open, mouth closed and neutral unless changed.
 */
function schematic(yaw: number): FacePoint[] {
  const points: FacePoint[] = Array.from({ length: 68 }, () => ({ x: 0, y: 0 }));
  for (let i = 0; i <= 16; i++) {
    const angle = Math.PI * (i / 16);
    points[i] = { x: 300 - 100 * Math.cos(angle), y: 220 + 110 * Math.sin(angle) };
  }
  const eye = (o: number, cx: number) => {
    const shape = [
      [-15, 0],
      [-5, -5],
      [5, -5],
      [15, 0],
      [5, 5],
      [-5, 5],
    ];
    shape.forEach(([dx, dy], k) => {
      points[o + k] = { x: cx + (dx ?? 0), y: 180 + (dy ?? 0) };
    });
  };
  eye(36, 255);
  eye(42, 345);
  points[30] = { x: 300 + 100 * yaw, y: 230 };
  // mouth: corners 48 and 54, 51 top and 57 bottom middle, inner lips 60–67 closed
  points[48] = { x: 262, y: 280 };
  points[54] = { x: 338, y: 280 };
  points[51] = { x: 300, y: 274 };
  points[57] = { x: 300, y: 288 };
  for (const [i, x] of [
    [60, 266],
    [61, 283],
    [62, 300],
    [63, 317],
    [64, 334],
    [65, 317],
    [66, 300],
    [67, 283],
  ] as const)
    points[i] = { x, y: 281 };
  return points;
}
function smiling(): FacePoint[] {
  const p = schematic(0);
  p[48] = { x: 255, y: 274 };
  p[54] = { x: 345, y: 274 };
  return p;
}
function openMouthed(): FacePoint[] {
  const p = schematic(0);
  for (const i of [65, 66, 67]) p[i] = { x: p[i]?.x ?? 0, y: 281 + 35 };
  p[57] = { x: 300, y: 288 + 35 };
  return p;
}

/** Reorders mirrored landmarks into the iBUG order (jaw, brows, eyes, nose and mouth swap sides). */
function mirrorOrder(points: FacePoint[]): FacePoint[] {
  const at = (i: number): FacePoint => points[i] ?? { x: Number.NaN, y: Number.NaN };
  const out = [...points];
  for (let i = 0; i <= 16; i++) out[i] = at(16 - i);
  for (let i = 0; i < 6; i++) {
    // eyes 36–41 and 42–47 swap; the point order inside an eye does not matter to estimateYaw
    out[36 + i] = at(42 + i);
    out[42 + i] = at(36 + i);
  }
  return out;
}
