/**
 * The words of the detractor alert and the weekly digest, per locale (REPORT_LOCALE,
 * else DEFAULT_LOCALE). Managers are addressed plainly, as in an internal tool: no
 * greeting and no "you", so no formal/informal choice arises. Figures, ids, channel
 * and agent names, and the labels other modules compute are inserted as they are.
 */
import type { Locale } from '../conversation/templates.ts';

export interface AlertTexts {
  headline: (score: number, relational: boolean) => string;
  channelAgent: (channel: string, agent: string) => string;
  conversation: (ref: string) => string;
  comment: (comment: string | null) => string;
  followupOpen: (id: string) => string;
}

export interface DigestTexts {
  header: (from: string, to: string, timeZone: string) => string;
  nps: (nps: number | null, margin: number | null) => string;
  change: (change: number | null) => string;
  lowSample: (min: number) => string;
  overall: (nps: string, responses: number, sent: number, rate: number | null, change: string) => string;
  noSurveys: string;
  byChannel: string;
  channelRow: (channel: string, nps: string, responses: number, sent: number, change: string) => string;
  themes: (commented: number, list: string) => string;
  themeItem: (label: string, detractors: number, share: number, change: string) => string;
  value: (v: { atRisk: number; detractorCustomers: number; change: string; promoterValue: number; promoterCustomers: number; withValue: number; customers: number }) => string;
  agentsHeader: (min: number) => string;
  agentRow: (who: string, nps: string, margin: string, responses: number, sent: number, vs: string, label: string) => string;
  versusTeam: (difference: string, low: number | null, high: number | null) => string;
  moreAgents: (n: number) => string;
  hiddenAgents: (n: number, min: number) => string;
  openFollowups: (open: number, overdue: number) => string;
  closedLoop: (c: { closed: number; opened: number; rate: number | null; recovered: number; medianHours: number | null }) => string;
}

export interface ManagerTexts { alert: AlertTexts; digest: DigestTexts }

const dash = (v: number | string | null | undefined): string => (v === null || v === undefined ? '–' : String(v));
const signed = (v: number): string => (v > 0 ? `+${v}` : String(v));

/** Words that differ between the languages; the sentence shapes are built from them below. */
interface Words {
  /** ": ", or French " : " (a no-break space before the colon). */
  colon?: string;
  alertHeadline: (score: number, kind: string) => string;
  relational: string;
  transactional: string;
  channel: string;
  agent: string;
  conversation: string;
  comment: string;
  noComment: string;
  followupOpen: (id: string) => string;
  header: (from: string, to: string, tz: string) => string;
  noAnswers: string;
  change: string;
  lowSample: (min: number) => string;
  overall: string;
  answersOfSent: (responses: number, sent: number) => string;
  responseRate: string;
  noSurveys: string;
  byChannel: string;
  answered: string;
  themes: (n: number) => string;
  value: DigestTexts['value'];
  agentsHeader: (min: number) => string;
  versusTeam: string;
  /** Joins the ends of an interval: "95% -3 to 12". */
  to: string;
  moreAgents: (n: number) => string;
  hiddenAgents: (n: number, min: number) => string;
  openFollowups: (open: number, overdue: number) => string;
  closedLoop: (c: { closed: number; opened: number; rate: string; recovered: number; median: string }) => string;
  nobodyContacted: string;
}

