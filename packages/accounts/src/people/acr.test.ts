import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { User } from '@signet/store';
import { ACR_FACE, ACR_PASSWORD, ACR_VALUES_SUPPORTED, achievableAcrs, nextAcrStep, satisfiedAcr } from './acr.js';

const user: User = { id: 'u', username: 'u', passwordHash: 'h', claims: {}, createdAt: 0, updatedAt: 0 };

describe('acr levels', () => {
  it('advertises the password and the face', () => {
    assert.deepEqual(ACR_VALUES_SUPPORTED, [ACR_PASSWORD, ACR_FACE]);
  });

  it('lets a person reach the face only with an enrolled face', () => {
    assert.deepEqual(achievableAcrs(user, false), [ACR_PASSWORD]);
    assert.deepEqual(achievableAcrs(user, true), [ACR_PASSWORD, ACR_FACE]);
  });

  it('picks the first requested level met; a face sign-in also meets the password level', () => {
    assert.equal(satisfiedAcr([], ACR_PASSWORD), ACR_PASSWORD);
    assert.equal(satisfiedAcr([ACR_FACE], ACR_PASSWORD), undefined);
    assert.equal(satisfiedAcr([ACR_FACE], ACR_FACE), ACR_FACE);
    assert.equal(satisfiedAcr([ACR_PASSWORD], ACR_FACE), ACR_PASSWORD);
    assert.equal(satisfiedAcr([ACR_FACE, ACR_PASSWORD], ACR_FACE), ACR_FACE);
    assert.equal(satisfiedAcr(['urn:other'], ACR_FACE), undefined);
  });

  it('sends a password sign-in to the face step only when the face is asked for and enrolled', () => {
    assert.equal(nextAcrStep([ACR_FACE], ACR_PASSWORD, [ACR_PASSWORD, ACR_FACE]), 'face');
    assert.equal(nextAcrStep([ACR_FACE], ACR_PASSWORD, [ACR_PASSWORD]), undefined);
    assert.equal(nextAcrStep(['urn:other'], ACR_PASSWORD, [ACR_PASSWORD, ACR_FACE]), undefined);
  });
});
