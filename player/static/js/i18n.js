/**
 * Interface text in the course's language: the messages course.json carries (English where the
 * language has none), with {name} placeholders, and plural forms chosen by the browser's own
 * plural rules for the language (Intl.PluralRules: "one", "few", "many", "other"...).
 */
export function translator(messages, language) {
  let rules;
  try {
    rules = new Intl.PluralRules(language || 'en');
  } catch {
    rules = new Intl.PluralRules('en');
  }
  return (key, values = {}, count = undefined) => {
    let message = messages?.[key] ?? key;
    if (message && typeof message === 'object') {
      message = message[rules.select(Number(count ?? values.count ?? 0))] ?? message.other ?? key;
    }
    return String(message).replace(/\{(\w+)\}/g, (match, name) => (name in values ? String(values[name]) : match));
  };
}
