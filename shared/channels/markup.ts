/**
 * Escaping job text for the markdown dialects. DingTalk's and WeCom's markdown subsets document
 * no escape syntax (a backslash may show up literally or be ignored), so characters that could
 * open markup are replaced by look-alikes: the text reads the same, no renderer sees markup, and
 * a cut can never fall inside an escape sequence because every replacement is one character.
 * Plain-text fields (Slack plain_text, Feishu plain_text) get only escapePlain.
 */
const LOOK_ALIKES: Readonly<Record<string, string>> = {
  '\\': '\u29f5', // ⧵ reverse solidus operator
  '*': '\u2217', // ∗ asterisk operator
  _: '\uff3f', // ＿ fullwidth low line
  '~': '\u223c', // ∼ tilde operator
  '`': '\u02cb', // ˋ modifier letter grave accent
  '[': '\uff3b', // ［
  ']': '\uff3d', // ］
  '<': '\u2039', // ‹
  '>': '\u203a', // ›
  '&': '\uff06', // ＆ (a renderer that decodes entities would otherwise meet &lt;font…)
  '|': '\u2223', // ∣ divides (table cells in renderers that support tables)
  '#': '\uff03', // ＃ (headers, should a value ever start a line)
};

const MARKDOWN_SPECIAL = /[\\*_~`[\]<>&|#]/g;

/** For DingTalk and WeCom markdown. */
export const escapeMarkdownLite = (text: string): string => text.replace(MARKDOWN_SPECIAL, (char) => LOOK_ALIKES[char] ?? char);

const SLACK_FORMATTING = /[*_~`]/g;

/**
 * For Slack mrkdwn (only the notification fallback `text` uses it): &, < and > as Slack documents,
 * which also disarms <!channel> and <@user> mentions; the formatting marks have no escape in
 * mrkdwn, so they become look-alikes.
 */
export const escapeSlackMrkdwn = (text: string): string =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(SLACK_FORMATTING, (char) => LOOK_ALIKES[char] ?? char);

const ANGLE_AND_ENTITY = /[<>&]/g;

/**
 * For plain-text fields (Slack plain_text, Feishu plain_text), which the platforms draw as typed.
 * Angle brackets and ampersands still become look-alikes: should a client ever parse one of
 * these fields, <!channel>, <at id=all> or an entity must not be there to find.
 */
export const escapePlain = (text: string): string => text.replace(ANGLE_AND_ENTITY, (char) => LOOK_ALIKES[char] ?? char);