function build(w: Words): ManagerTexts {
  const c = w.colon ?? ': ';
  return {
    alert: {
      headline: (score, relational) => w.alertHeadline(score, relational ? w.relational : w.transactional),
      channelAgent: (channel, agent) => `${w.channel}${c}${channel} · ${w.agent}${c}${agent}`,
      conversation: (ref) => `${w.conversation}${c}${ref}`,
      comment: (comment) => (comment ? `${w.comment}${c}"${comment}"` : `${w.comment}${c}${w.noComment}`),
      followupOpen: w.followupOpen,
    },
    digest: {
      header: w.header,
      nps: (nps, margin) => (nps === null ? w.noAnswers : `NPS ${nps} (±${dash(margin)})`),
      change: (change) => (change === null ? `${w.change} –` : `${w.change} ${signed(change)}`),
      lowSample: w.lowSample,
      overall: (nps, responses, sent, rate, change) => `${w.overall}${c}${nps}, ${w.answersOfSent(responses, sent)} (${w.responseRate} ${dash(rate)}%), ${change}`,
      noSurveys: w.noSurveys,
      byChannel: w.byChannel,
      channelRow: (channel, nps, responses, sent, change) => `  ${channel}${c}${nps}, ${responses}/${sent} ${w.answered}, ${change}`,
      themes: (n, list) => `${w.themes(n)}${c}${list}`,
      themeItem: (label, detractors, share, change) => `${label} ${detractors} (${share}%${change})`,
      value: w.value,
      agentsHeader: w.agentsHeader,
      agentRow: (who, nps, margin, responses, sent, vs, label) => `  ${who}${c}NPS ${nps} (±${margin}), ${responses}/${sent} ${w.answered}${vs}: ${label}`,
      versusTeam: (difference, low, high) => ` · ${w.versusTeam} ${difference} (95${w.colon ? '\u00a0' : ''}% ${dash(low)} ${w.to} ${dash(high)})`,
      moreAgents: w.moreAgents,
      hiddenAgents: w.hiddenAgents,
      openFollowups: w.openFollowups,
      closedLoop: (c) => w.closedLoop({ closed: c.closed, opened: c.opened, rate: dash(c.rate), recovered: c.recovered, median: c.medianHours === null ? w.nobodyContacted : `${c.medianHours} h` }),
    },
  };
}

const EN: Words = {
  alertHeadline: (score, kind) => `Detractor alert: a customer scored ${score}/10 (${kind}).`,
  relational: 'relationship survey', transactional: 'after a care conversation',
  channel: 'Channel', agent: 'Agent', conversation: 'Conversation', comment: 'Comment', noComment: '(none yet)',
  followupOpen: (id) => `Follow-up ${id} is open: contact the customer, then mark it contacted or closed.`,
  header: (from, to, tz) => `Weekly NPS digest, ${from} to ${to} (${tz}), compared with the week before.`,
  noAnswers: 'no answers', change: 'change', lowSample: (min) => ` · low sample (<${min} answers): do not judge on this`,
  overall: 'Overall', answersOfSent: (r, s) => `${r} answers of ${s} sent`, responseRate: 'response rate',
  noSurveys: 'Overall: no surveys were sent last week.', byChannel: 'By channel:', answered: 'answered',
  themes: (n) => `What detractors mentioned most (of ${n} with a comment; change in percentage points of those detractors against the week before)`,
  value: (v) => `Value at risk (detractors): ${v.atRisk} (${v.detractorCustomers} detractor customers, ${v.change} on the week before); value of promoters: ${v.promoterValue} (${v.promoterCustomers} promoter customers); ${v.withValue} of ${v.customers} customers came with a value.`,
  agentsHeader: (min) => `By agent, compared with the rest of the team (only agents with at least ${min} answers):`,
  versusTeam: 'vs team',
  to: 'to',
  moreAgents: (n) => `  … and ${n} more agents (see the dashboard)`,
  hiddenAgents: (n, min) => `  ${n} agent(s) with fewer than ${min} answers are not listed: too few to judge on.`,
  openFollowups: (o, d) => `Open detractor follow-ups: ${o} (overdue: ${d})`,
  closedLoop: (c) => `Closed loop last week: ${c.closed} of ${c.opened} detractor follow-ups closed (${c.rate}%), ${c.recovered} recovered; median time to first contact ${c.median}.`,
  nobodyContacted: '– (nobody contacted yet)',
};

