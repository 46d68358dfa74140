/**
 * Russian text analysis for otklik: complaint detection, topic and sub-topic, municipality,
 * priority and near-duplicate similarity. Deterministic: data files are read once per region
 * at construction; analyze() does no I/O, reads no clock and draws no random numbers.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { TOPICS, type TopicCode, type Priority } from '../src/domain/types';
import { Gazetteer, resolve, type RegionFile, type PlaceMatch } from './gazetteer';
import { LinearModel, type LinearModelJson } from './linear-model';
import { featuresOf, topicFeatures, complaintFeatures, describeFeature } from './features';
import { prepare, type PreparedText } from './text';
import { priorityOf, subtopicOf, keywordTopics, maskLandmarks, COMPLAINT_CUES, NON_COMPLAINT_CUES } from './rules';
import { similarity as textSimilarity } from './similarity';

/** Version of the analysis rules and models; stored with every result. */
export const VERSION = 'otklik-clf-6';

/** Hints from the source: mention display texts, the community's home municipality, a typed place. */
export interface AnalyzeHints {
  municipality?: string | null;
  mentions?: string[];
  place?: string | null;
}

/** Everything the pipeline stores about one text. */
export interface Analysis {
  version: string;
  complaint: boolean;
  complaintScore: number;
  complaintReasons: string[];
  topic: TopicCode | null;
  subtopic: string | null;
  topicScore: number;
  topicReasons: string[];
  municipality: string | null;
  municipalityReason: string | null;
  settlement: string | null;
  priority: Priority;
  priorityReasons: string[];
}

/** A municipality of a region pack; `id` is the routing code. */
export interface Municipality {
  id: string;
  name: string;
  kind: 'okrug' | 'district';
  center: string;
  oktmo?: string | null;
}

/** A region pack as loaded from classifiers/data/regions/<code>.json. */
export interface RegionPack {
  code: string;
  name: string;
  timezone: string;
  municipalities: Municipality[];
  /** The full region file (settlements, streets, forms) the gazetteer was built from. */
  file: RegionFile;
}

/** The analysis interface the pipeline uses. */
export interface Analyzer {
  region: RegionPack;
  analyze(text: string, hints?: AnalyzeHints): Analysis;
  /** 0..1 similarity of two texts for near-duplicate detection (Jaccard of stemmed shingles). */
  similarity(a: string, b: string): number;
}

/** Folder with region packs and models (resolved next to this file, so it works from any cwd). */
export const DATA_DIR = join(__dirname, 'data');
const REGIONS_DIR = join(DATA_DIR, 'regions');
const MODELS_DIR = join(DATA_DIR, 'models');

/** Probability above which a text is a complaint. */
export const COMPLAINT_THRESHOLD = 0.5;

