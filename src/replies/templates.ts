/**
 * Reply templates of the press service: loading, validation and rendering (pure apart from reading
 * the directory once in `loadTemplates`).
 *
 * A template is `templates/<id>.md`: YAML front matter (`id`, `topics`, `stage`, `variables`) and a
 * Handlebars body. Everything that can be wrong with a template is found at load time, so that a
 * public reply never carries a "{{name}}", an "undefined" or an empty hole.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { TOPICS, type TopicCode } from '../domain/types';

/** Reply stages, in the order an incident usually goes through them. */
export const REPLY_STAGES = ['ack', 'clarify', 'promise', 'resolved', 'redirect', 'refusal'] as const;
/** A reply stage: принято в работу, запрос уточнения, обещание со сроком, решено, перенаправлено, отказ. */
export type ReplyStage = (typeof REPLY_STAGES)[number];

/** The fixed set of placeholders a template body may use. */
export const TEMPLATE_VARIABLES = [
  'citizenName',
  'municipality',
  'address',
  'body',
  'position',
  'deadline',
  'incidentNumber',
] as const;
/** One placeholder name of `TEMPLATE_VARIABLES`. */
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];

/** Placeholders that may be empty; the body must only use them inside `{{#if name}}…{{/if}}`. */
export const OPTIONAL_VARIABLES: ReadonlySet<TemplateVariable> = new Set<TemplateVariable>(['citizenName']);

/** Values for rendering; every used variable except the optional ones must be a non-blank string. */
export type TemplateVars = Partial<Record<TemplateVariable, string | null | undefined>>;

/** A loaded, validated and compiled reply template. */
export interface Template {
  readonly id: string;
  /** Absolute path of the source file (for error messages). */
  readonly file: string;
  /** Topic codes it fits; empty when `generic`. */
  readonly topics: readonly TopicCode[];
  /** True for `topics: [any]`. */
  readonly generic: boolean;
  readonly stage: ReplyStage;
  /** Variables the body uses, exactly as declared in the front matter. */
  readonly variables: readonly TemplateVariable[];
  /** The Handlebars source of the body, trimmed. */
  readonly source: string;
  readonly compiled: HandlebarsTemplateDelegate<Record<string, string>>;
}

/** All templates of a directory, in file-name order, with an index by id. */
export interface TemplateSet {
  readonly dir: string;
  readonly templates: readonly Template[];
  readonly byId: ReadonlyMap<string, Template>;
}

/** Default templates directory: `<repo>/templates`. */
export const DEFAULT_TEMPLATES_DIR = path.resolve(__dirname, '../../templates');

const FrontMatter = z.strictObject({
  id: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'id must be a kebab-case slug'),
  topics: z.union([
    z.tuple([z.literal('any')]),
    z
      .array(z.enum(TOPICS))
      .min(1)
      .refine((a) => new Set(a).size === a.length, 'topics must not repeat'),
  ]),
  stage: z.enum(REPLY_STAGES),
  variables: z
    .array(z.enum(TEMPLATE_VARIABLES))
    .refine((a) => new Set(a).size === a.length, 'variables must not repeat'),
});

const hb = Handlebars.create(); // isolated: helpers registered elsewhere cannot leak in
const COMPILE_OPTIONS = { noEscape: true, strict: true } as const;

/**
 * Reads, validates and compiles every `*.md` file of `dir` (README.md excepted).
 * Throws an Error naming the file for: bad or missing front matter, an id that is not the file
 * name (so ids are unique), an unknown stage/topic/variable, a Handlebars syntax error, a helper other than
 * `if` on an optional variable, an optional variable used outside its `#if`, a variable used but not
 * declared or declared but not used, an empty body.
 */
export function loadTemplates(dir: string = DEFAULT_TEMPLATES_DIR): TemplateSet {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.md') && f.toLowerCase() !== 'readme.md')
    .sort();
  if (files.length === 0) throw new Error(`no reply templates (*.md) in ${dir}`);
  const templates: Template[] = [];
  const byId = new Map<string, Template>();
  for (const name of files) {
    const file = path.join(dir, name);
    const t = parseTemplateFile(file, readFileSync(file, 'utf8'));
    byId.set(t.id, t);
    templates.push(t);
  }
  return { dir, templates, byId };
}

