import type { Module } from '../api/types';

/**
 * Shell lines that fetch a module with an API token and use it with the `transplant` CLI.
 * An adapter also fetches the category and task modules it joins, and evaluates the grafted path.
 *
 * @param origin the site's origin, e.g. "https://studio.example.org"
 */
export function cliSnippet(module: Module, origin: string): string {
  const fetchLine = (id: number, folder: string) =>
    `curl -fsS -H "Authorization: Token $TRANSPLANT_TOKEN" ${origin}/api/modules/${id}/download/ -o ${folder}.zip && unzip -o -q ${folder}.zip -d ${folder}`;
  const lines = ['# a token from Settings → API tokens', 'export TRANSPLANT_TOKEN=tst_...'];
  if (module.kind === 'adapter') {
    const parent = (role: string) => module.parents.find((link) => link.role === role)?.module_id;
    const category = parent('category');
    const task = parent('task');
    if (category != null && task != null) {
      lines.push(fetchLine(category, 'category'), fetchLine(task, 'task'), fetchLine(module.id, 'adapter'));
      lines.push('transplant evaluate --category-module category --task-module task --adapter adapter');
      return lines.join('\n');
    }
  }
  lines.push(fetchLine(module.id, module.kind));
  lines.push(`transplant inspect ${module.kind}`);
  return lines.join('\n');
}
