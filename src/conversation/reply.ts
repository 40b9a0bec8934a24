/** A customer's message, validated, as the engine's reply flows handle it. */
export interface Reply {
  channel: string;
  customerId: string;
  text: string;
  choice?: number;
  surveyId?: string;
  eventId?: string;
  receivedAt: Date;
}