/** Parses and validates one template file's text; `file` is used for the id check and in errors. */
export function parseTemplateFile(file: string, text: string): Template {
  const fail = (msg: string, cause?: unknown): never => {
    throw new Error(`reply template ${file}: ${msg}`, cause === undefined ? undefined : { cause });
  };
  const m = /^\uFEFF?---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n([\s\S]*))?$/.exec(text);
  if (!m) return fail('missing YAML front matter (the file must start with a "---" block)');
  let raw: unknown;
  try {
    raw = parseYaml(m[1]);
  } catch (err) {
    return fail(`front matter is not valid YAML: ${err instanceof Error ? err.message : String(err)}`, err);
  }
  const fm = FrontMatter.safeParse(raw, { reportInput: true });
  if (!fm.success) {
    const got = (i: z.core.$ZodIssue) => ('input' in i && i.input !== undefined ? ` (got ${JSON.stringify(i.input)})` : '');
    return fail(fm.error.issues.map((i) => `${i.path.join('.') || '(front matter)'}: ${i.message}${got(i)}`).join('; '));
  }
  const { id, topics, stage, variables } = fm.data;
  const expectedId = path.basename(file).replace(/\.md$/, '');
  if (id !== expectedId) fail(`id "${id}" must equal the file name "${expectedId}"`);

  const source = (m[2] ?? '').replace(/\r\n/g, '\n').trim();
  if (source === '') fail('empty body');
  let ast: hbs.AST.Program;
  try {
    ast = hb.parse(source);
  } catch (err) {
    return fail(`template syntax error: ${err instanceof Error ? err.message : String(err)}`, err);
  }
  const used = new Set<TemplateVariable>();
  const problems: string[] = [];
  collectVariables(ast, new Set(), used, problems);
  const declared = new Set<TemplateVariable>(variables);
  for (const v of used) if (!declared.has(v)) problems.push(`variable "${v}" is used but not declared`);
  for (const v of declared) if (!used.has(v)) problems.push(`variable "${v}" is declared but not used`);
  if (problems.length > 0) fail(problems.join('; '));

  let compiled: HandlebarsTemplateDelegate<Record<string, string>>;
  try {
    compiled = hb.compile<Record<string, string>>(ast, COMPILE_OPTIONS);
    // Handlebars compiles lazily: render once now, with and without the optional variables, so
    // that any remaining problem surfaces at load time, not in front of a citizen.
    const sample = Object.fromEntries(variables.map((v) => [v, `<${v}>`]));
    compiled(sample);
    compiled({ ...sample, ...Object.fromEntries([...OPTIONAL_VARIABLES].map((v) => [v, ''])) });
  } catch (err) {
    return fail(`template does not compile: ${err instanceof Error ? err.message : String(err)}`, err);
  }
  return {
    id,
    file,
    topics: topics[0] === 'any' ? [] : (topics as TopicCode[]),
    generic: topics[0] === 'any',
    stage,
    variables,
    source,
    compiled,
  };
}

function isTemplateVariable(name: string): name is TemplateVariable {
  return (TEMPLATE_VARIABLES as readonly string[]).includes(name);
}

/** A plain `{{name}}` path (no `this`, `../`, `@data`, dots), or null. */
function simpleName(node: hbs.AST.Node): string | null {
  if (node.type !== 'PathExpression') return null;
  const p = node as hbs.AST.PathExpression;
  if (p.data || p.depth !== 0 || p.parts.length !== 1) return null;
  return p.original;
}

