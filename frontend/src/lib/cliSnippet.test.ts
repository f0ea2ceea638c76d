import { describe, expect, it } from 'vitest';
import type { Module } from '../api/types';
import { cliSnippet } from './cliSnippet';

const base: Module = {
  id: 9,
  kind: 'adapter',
  name: 'cat-to-dog',
  category: 'cat',
  task: 'classification',
  categories: ['cat'],
  architecture: 'adapter',
  input_shape: [1, 28, 28],
  output_shape: [8, 14, 14],
  metrics: {},
  teacher: null,
  license: 'MIT',
  description: '',
  owner: 'alice',
  visibility: 'private',
  created: '',
  sha256: 'ab',
  size_bytes: 1,
  parents: [
    { role: 'category', module_id: 1, sha256: 'a', name: 'cat' },
    { role: 'task', module_id: 2, sha256: 'b', name: 'dog' },
    { role: 'teacher_task', module_id: 3, sha256: 'c', name: 'cat-cls' },
  ],
};

describe('cliSnippet', () => {
  it('fetches an adapter with the modules it joins and evaluates the grafted path', () => {
    const text = cliSnippet(base, 'http://host');
    expect(text).toContain('http://host/api/modules/1/download/ -o category.zip');
    expect(text).toContain('http://host/api/modules/2/download/ -o task.zip');
    expect(text).toContain('http://host/api/modules/9/download/ -o adapter.zip');
    expect(text).toContain('Authorization: Token $TRANSPLANT_TOKEN');
    expect(text.trim().split('\n').at(-1)).toBe(
      'transplant evaluate --category-module category --task-module task --adapter adapter',
    );
  });

  it('inspects a module without parents', () => {
    const text = cliSnippet({ ...base, kind: 'task', parents: [] }, 'http://host');
    expect(text).toContain('/api/modules/9/download/ -o task.zip');
    expect(text.trim().split('\n').at(-1)).toBe('transplant inspect task');
  });
});