const SV: Words = {
  alertHeadline: (score, kind) => `Kritikerlarm: en kund gav ${score}/10 (${kind}).`,
  relational: 'relationsundersökning', transactional: 'efter ett kundtjänstärende',
  channel: 'Kanal', agent: 'Handläggare', conversation: 'Konversation', comment: 'Kommentar', noComment: '(ingen än)',
  followupOpen: (id) => `Uppföljning ${id} är öppen: kontakta kunden och markera den sedan som kontaktad eller stängd.`,
  header: (from, to, tz) => `Veckans NPS-sammanfattning, ${from} till ${to} (${tz}), jämfört med veckan innan.`,
  noAnswers: 'inga svar', change: 'förändring', lowSample: (min) => ` · litet underlag (<${min} svar): dra inga slutsatser`,
  overall: 'Totalt', answersOfSent: (r, s) => `${r} svar av ${s} skickade`, responseRate: 'svarsfrekvens',
  noSurveys: 'Totalt: inga enkäter skickades förra veckan.', byChannel: 'Per kanal:', answered: 'besvarade',
  themes: (n) => `Det kritikerna nämnde oftast (av ${n} med kommentar)`,
  value: (v) => `Värde i riskzonen (kritiker): ${v.atRisk} (${v.detractorCustomers} kritiker, ${v.change} mot veckan innan); ambassadörernas värde: ${v.promoterValue} (${v.promoterCustomers} ambassadörer); ${v.withValue} av ${v.customers} kunder hade ett värde angivet.`,
  agentsHeader: (min) => `Per handläggare, jämfört med resten av teamet (bara handläggare med minst ${min} svar):`,
  versusTeam: 'mot teamet',
  to: 'till',
  moreAgents: (n) => `  … och ${n} handläggare till (se instrumentpanelen)`,
  hiddenAgents: (n, min) => `  ${n} handläggare med färre än ${min} svar visas inte: för lite underlag.`,
  openFollowups: (o, d) => `Öppna uppföljningar av kritiker: ${o} (försenade: ${d})`,
  closedLoop: (c) => `Stängda uppföljningar förra veckan: ${c.closed} av ${c.opened} (${c.rate} %), ${c.recovered} återvunna; mediantid till första kontakt ${c.median}.`,
  nobodyContacted: '– (ingen kontaktad än)',
};

const DA: Words = {
  alertHeadline: (score, kind) => `Kritikeralarm: en kunde gav ${score}/10 (${kind}).`,
  relational: 'relationsundersøgelse', transactional: 'efter en kundeservicesag',
  channel: 'Kanal', agent: 'Medarbejder', conversation: 'Samtale', comment: 'Kommentar', noComment: '(ingen endnu)',
  followupOpen: (id) => `Opfølgning ${id} er åben: kontakt kunden, og markér den derefter som kontaktet eller lukket.`,
  header: (from, to, tz) => `Ugentligt NPS-overblik, ${from} til ${to} (${tz}), sammenlignet med ugen før.`,
  noAnswers: 'ingen svar', change: 'ændring', lowSample: (min) => ` · lille datagrundlag (<${min} svar): drag ingen konklusioner`,
  overall: 'Samlet', answersOfSent: (r, s) => `${r} svar ud af ${s} sendte`, responseRate: 'svarprocent',
  noSurveys: 'Samlet: der blev ikke sendt nogen undersøgelser i sidste uge.', byChannel: 'Pr. kanal:', answered: 'besvaret',
  themes: (n) => `Det kritikerne nævnte oftest (af ${n} med kommentar)`,
  value: (v) => `Værdi i risiko (kritikere): ${v.atRisk} (${v.detractorCustomers} kritikere, ${v.change} i forhold til ugen før); ambassadørernes værdi: ${v.promoterValue} (${v.promoterCustomers} ambassadører); ${v.withValue} af ${v.customers} kunder havde en værdi angivet.`,
  agentsHeader: (min) => `Pr. medarbejder, sammenlignet med resten af teamet (kun medarbejdere med mindst ${min} svar):`,
  versusTeam: 'mod teamet',
  to: 'til',
  moreAgents: (n) => `  … og ${n} medarbejdere mere (se dashboardet)`,
  hiddenAgents: (n, min) => `  ${n} medarbejder(e) med færre end ${min} svar vises ikke: for lidt at bedømme på.`,
  openFollowups: (o, d) => `Åbne opfølgninger på kritikere: ${o} (forsinkede: ${d})`,
  closedLoop: (c) => `Lukkede opfølgninger sidste uge: ${c.closed} af ${c.opened} (${c.rate} %), ${c.recovered} vundet tilbage; mediantid til første kontakt ${c.median}.`,
  nobodyContacted: '– (ingen kontaktet endnu)',
};

