import { describe, expect, it } from 'vitest';
import { type SplitSummary, servesEdge, trainingSamples } from './datasets';

const forklifts: SplitSummary = {
  task: 'classification',
  classes: ['forklift', 'pallet'],
  split_counts: {
    forklift: { train: { forklift: 32, other: 32 }, test: { forklift: 8, other: 8 } },
    pallet: { train: { pallet: 20, other: 20 }, test: { pallet: 5, other: 5 } },
  },
};
const masks: SplitSummary = {
  task: 'segmentation',
  classes: [],
  split_counts: { '': { train: { images: 9 }, test: { images: 3 } } },
};

describe('trainingSamples', () => {
  it('counts both sides of the split for the chosen category', () => {
    expect(trainingSamples(forklifts, 'forklift')).toBe(64);
    expect(trainingSamples(forklifts, 'pallet')).toBe(40);
  });
  it('is zero for a category the dataset has no class of', () => {
    expect(trainingSamples(forklifts, 'cat')).toBe(0);
    expect(trainingSamples(forklifts, null)).toBe(0);
  });
  it('counts images for segmentation whatever the category', () => {
    expect(trainingSamples(masks, 'horse')).toBe(9);
  });
});

describe('servesEdge', () => {
  it('needs the task module task and a class of the category', () => {
    expect(servesEdge(forklifts, 'forklift', 'classification')).toBe(true);
    expect(servesEdge(forklifts, 'cat', 'classification')).toBe(false);
    expect(servesEdge(forklifts, 'forklift', 'segmentation')).toBe(false);
    expect(servesEdge(masks, 'horse', 'segmentation')).toBe(true);
    expect(servesEdge(masks, 'horse', null)).toBe(false);
  });
});