/** Codes of the region packs present in classifiers/data/regions/, sorted. */
export function listRegions(): string[] {
  return readdirSync(REGIONS_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
}

function loadRegion(code: string): RegionFile {
  if (!/^[a-z0-9-]+$/.test(code) || !listRegions().includes(code)) {
    throw new Error(`unknown region "${code}"; known regions: ${listRegions().join(', ')}`);
  }
  const file = JSON.parse(readFileSync(join(REGIONS_DIR, `${code}.json`), 'utf8')) as RegionFile;
  if (file.code !== code || !Array.isArray(file.municipalities) || file.municipalities.length === 0) {
    throw new Error(`region file ${code}.json is invalid: code must be "${code}" and municipalities non-empty`);
  }
  return file;
}

/** Loads a model JSON from classifiers/data/models, or null when it has not been trained. */
export function loadModel(name: string): LinearModel | null {
  const path = join(MODELS_DIR, `${name}.json`);
  if (!existsSync(path)) {
    return null;
  }
  return new LinearModel(JSON.parse(readFileSync(path, 'utf8')) as LinearModelJson);
}

const NEWS_CUES = new Set(['c:done', 'c:meeting', 'c:planned', 'c:lost', 'c:proposal']);
const COMPLAINING = new Set(['c:complaint', 'c:sarcasm', 'c:harm']);
/** "заменили, но течёт", "после ремонта": a report of work with a "but" is a complaint about that work. */
const CONTRAST = /(^|[^а-я])(но|однако|хотя|после|опять|снова|вновь|повторно)([^а-я]|$)/;

const round = (x: number): number => Math.round(x * 1000) / 1000;

class TextAnalyzer implements Analyzer {
  readonly region: RegionPack;
  private readonly gazetteer: Gazetteer;
  private readonly ids: Set<string>;

  constructor(
    file: RegionFile,
    private readonly complaintModel: LinearModel | null,
    private readonly topicModel: LinearModel | null,
  ) {
    this.region = {
      code: file.code,
      name: file.name,
      timezone: file.timezone,
      municipalities: file.municipalities.map((m) => ({
        id: m.id,
        name: m.name,
        kind: m.kind,
        center: m.center,
        oktmo: m.oktmo ?? null,
      })),
      file,
    };
    this.gazetteer = new Gazetteer(file);
    this.ids = new Set(file.municipalities.map((m) => m.id));
  }

  analyze(text: string, hints: AnalyzeHints = {}): Analysis {
    const p = prepare(String(text ?? ''));
    const features = featuresOf(p);
    const complaint = this.detectComplaint(p, features);
    const topic = this.classifyTopic(p, features, complaint.complaint);
    const place = this.locate(p, hints);
    const prio = priorityOf(p.lower, complaint.complaint);
    return {
      version: VERSION,
      complaint: complaint.complaint,
      complaintScore: round(complaint.score),
      complaintReasons: complaint.reasons,
      topic: topic.topic,
      subtopic: topic.topic ? (subtopicOf(maskLandmarks(p.lower), topic.topic)?.code ?? null) : null,
      topicScore: round(topic.score),
      topicReasons: topic.reasons,
      municipality: place.municipality,
      municipalityReason: place.reason,
      settlement: place.settlement,
      priority: prio.high ? 'high' : 'normal',
      priorityReasons: prio.reasons,
    };
  }

  similarity(a: string, b: string): number {
    return textSimilarity(a, b);
  }

  private detectComplaint(p: PreparedText, features: string[]): { complaint: boolean; score: number; reasons: string[] } {
    if (p.tokens.length === 0) {
      return { complaint: false, score: 0, reasons: ['[пустой текст]'] };
    }
    if (this.complaintModel) {
      const r = this.complaintModel.predict(complaintFeatures(features));
      const ci = this.complaintModel.classes.indexOf('complaint');
      let score = r.probs[ci];
      // News, reports of work done, planned work, lost and found, proposals and volunteering are not complaints
      // unless the text also complains, mocks or tells of harm. A rule, not more training text: 30 variants of
      // such news taught the model that request words ("ремонт", "уборка", "нужны") mean news, and SPb recall fell.
      const cue = features.find((f) => NEWS_CUES.has(f));
      // "Помогите найти" in a lost-pet post, "помогите погорельцам" in a help drive: a plea, not a complaint cue.
      const pleaOnly = (cue === 'c:lost' || cue === 'c:proposal') && !COMPLAINT_CUES.test(p.lower.replace(/помогите/g, ' '));
      const complains = features.some((f) => COMPLAINING.has(f) && !(pleaOnly && f === 'c:complaint'));
      const gated = !!cue && score >= COMPLAINT_THRESHOLD && !complains && !CONTRAST.test(p.lower);
      if (gated) {
        score /= 2;
      }
      // Mocking thanks for a problem that is still there (rules.ts isSarcastic: praise + a standing problem + nothing
      // fixed) is a complaint: the model, which sees "спасибо" in every thank-you, keeps it near the threshold.
      if (!cue && features.includes('c:sarcasm') && score < COMPLAINT_THRESHOLD) {
        score = COMPLAINT_THRESHOLD;
      }
      const isComplaint = score >= COMPLAINT_THRESHOLD;
      const reasons = r.top(isComplaint ? ci : 1 - ci, 5).map(describeFeature);
      if (cue && !isComplaint) {
        const name = describeFeature(cue);
        reasons.splice(reasons.indexOf(name) >= 0 ? reasons.indexOf(name) : reasons.length, 1);
        reasons.unshift(name);
      }
      return { complaint: isComplaint, score, reasons };
    }
    // Fallback without a trained model: cue words.
    const pos = COMPLAINT_CUES.exec(p.lower);
    const neg = NON_COMPLAINT_CUES.exec(p.lower);
    const score = pos && !neg ? 0.75 : pos && neg ? 0.5 : neg ? 0.1 : 0.3;
    return { complaint: score >= COMPLAINT_THRESHOLD, score, reasons: [pos?.[2], neg?.[2]].filter((x): x is string => !!x) };
  }

  private classifyTopic(p: PreparedText, features: string[], isComplaint: boolean): { topic: TopicCode | null; score: number; reasons: string[] } {
    // Only a complaint has a topic: the pipeline routes complaints, and a thank-you or a news repost
    // about roads is not a roads problem.
    if (p.tokens.length === 0 || !isComplaint) {
      return { topic: null, score: 0, reasons: [] };
    }
    let topic: TopicCode | null = null;
    let score = 0;
    let reasons: string[] = [];
    if (this.topicModel) {
      const r = this.topicModel.predict(topicFeatures(features));
      topic = this.topicModel.classes[r.best] as TopicCode;
      score = r.probs[r.best];
      reasons = r.top(r.best, 5).map(describeFeature);
    } else {
      const votes = keywordTopics(maskLandmarks(p.lower));
      let best: [TopicCode, string[]] | null = null;
      for (const [t, words] of votes) {
        if (!best || words.length > best[1].length) {
          best = [t, words];
        }
      }
      if (best) {
        topic = best[0];
        score = Math.min(0.9, 0.5 + 0.1 * best[1].length);
        reasons = best[1];
      } else {
        topic = 'other';
        score = 0.3;
      }
    }
    return { topic, score, reasons };
  }

  private locate(p: PreparedText, hints: AnalyzeHints): { municipality: string | null; reason: string | null; settlement: string | null } {
    const fromText = resolve(this.gazetteer.match(p.tokens, p.rawTokens));
    if (fromText) {
      return { municipality: fromText.municipality, reason: `text:${fromText.surface}`, settlement: fromText.settlement };
    }
    const all: PlaceMatch[] = [];
    for (const mention of hints.mentions ?? []) {
      const mp = prepare(mention);
      all.push(...this.gazetteer.match(mp.tokens, mp.rawTokens));
    }
    const fromMentions = resolve(all);
    if (fromMentions) {
      return { municipality: fromMentions.municipality, reason: `mention:${fromMentions.surface}`, settlement: fromMentions.settlement };
    }
    if (hints.place) {
      const pp = prepare(hints.place);
      const fromPlace = resolve(this.gazetteer.match(pp.tokens, pp.rawTokens));
      if (fromPlace) {
        return { municipality: fromPlace.municipality, reason: `place:${fromPlace.surface}`, settlement: fromPlace.settlement };
      }
    }
    if (hints.municipality && this.ids.has(hints.municipality)) {
      return { municipality: hints.municipality, reason: 'source', settlement: null };
    }
    return { municipality: null, reason: null, settlement: null };
  }
}

const regionCache = new Map<string, RegionFile>();
let modelsLoaded = false;
let complaintModel: LinearModel | null = null;
let topicModel: LinearModel | null = null;

/** Builds an analyzer for a region pack (default 'khakassia'); throws for an unknown region. */
export function createAnalyzer(region = 'khakassia'): Analyzer {
  let file = regionCache.get(region);
  if (!file) {
    file = loadRegion(region);
    regionCache.set(region, file);
  }
  if (!modelsLoaded) {
    complaintModel = loadModel('complaint');
    topicModel = loadModel('topic');
    if (topicModel && topicModel.classes.some((c) => !(TOPICS as readonly string[]).includes(c))) {
      throw new Error('classifiers/data/models/topic.json has classes that are not topic codes');
    }
    modelsLoaded = true;
  }
  return new TextAnalyzer(file, complaintModel, topicModel);
}