const NB: Words = {
  alertHeadline: (score, kind) => `Kritikervarsel: en kunde ga ${score}/10 (${kind}).`,
  relational: 'relasjonsundersøkelse', transactional: 'etter en kundeservicesak',
  channel: 'Kanal', agent: 'Saksbehandler', conversation: 'Samtale', comment: 'Kommentar', noComment: '(ingen ennå)',
  followupOpen: (id) => `Oppfølging ${id} er åpen: kontakt kunden, og merk den deretter som kontaktet eller lukket.`,
  header: (from, to, tz) => `Ukentlig NPS-oversikt, ${from} til ${to} (${tz}), sammenlignet med uken før.`,
  noAnswers: 'ingen svar', change: 'endring', lowSample: (min) => ` · lite grunnlag (<${min} svar): ikke trekk konklusjoner`,
  overall: 'Totalt', answersOfSent: (r, s) => `${r} svar av ${s} sendt`, responseRate: 'svarprosent',
  noSurveys: 'Totalt: ingen undersøkelser ble sendt forrige uke.', byChannel: 'Per kanal:', answered: 'besvart',
  themes: (n) => `Det kritikerne nevnte oftest (av ${n} med kommentar)`,
  value: (v) => `Verdi i faresonen (kritikere): ${v.atRisk} (${v.detractorCustomers} kritikere, ${v.change} mot uken før); ambassadørenes verdi: ${v.promoterValue} (${v.promoterCustomers} ambassadører); ${v.withValue} av ${v.customers} kunder hadde en verdi oppgitt.`,
  agentsHeader: (min) => `Per saksbehandler, sammenlignet med resten av teamet (bare saksbehandlere med minst ${min} svar):`,
  versusTeam: 'mot teamet',
  to: 'til',
  moreAgents: (n) => `  … og ${n} saksbehandlere til (se dashbordet)`,
  hiddenAgents: (n, min) => `  ${n} saksbehandler(e) med færre enn ${min} svar vises ikke: for lite grunnlag.`,
  openFollowups: (o, d) => `Åpne oppfølginger av kritikere: ${o} (forsinket: ${d})`,
  closedLoop: (c) => `Lukkede oppfølginger forrige uke: ${c.closed} av ${c.opened} (${c.rate} %), ${c.recovered} vunnet tilbake; mediantid til første kontakt ${c.median}.`,
  nobodyContacted: '– (ingen kontaktet ennå)',
};

const FI: Words = {
  alertHeadline: (score, kind) => `Arvostelijahälytys: asiakas antoi arvosanan ${score}/10 (${kind}).`,
  relational: 'asiakassuhdekysely', transactional: 'asiakaspalvelukeskustelun jälkeen',
  channel: 'Kanava', agent: 'Asiakaspalvelija', conversation: 'Keskustelu', comment: 'Kommentti', noComment: '(ei vielä)',
  followupOpen: (id) => `Seuranta ${id} on avoinna: ota yhteyttä asiakkaaseen ja merkitse se sitten yhteydenotetuksi tai suljetuksi.`,
  header: (from, to, tz) => `Viikon NPS-kooste ${from}–${to} (${tz}) verrattuna edelliseen viikkoon.`,
  noAnswers: 'ei vastauksia', change: 'muutos', lowSample: (min) => ` · pieni otos (<${min} vastausta): älä tee tästä johtopäätöksiä`,
  overall: 'Kaikki yhteensä', answersOfSent: (r, s) => `${r} vastausta ${s} lähetetystä`, responseRate: 'vastausprosentti',
  noSurveys: 'Kaikki yhteensä: viime viikolla ei lähetetty yhtään kyselyä.', byChannel: 'Kanavittain:', answered: 'vastattu',
  themes: (n) => `Mitä arvostelijat mainitsivat useimmin (${n} kommentoineesta)`,
  value: (v) => `Riskissä oleva arvo (arvostelijat): ${v.atRisk} (${v.detractorCustomers} arvostelija-asiakasta, ${v.change} edelliseen viikkoon); suosittelijoiden arvo: ${v.promoterValue} (${v.promoterCustomers} suosittelija-asiakasta); ${v.withValue}/${v.customers} asiakkaalla oli arvo.`,
  agentsHeader: (min) => `Asiakaspalvelijoittain verrattuna muuhun tiimiin (vain ne, joilla on vähintään ${min} vastausta):`,
  versusTeam: 'ero tiimiin',
  to: '–',
  moreAgents: (n) => `  … ja ${n} muuta asiakaspalvelijaa (katso hallintanäkymä)`,
  hiddenAgents: (n, min) => `  ${n} asiakaspalvelijaa, joilla on alle ${min} vastausta, ei näytetä: liian vähän arvioitavaa.`,
  openFollowups: (o, d) => `Avoimet arvostelijoiden seurannat: ${o} (myöhässä: ${d})`,
  closedLoop: (c) => `Viime viikon suljetut seurannat: ${c.closed}/${c.opened} (${c.rate} %), ${c.recovered} asiakasta saatiin takaisin; mediaaniaika ensimmäiseen yhteydenottoon ${c.median}.`,
  nobodyContacted: '– (ketään ei ole vielä tavoitettu)',
};

