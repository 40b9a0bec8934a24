/** `/dashboard/testimonials`: what promoters allowed us to quote, escaped like every customer text. */
import type { TestimonialList } from '../insights/testimonials.ts';
import { html } from './html.ts';
import { layout } from './dashboard-page.ts';

export function testimonialsPage(list: TestimonialList, viewer: string): string {
  const header = html`<form method="post" action="/dashboard/logout"><span class="muted">${viewer}</span> <button type="submit">Sign out</button></form>`;
  const rows = list.testimonials.map((t) => html`<li class="testimonial" style="margin-bottom:1em"><blockquote style="margin:0;font-size:1.1em">“${t.comment}”</blockquote>
<p class="muted">${t.firstName ?? 'A customer'} · ${t.score}/10 · ${t.channel} · agent ${t.agentId} · consent given ${t.consentedAt.slice(0, 10)}</p></li>`);
  const body = html`
<p><a href="/dashboard">← Back to the dashboard</a></p>
<section><h2>Testimonials, ${list.from} to ${list.to}</h2>
<p class="muted">Promoters' comments whose authors said yes to being quoted. Export: <a href="/dashboard/testimonials.csv?from=${list.from}&amp;to=${list.to}">CSV</a></p>
${list.testimonials.length > 0 ? html`<ul class="testimonials" style="list-style:none;padding-left:0">${rows}</ul>` : html`<p>No testimonials yet. Set TESTIMONIAL_CONSENT=true to ask promoters.</p>`}
</section>`;
  return layout('Testimonials', body, header);
}
