/**
 * `otklik import FILE.yaml`: officials, routing and watched sources as data. Idempotent (the same file
 * twice changes nothing) and all-or-nothing (one transaction); errors name the line.
 */
import fs from 'node:fs';
import { LineCounter, parseDocument, isMap, isSeq, type Node } from 'yaml';
import { z } from 'zod';
import type { Db } from './db';
import type { Official, RoutingRule } from './db/officials';
import { PLATFORMS, TOPICS } from './domain/types';
import { InputError } from './errors';

const slug = z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'латинские буквы, цифры, - и _');
const OfficialSchema = z
  .object({
    id: slug,
    name: z.string().trim().min(1),
    position: z.string().optional(),
    telegram: z.union([z.number().int().positive(), z.string().regex(/^\d+$/)]).optional(),
    role: z.enum(['official', 'supervisor', 'press', 'governor_office', 'admin']).default('official'),
    municipality: slug.optional(),
    topics: z.array(z.enum(TOPICS)).optional(),
    supervisor: slug.optional(),
    duty: z.boolean().optional(),
    away: z.boolean().optional(),
  })
  .strict();
const SourceSchema = z
  .object({
    id: slug,
    platform: z.enum(PLATFORMS),
    kind: z.string().regex(/^[a-z-]+$/),
    external_id: z.union([z.string().min(1), z.number()]),
    name: z.string().optional(),
    municipality: slug.optional(),
    settings: z.record(z.string(), z.unknown()).optional(),
    enabled: z.boolean().optional(),
  })
  .strict();
const FileSchema = z
  .object({
    officials: z.array(OfficialSchema).default([]),
    routing: z
      .array(z.object({ municipality: z.string().default('*'), topic: z.string().default('*'), official: slug }).strict())
      .default([]),
    sources: z.array(SourceSchema).default([]),
  })
  .strict();
export type ImportFile = z.infer<typeof FileSchema>;

export interface ImportResult {
  officials: { total: number; changed: number };
  rules: { total: number; added: number; removed: number };
  sources: { total: number; changed: number };
}

/** Finds the YAML node at a zod issue's path, for a line number in the message. */
function nodeAt(doc: ReturnType<typeof parseDocument>, path: PropertyKey[]): Node | null {
  let node: unknown = doc.contents;
  let last: Node | null = (doc.contents as Node) ?? null;
  for (const key of path) {
    if (isMap(node)) node = node.get(key as string, true);
    else if (isSeq(node)) node = node.get(key as number, true);
    else break;
    if (node && typeof node === 'object' && 'range' in (node as object)) last = node as Node;
  }
  return last;
}