const IS: Words = {
  alertHeadline: (score, kind) => `Viðvörun: viðskiptavinur gaf ${score}/10 (${kind}).`,
  relational: 'tengslakönnun', transactional: 'eftir þjónustusamtal',
  channel: 'Rás', agent: 'Þjónustufulltrúi', conversation: 'Samtal', comment: 'Athugasemd', noComment: '(engin enn)',
  followupOpen: (id) => `Eftirfylgni ${id} er opin: hafðu samband við viðskiptavininn og merktu hana svo sem haft samband eða lokað.`,
  header: (from, to, tz) => `Vikulegt NPS-yfirlit, ${from} til ${to} (${tz}), borið saman við vikuna á undan.`,
  noAnswers: 'engin svör', change: 'breyting', lowSample: (min) => ` · lítið úrtak (<${min} svör): dragið engar ályktanir`,
  overall: 'Í heild', answersOfSent: (r, s) => `${r} svör af ${s} sendum`, responseRate: 'svarhlutfall',
  noSurveys: 'Í heild: engar kannanir voru sendar í síðustu viku.', byChannel: 'Eftir rásum:', answered: 'svarað',
  themes: (n) => `Það sem gagnrýnendur nefndu oftast (af ${n} með athugasemd)`,
  value: (v) => `Verðmæti í hættu (gagnrýnendur): ${v.atRisk} (${v.detractorCustomers} gagnrýnendur, ${v.change} miðað við vikuna á undan); verðmæti meðmælenda: ${v.promoterValue} (${v.promoterCustomers} meðmælendur); ${v.withValue} af ${v.customers} viðskiptavinum höfðu skráð verðmæti.`,
  agentsHeader: (min) => `Eftir þjónustufulltrúum, borið saman við restina af teyminu (aðeins þeir sem hafa minnst ${min} svör):`,
  versusTeam: 'miðað við teymið',
  to: 'til',
  moreAgents: (n) => `  … og ${n} þjónustufulltrúar í viðbót (sjá mælaborðið)`,
  hiddenAgents: (n, min) => `  ${n} þjónustufulltrúar með færri en ${min} svör eru ekki sýndir: of lítið til að meta.`,
  openFollowups: (o, d) => `Opnar eftirfylgnir með gagnrýnendum: ${o} (komnar fram yfir tíma: ${d})`,
  closedLoop: (c) => `Lokaðar eftirfylgnir í síðustu viku: ${c.closed} af ${c.opened} (${c.rate}%), ${c.recovered} unnir til baka; miðgildistími að fyrstu snertingu ${c.median}.`,
  nobodyContacted: '– (enginn hefur verið tengdur enn)',
};