/** Walks the body, recording used variables and everything this restricted dialect forbids. */
function collectVariables(
  program: hbs.AST.Program | undefined,
  guarded: ReadonlySet<TemplateVariable>,
  used: Set<TemplateVariable>,
  problems: string[],
): void {
  if (!program) return;
  for (const st of program.body) {
    const line = st.loc ? ` (line ${st.loc.start.line})` : '';
    switch (st.type) {
      case 'ContentStatement':
      case 'CommentStatement':
        break;
      case 'MustacheStatement': {
        const ms = st as hbs.AST.MustacheStatement;
        const name = simpleName(ms.path);
        if (name === null || ms.params.length > 0 || (ms.hash && ms.hash.pairs.length > 0)) {
          problems.push(`only plain {{variable}} placeholders are allowed${line}`);
        } else if (!isTemplateVariable(name)) {
          problems.push(`unknown variable "${name}"${line}; allowed: ${TEMPLATE_VARIABLES.join(', ')}`);
        } else {
          used.add(name);
          if (OPTIONAL_VARIABLES.has(name) && !guarded.has(name)) {
            problems.push(`optional variable "${name}" must be used inside {{#if ${name}}}…{{/if}}${line}`);
          }
        }
        break;
      }
      case 'BlockStatement': {
        const bs = st as hbs.AST.BlockStatement;
        const helper = simpleName(bs.path);
        const cond = bs.params.length === 1 ? simpleName(bs.params[0]) : null;
        if (helper !== 'if' || cond === null || (bs.hash && bs.hash.pairs.length > 0)) {
          problems.push(`only {{#if variable}}…{{/if}} blocks are allowed${line}`);
          break;
        }
        if (!isTemplateVariable(cond) || !OPTIONAL_VARIABLES.has(cond)) {
          problems.push(
            `{{#if ${cond}}}${line}: only optional variables (${[...OPTIONAL_VARIABLES].join(', ')}) may be conditions`,
          );
          break;
        }
        used.add(cond);
        collectVariables(bs.program, new Set([...guarded, cond]), used, problems);
        collectVariables(bs.inverse, guarded, used, problems);
        break;
      }
      default:
        problems.push(`${st.type} is not allowed in reply templates${line}`);
    }
  }
}

/**
 * Renders a template for a public reply. Throws when a variable the template uses is missing or
 * blank (optional ones such as citizenName may be empty). The result has collapsed whitespace, no
 * space before punctuation, paragraphs separated by one blank line, and a capital first letter.
 */
export function render(template: Template, vars: TemplateVars): string {
  const data: Record<string, string> = {};
  const missing: string[] = [];
  for (const v of template.variables) {
    const value = (vars[v] ?? '').replace(/\s+/g, ' ').trim();
    if (value === '' && !OPTIONAL_VARIABLES.has(v)) missing.push(v);
    data[v] = value;
  }
  if (missing.length > 0) {
    throw new Error(`reply template ${template.id}: missing value for ${missing.map((v) => `"${v}"`).join(', ')}`);
  }
  const text = tidyText(template.compiled(data));
  const area = (vars.municipality ?? '').replace(/\s+/g, ' ').trim();
  return data.address && data.address === area ? areaNotAddress(text, area) : text;
}

/**
 * Without a street named in the complaint the address falls back to the municipality (flow.ts replyVars), and
 * «по адресу город Абакан» or «участок город Абакан» is not Russian: the municipality is named as an area instead.
 */
function areaNotAddress(text: string, area: string): string {
  const esc = area.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const where = `в муниципальном образовании «${area}»`;
  return text
    .replace(new RegExp(`по адресу ${esc}`, 'g'), where)
    .replace(new RegExp(`(^|\\s)([Уу]часток|[Пп]лощадку|[Тт]ерриторию) ${esc}`, 'g'), `$1$2 ${where}`);
}

/** Whitespace and punctuation clean-up applied to every rendered reply. */
export function tidyText(text: string): string {
  const paragraphs = text
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n/)
    .map((p) =>
      p
        .replace(/\s+/g, ' ')
        .replace(/\s+([,.!?;:)»])/g, '$1')
        .replace(/([(«])\s+/g, '$1')
        .replace(/([,.])\1+/g, '$1')
        .trim(),
    )
    .filter((p) => p !== '');
  const out = paragraphs.join('\n\n');
  return out.charAt(0).toLocaleUpperCase('ru-RU') + out.slice(1);
}
