import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ACR_FACE,
  ACR_PASSKEY,
  ACR_PASSWORD,
  ACR_VALUES_SUPPORTED,
  achievedAcr,
  metAcrs,
  nextAcrStep,
  passkeyAmr,
  satisfiedAcr,
} from './acr.js';

const strict = { faceAllowPassword: false };
const lenient = { faceAllowPassword: true };

describe('acr levels', () => {
  it('advertises the password, the passkey and the face', () => {
    assert.deepEqual(ACR_VALUES_SUPPORTED, [ACR_PASSWORD, ACR_PASSKEY, ACR_FACE]);
  });

  it('a passkey is hwk when its key cannot be backed up, swk when it can, always with user', () => {
    assert.deepEqual(passkeyAmr(false), ['hwk', 'user']);
    assert.deepEqual(passkeyAmr(true), ['swk', 'user']);
  });

  it('judges the level from the methods used', () => {
    assert.deepEqual(metAcrs(['pwd'], strict), [ACR_PASSWORD]);
    assert.deepEqual(metAcrs(['hwk', 'user'], strict), [ACR_PASSKEY, ACR_PASSWORD]);
    assert.deepEqual(metAcrs(['hwk'], strict), [], 'a key without user verification is no passkey sign-in');
    assert.deepEqual(metAcrs(['swk', 'user', 'face'], strict), [ACR_FACE, ACR_PASSKEY, ACR_PASSWORD]);
    // The attack of issue 10: a password and one photo.
    assert.deepEqual(metAcrs(['pwd', 'face'], strict), [ACR_PASSWORD]);
    assert.deepEqual(metAcrs(['pwd', 'face'], lenient), [ACR_FACE, ACR_PASSWORD]);
    assert.equal(achievedAcr(['pwd', 'face'], strict), ACR_PASSWORD);
    assert.equal(achievedAcr([], strict), ACR_PASSWORD);
  });

  it('picks the first requested level met', () => {
    assert.equal(satisfiedAcr([], ['pwd'], strict), ACR_PASSWORD);
    assert.equal(satisfiedAcr([], ['hwk', 'user', 'face'], strict), ACR_FACE);
    assert.equal(satisfiedAcr([ACR_FACE], ['pwd'], strict), undefined);
    assert.equal(satisfiedAcr([ACR_FACE], ['pwd', 'face'], strict), undefined);
    assert.equal(satisfiedAcr([ACR_FACE], ['pwd', 'face'], lenient), ACR_FACE);
    assert.equal(satisfiedAcr([ACR_FACE], ['hwk', 'user', 'face'], strict), ACR_FACE);
    assert.equal(satisfiedAcr([ACR_PASSWORD], ['hwk', 'user', 'face'], strict), ACR_PASSWORD);
    assert.equal(satisfiedAcr([ACR_FACE, ACR_PASSWORD], ['hwk', 'user', 'face'], strict), ACR_FACE);
    assert.equal(satisfiedAcr(['urn:other'], ['hwk', 'user', 'face'], strict), undefined);
  });

  it('offers the face step after a passkey, after a password only where allowed', () => {
    assert.equal(nextAcrStep([ACR_FACE], ['hwk', 'user'], strict, true), 'face');
    assert.equal(nextAcrStep([ACR_FACE], ['hwk', 'user'], strict, false), undefined);
    assert.equal(nextAcrStep([ACR_FACE], ['pwd'], strict, true), undefined);
    assert.equal(nextAcrStep([ACR_FACE], ['pwd'], lenient, true), 'face');
    assert.equal(nextAcrStep([ACR_FACE], ['hwk', 'user', 'face'], strict, true), undefined);
    assert.equal(nextAcrStep(['urn:other'], ['hwk', 'user'], strict, true), undefined);
  });
});