const DE: Words = {
  alertHeadline: (score, kind) => `Kritiker-Alarm: Ein Kunde hat ${score}/10 vergeben (${kind}).`,
  relational: 'Beziehungsumfrage', transactional: 'nach einem Servicekontakt',
  channel: 'Kanal', agent: 'Mitarbeiter', conversation: 'Konversation', comment: 'Kommentar', noComment: '(noch keiner)',
  followupOpen: (id) => `Nachfassaktion ${id} ist offen: Kunden kontaktieren, dann als kontaktiert oder abgeschlossen markieren.`,
  header: (from, to, tz) => `Wöchentlicher NPS-Überblick, ${from} bis ${to} (${tz}), im Vergleich zur Vorwoche.`,
  noAnswers: 'keine Antworten', change: 'Veränderung', lowSample: (min) => ` · kleine Stichprobe (<${min} Antworten): nicht darauf stützen`,
  overall: 'Gesamt', answersOfSent: (r, s) => `${r} Antworten auf ${s} gesendete`, responseRate: 'Antwortquote',
  noSurveys: 'Gesamt: Letzte Woche wurden keine Umfragen gesendet.', byChannel: 'Nach Kanal:', answered: 'beantwortet',
  themes: (n) => `Was Kritiker am häufigsten nannten (von ${n} mit Kommentar)`,
  value: (v) => `Gefährdeter Wert (Kritiker): ${v.atRisk} (${v.detractorCustomers} Kritiker, ${v.change} gegenüber der Vorwoche); Wert der Promotoren: ${v.promoterValue} (${v.promoterCustomers} Promotoren); bei ${v.withValue} von ${v.customers} Kunden war ein Wert angegeben.`,
  agentsHeader: (min) => `Nach Mitarbeiter, im Vergleich zum restlichen Team (nur Mitarbeiter mit mindestens ${min} Antworten):`,
  versusTeam: 'ggü. Team',
  to: 'bis',
  moreAgents: (n) => `  … und ${n} weitere Mitarbeiter (siehe Dashboard)`,
  hiddenAgents: (n, min) => `  ${n} Mitarbeiter mit weniger als ${min} Antworten nicht aufgeführt: zu wenig für eine Bewertung.`,
  openFollowups: (o, d) => `Offene Nachfassaktionen bei Kritikern: ${o} (überfällig: ${d})`,
  closedLoop: (c) => `Abgeschlossene Nachfassaktionen letzte Woche: ${c.closed} von ${c.opened} (${c.rate} %), ${c.recovered} zurückgewonnen; Median bis zum ersten Kontakt ${c.median}.`,
  nobodyContacted: '– (noch niemand kontaktiert)',
};

const NL: Words = {
  alertHeadline: (score, kind) => `Criticaster-melding: een klant gaf ${score}/10 (${kind}).`,
  relational: 'relatieonderzoek', transactional: 'na een klantcontact',
  channel: 'Kanaal', agent: 'Medewerker', conversation: 'Gesprek', comment: 'Opmerking', noComment: '(nog geen)',
  followupOpen: (id) => `Opvolging ${id} staat open: neem contact op met de klant en markeer hem daarna als gecontacteerd of gesloten.`,
  header: (from, to, tz) => `Wekelijks NPS-overzicht, ${from} tot en met ${to} (${tz}), vergeleken met de week ervoor.`,
  noAnswers: 'geen antwoorden', change: 'verandering', lowSample: (min) => ` · kleine steekproef (<${min} antwoorden): trek hier geen conclusies uit`,
  overall: 'Totaal', answersOfSent: (r, s) => `${r} antwoorden op ${s} verstuurd`, responseRate: 'respons',
  noSurveys: 'Totaal: vorige week zijn er geen enquêtes verstuurd.', byChannel: 'Per kanaal:', answered: 'beantwoord',
  themes: (n) => `Wat criticasters het vaakst noemden (van ${n} met een opmerking)`,
  value: (v) => `Waarde in gevaar (criticasters): ${v.atRisk} (${v.detractorCustomers} criticasters, ${v.change} ten opzichte van de week ervoor); waarde van promotors: ${v.promoterValue} (${v.promoterCustomers} promotors); bij ${v.withValue} van ${v.customers} klanten was een waarde bekend.`,
  agentsHeader: (min) => `Per medewerker, vergeleken met de rest van het team (alleen medewerkers met minstens ${min} antwoorden):`,
  versusTeam: 't.o.v. team',
  to: 'tot',
  moreAgents: (n) => `  … en nog ${n} medewerkers (zie het dashboard)`,
  hiddenAgents: (n, min) => `  ${n} medewerker(s) met minder dan ${min} antwoorden niet vermeld: te weinig om te beoordelen.`,
  openFollowups: (o, d) => `Openstaande opvolgingen van criticasters: ${o} (te laat: ${d})`,
  closedLoop: (c) => `Afgeronde opvolgingen vorige week: ${c.closed} van ${c.opened} (${c.rate}%), ${c.recovered} teruggewonnen; mediane tijd tot eerste contact ${c.median}.`,
  nobodyContacted: '– (nog niemand gecontacteerd)',
};

