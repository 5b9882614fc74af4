#!/usr/bin/env node
// The `signet` bin: runs the TypeScript sources through tsx, no build step (docs/decisions/0001).
import { register } from 'tsx/esm/api';

register();
await import('../src/bin.ts');
