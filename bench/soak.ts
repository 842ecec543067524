import type { Engine } from '../engine.js';
export async function soak(_engine: Engine, _n: number): Promise<void> {
  throw new Error('not yet');
}