const FR: Words = {
  colon: '\u00a0: ',
  alertHeadline: (score, kind) => `Alerte détracteur\u00a0: un client a donné ${score}/10 (${kind}).`,
  relational: 'enquête relationnelle', transactional: 'après un échange avec le service client',
  channel: 'Canal', agent: 'Conseiller', conversation: 'Conversation', comment: 'Commentaire', noComment: '(aucun pour l\'instant)',
  followupOpen: (id) => `Le suivi ${id} est ouvert\u00a0: contactez le client, puis marquez-le comme contacté ou clôturé.`,
  header: (from, to, tz) => `Synthèse NPS hebdomadaire, du ${from} au ${to} (${tz}), comparée à la semaine précédente.`,
  noAnswers: 'aucune réponse', change: 'évolution', lowSample: (min) => ` · échantillon faible (<${min} réponses)\u00a0: ne pas en tirer de conclusion`,
  overall: 'Global', answersOfSent: (r, s) => `${r} réponses sur ${s} envois`, responseRate: 'taux de réponse',
  noSurveys: 'Global\u00a0: aucune enquête envoyée la semaine dernière.', byChannel: 'Par canal :', answered: 'répondues',
  themes: (n) => `Ce que les détracteurs ont le plus mentionné (sur ${n} avec commentaire)`,
  value: (v) => `Valeur à risque (détracteurs)\u00a0: ${v.atRisk} (${v.detractorCustomers} clients détracteurs, ${v.change} par rapport à la semaine précédente)\u00a0; valeur des promoteurs\u00a0: ${v.promoterValue} (${v.promoterCustomers} clients promoteurs)\u00a0; ${v.withValue} clients sur ${v.customers} avaient une valeur renseignée.`,
  agentsHeader: (min) => `Par conseiller, comparé au reste de l'équipe (uniquement les conseillers ayant au moins ${min} réponses) :`,
  versusTeam: 'vs équipe',
  to: 'à',
  moreAgents: (n) => `  … et ${n} autres conseillers (voir le tableau de bord)`,
  hiddenAgents: (n, min) => `  ${n} conseiller(s) avec moins de ${min} réponses non listé(s)\u00a0: trop peu pour en juger.`,
  openFollowups: (o, d) => `Suivis de détracteurs ouverts\u00a0: ${o} (en retard\u00a0: ${d})`,
  closedLoop: (c) => `Boucle fermée la semaine dernière\u00a0: ${c.closed} suivis clôturés sur ${c.opened} (${c.rate}\u00a0%), ${c.recovered} clients reconquis\u00a0; délai médian avant le premier contact ${c.median}.`,
  nobodyContacted: '– (personne contacté pour l\'instant)',
};

const ES: Words = {
  alertHeadline: (score, kind) => `Alerta de detractor: un cliente ha puntuado ${score}/10 (${kind}).`,
  relational: 'encuesta relacional', transactional: 'tras una atención al cliente',
  channel: 'Canal', agent: 'Agente', conversation: 'Conversación', comment: 'Comentario', noComment: '(ninguno aún)',
  followupOpen: (id) => `El seguimiento ${id} está abierto: contacta con el cliente y luego márcalo como contactado o cerrado.`,
  header: (from, to, tz) => `Resumen semanal de NPS, del ${from} al ${to} (${tz}), comparado con la semana anterior.`,
  noAnswers: 'sin respuestas', change: 'variación', lowSample: (min) => ` · muestra pequeña (<${min} respuestas): no sacar conclusiones`,
  overall: 'Total', answersOfSent: (r, s) => `${r} respuestas de ${s} enviadas`, responseRate: 'tasa de respuesta',
  noSurveys: 'Total: la semana pasada no se envió ninguna encuesta.', byChannel: 'Por canal:', answered: 'respondidas',
  themes: (n) => `Lo que más mencionaron los detractores (de ${n} con comentario)`,
  value: (v) => `Valor en riesgo (detractores): ${v.atRisk} (${v.detractorCustomers} clientes detractores, ${v.change} respecto a la semana anterior); valor de los promotores: ${v.promoterValue} (${v.promoterCustomers} clientes promotores); ${v.withValue} de ${v.customers} clientes tenían un valor asignado.`,
  agentsHeader: (min) => `Por agente, comparado con el resto del equipo (solo agentes con al menos ${min} respuestas):`,
  versusTeam: 'vs equipo',
  to: 'a',
  moreAgents: (n) => `  … y ${n} agentes más (ver el panel)`,
  hiddenAgents: (n, min) => `  ${n} agente(s) con menos de ${min} respuestas no aparecen: demasiado pocas para valorar.`,
  openFollowups: (o, d) => `Seguimientos de detractores abiertos: ${o} (vencidos: ${d})`,
  closedLoop: (c) => `Ciclo cerrado la semana pasada: ${c.closed} de ${c.opened} seguimientos cerrados (${c.rate} %), ${c.recovered} clientes recuperados; tiempo mediano hasta el primer contacto ${c.median}.`,
  nobodyContacted: '– (aún no se ha contactado a nadie)',
};

