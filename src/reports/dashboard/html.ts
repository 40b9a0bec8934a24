/**
 * HTML built from template literals that escape every interpolated value, so text a
 * customer wrote (comments, names) can never become markup. Only values wrapped in
 * `raw()` (our own fragments, SVG) pass through unescaped.
 */

export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string { return this.value; }
}

export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' })[c]!);
}

type Interpolated = SafeHtml | string | number | boolean | null | undefined | Interpolated[];

function render(value: Interpolated): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Interpolated[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((v, i) => { out += render(v) + (strings[i + 1] ?? ''); });
  return new SafeHtml(out);
}
