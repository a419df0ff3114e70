/** Invalid configuration: each problem names the setting, what was received and what is accepted. */
export interface ConfigProblem {
  /** Dotted path of the setting, e.g. `syncs[0].stream`. */
  readonly setting: string;
  readonly message: string;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly problems: readonly ConfigProblem[];
  readonly source: string;

  constructor(source: string, problems: readonly ConfigProblem[]) {
    const lines = problems.map((p) => `  - ${p.setting || '(top level)'}: ${p.message}`);
    super(`invalid configuration in ${source}:\n${lines.join('\n')}`);
    this.source = source;
    this.problems = problems;
  }
}

/** `['syncs', 0, 'stream']` → `syncs[0].stream`. */
export function settingPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`))
    .join('');
}