const PL: Words = {
  alertHeadline: (score, kind) => `Alert: klient wystawił ocenę ${score}/10 (${kind}).`,
  relational: 'badanie relacyjne', transactional: 'po kontakcie z obsługą klienta',
  channel: 'Kanał', agent: 'Konsultant', conversation: 'Rozmowa', comment: 'Komentarz', noComment: '(jeszcze brak)',
  followupOpen: (id) => `Działanie następcze ${id} jest otwarte: skontaktuj się z klientem, a potem oznacz je jako „skontaktowano” lub „zamknięte”.`,
  header: (from, to, tz) => `Tygodniowe podsumowanie NPS, od ${from} do ${to} (${tz}), w porównaniu z poprzednim tygodniem.`,
  noAnswers: 'brak odpowiedzi', change: 'zmiana', lowSample: (min) => ` · mała próba (<${min} odpowiedzi): nie wyciągaj wniosków`,
  overall: 'Ogółem', answersOfSent: (r, s) => `odpowiedzi: ${r} z ${s} wysłanych`, responseRate: 'odsetek odpowiedzi',
  noSurveys: 'Ogółem: w zeszłym tygodniu nie wysłano żadnych ankiet.', byChannel: 'Według kanału:', answered: 'z odpowiedzią',
  themes: (n) => `Co krytycy wymieniali najczęściej (spośród ${n} z komentarzem)`,
  value: (v) => `Wartość zagrożona (krytycy): ${v.atRisk} (klienci-krytycy: ${v.detractorCustomers}, ${v.change} względem poprzedniego tygodnia); wartość promotorów: ${v.promoterValue} (klienci-promotorzy: ${v.promoterCustomers}); wartość podano dla ${v.withValue} z ${v.customers} klientów.`,
  agentsHeader: (min) => `Według konsultanta, w porównaniu z resztą zespołu (tylko konsultanci z co najmniej ${min} odpowiedziami):`,
  versusTeam: 'względem zespołu',
  to: 'do',
  moreAgents: (n) => `  … oraz kolejni konsultanci: ${n} (zob. panel)`,
  hiddenAgents: (n, min) => `  Konsultanci z mniej niż ${min} odpowiedziami (${n}) nie są wymienieni: za mało danych do oceny.`,
  openFollowups: (o, d) => `Otwarte działania następcze wobec krytyków: ${o} (po terminie: ${d})`,
  closedLoop: (c) => `Zamknięta pętla w zeszłym tygodniu: zamknięto ${c.closed} z ${c.opened} działań (${c.rate}%), odzyskani klienci: ${c.recovered}; mediana czasu do pierwszego kontaktu ${c.median}.`,
  nobodyContacted: '– (jeszcze nikt nie został skontaktowany)',
};

const TABLE: Record<Locale, Words> = { en: EN, sv: SV, da: DA, nb: NB, fi: FI, is: IS, de: DE, nl: NL, fr: FR, es: ES, pl: PL };
const BUILT = new Map<Locale, ManagerTexts>();

/** The alert and digest texts in `locale` (English when absent). */
export function managerTexts(locale: Locale = 'en'): ManagerTexts {
  let t = BUILT.get(locale);
  if (!t) BUILT.set(locale, (t = build(TABLE[locale] ?? EN)));
  return t;
}
