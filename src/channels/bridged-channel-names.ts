/**
 * A helpdesk bridge's channel names: `<helpdesk>:<kind>` for each kind of channel behind it
 * (`zendesk:whatsapp`, `intercom:messenger`), so reports split NPS by the real channel, and
 * the kind read back from a name. Each bridge has its own kinds and its own way of telling
 * the kind from a payload; the naming is this one.
 */
export interface BridgedChannelNames<K extends string> {
  /** `whatsapp` → `zendesk:whatsapp`. */
  name(kind: K): string;
  /** `zendesk:whatsapp` → `whatsapp`; the helpdesk's name alone, another's, or an unknown kind → null. */
  kindOf(name: string): K | null;
}

export function bridgedChannelNames<K extends string>(helpdesk: string, kinds: readonly K[]): BridgedChannelNames<K> {
  const prefix = `${helpdesk}:`;
  const known: ReadonlySet<string> = new Set(kinds);
  return {
    name: (kind) => `${prefix}${kind}`,
    kindOf: (name) => {
      const kind = name.startsWith(prefix) ? name.slice(prefix.length) : '';
      return known.has(kind) ? kind as K : null;
    },
  };
}
