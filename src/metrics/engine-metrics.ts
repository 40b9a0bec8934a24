/** Survey counters from the engine's `transition` and `givenUp` events (the engine itself knows nothing of metrics). */
import type { SurveyEngine, TransitionEvent } from '../conversation/engine.ts';
import { labelValue, type BotMetrics } from './bot-metrics.ts';

export function countTransitions(engine: SurveyEngine, metrics: BotMetrics): void {
  engine.on('transition', (event) => countTransition(event, metrics));
  engine.on('givenUp', ({ channel, message, reason }) => metrics.owedGivenUp.inc({ channel: labelValue(channel), message, reason }));
}

export function countTransition({ survey, from, to }: TransitionEvent, metrics: BotMetrics): void {
  const channel = labelValue(survey.channel);
  metrics.transitions.inc({ channel, from: from ?? 'none', to });
  if (to === 'asked' && from === 'sending') metrics.questionsSent.inc({ channel });
  else if (to === 'failed') metrics.questionsFailed.inc({ channel });
  else if (to === 'skipped') metrics.questionsSkipped.inc({ channel, reason: labelValue(survey.skipReason) });
  else if (to === 'scored' && from !== 'scored') metrics.answers.inc({ channel, category: labelValue(survey.category) });
}