/** Parses and validates the YAML text; throws InputError naming the line of each problem. */
export function parseImportFile(text: string, fileName = 'file'): ImportFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const line = e.linePos?.[0]?.line ?? lines.linePos(e.pos[0]).line;
    throw new InputError(`${fileName}:${line}: ошибка YAML: ${e.message.split('\n')[0]}`);
  }
  let data: unknown;
  try {
    // Aliases are resolved here, not at parse time: an unresolved or runaway alias throws.
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new InputError(`${fileName}:1: ошибка YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  const parsed = FileSchema.safeParse(data ?? {});
  if (!parsed.success) {
    const msgs = parsed.error.issues.slice(0, 10).map((i) => {
      const node = nodeAt(doc, i.path);
      const line = node?.range ? lines.linePos(node.range[0]).line : 1;
      return `${fileName}:${line}: ${i.path.join('.') || '(корень)'}: ${i.message}`;
    });
    throw new InputError(msgs.join('\n'));
  }
  return parsed.data;
}

/** Cross-checks references (municipalities, supervisors, rule officials); throws InputError listing them. */
function checkReferences(f: ImportFile, municipalities: Set<string>, existingOfficials: Set<string>): void {
  const ids = new Set([...existingOfficials, ...f.officials.map((o) => o.id)]);
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const o of f.officials) {
    if (seen.has(o.id)) problems.push(`officials: повторяется id ${o.id}`);
    seen.add(o.id);
    if (o.municipality && !municipalities.has(o.municipality)) problems.push(`officials.${o.id}: неизвестное муниципальное образование ${o.municipality}`);
    if (o.supervisor && !ids.has(o.supervisor)) problems.push(`officials.${o.id}: неизвестный руководитель ${o.supervisor}`);
  }
  for (const r of f.routing) {
    if (!ids.has(r.official)) problems.push(`routing: неизвестный исполнитель ${r.official}`);
    if (r.municipality !== '*' && !municipalities.has(r.municipality)) problems.push(`routing: неизвестное муниципальное образование ${r.municipality}`);
    if (r.topic !== '*' && !(TOPICS as readonly string[]).includes(r.topic)) problems.push(`routing: неизвестная тема ${r.topic}`);
  }
  for (const s of f.sources) {
    if (s.municipality && !municipalities.has(s.municipality)) problems.push(`sources.${s.id}: неизвестное муниципальное образование ${s.municipality}`);
  }
  if (problems.length > 0) throw new InputError(problems.join('\n'));
}

/** Routing rules implied by the officials (municipality × their topics) plus the explicit ones. */
export function rulesOf(f: ImportFile): RoutingRule[] {
  const rules = new Map<string, RoutingRule>();
  const add = (r: RoutingRule) => rules.set(`${r.municipalityId}|${r.topic}|${r.officialId}`, r);
  for (const o of f.officials) {
    if (o.role !== 'official' || !o.municipality) continue;
    for (const topic of o.topics ?? ['*']) add({ municipalityId: o.municipality, topic, officialId: o.id });
  }
  for (const r of f.routing) add({ municipalityId: r.municipality, topic: r.topic, officialId: r.official });
  return [...rules.values()];
}

/** Loads a parsed file in one transaction. */
export async function importData(db: Db, f: ImportFile): Promise<ImportResult> {
  const municipalities = new Set((await db.officials.municipalities()).map((m) => m.id));
  const existing = new Set((await db.officials.all()).map((o) => o.id));
  checkReferences(f, municipalities, existing);
  return db.tx(async (tx) => {
    let changedOfficials = 0;
    for (const o of f.officials) {
      const official: Official = {
        id: o.id,
        name: o.name,
        position: o.position ?? null,
        telegramId: o.telegram !== undefined ? String(o.telegram) : null,
        role: o.role,
        municipalityId: o.municipality ?? null,
        topics: o.topics ?? null,
        supervisorId: o.supervisor ?? null,
        duty: o.duty ?? false,
        away: o.away ?? false,
      };
      if (await tx.officials.upsert(official)) changedOfficials++;
    }
    // A file with no officials and no routing (sources only) leaves the rule set alone.
    const rules = rulesOf(f);
    const { added, removed } =
      f.officials.length + f.routing.length > 0 ? await tx.officials.replaceRules(rules) : { added: 0, removed: 0 };
    let changedSources = 0;
    for (const s of f.sources) {
      const changed = await tx.sources.upsert({
        id: s.id,
        platform: s.platform,
        kind: s.kind,
        externalId: String(s.external_id),
        name: s.name ?? null,
        municipalityId: s.municipality ?? null,
        settings: s.settings ?? {},
        enabled: s.enabled ?? true,
      });
      if (changed) changedSources++;
    }
    return {
      officials: { total: f.officials.length, changed: changedOfficials },
      rules: { total: rules.length, added, removed },
      sources: { total: f.sources.length, changed: changedSources },
    };
  });
}

/** Reads, validates and loads a YAML file. */
export async function importFile(db: Db, file: string): Promise<ImportResult> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError(`не удалось прочитать ${file}: ${(err as Error).message}`);
  }
  return importData(db, parseImportFile(text, file));
}
