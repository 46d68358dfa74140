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
import { featuresOf, topicFeatures, complaintFeatures, priorityFeatures, describeFeature } from './features';
import { prepare, type PreparedText } from './text';
import { priorityOf, subtopicOf, keywordTopics, maskLandmarks, isCommunityDrive, isCollective, isThanksForFix, COMPLAINT_CUES, NON_COMPLAINT_CUES } from './rules';
import { similarity as textSimilarity } from './similarity';
import { KINDS, APPEAL_KINDS, type MessageKind } from './kinds';

export { KINDS, APPEAL_KINDS, type MessageKind };

/** Version of the analysis rules and models; stored with every result. */
export const VERSION = 'otklik-clf-7';

/** Hints from the source: mention display texts, the community's home municipality, a typed place, the platform. */
export interface AnalyzeHints {
  platform?: string | null;
  /** The author wrote to the authorities directly (the appeal form), not in a community: most such texts are appeals. */
  addressed?: boolean;
  municipality?: string | null;
  mentions?: string[];
  place?: string | null;
}


/** Everything the pipeline stores about one text. */
export interface Analysis {
  version: string;
  /** complaint, question and proposal are appeals (incidents); gratitude is recorded; none stops. */
  kind: MessageKind;
  kindScore: number;
  /** Calibrated 0..1 confidence of the routing decision (kind × topic × municipality). */
  confidence: number;
  /** False: a person should confirm the decision (the duty officer's triage list) before routing. */
  confident: boolean;
  /** True for a problem report (kind complaint); kept for the contract. */
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
  /** Which models answer: 'shipped' or the region's model folder. */
  models: string;
  analyze(text: string, hints?: AnalyzeHints): Analysis;
  /** 0..1 similarity of two texts for near-duplicate detection (Jaccard of stemmed shingles). */
  similarity(a: string, b: string): number;
}

/** Folder with region packs and models (resolved next to this file, so it works from any cwd). */
export const DATA_DIR = join(__dirname, 'data');
const REGIONS_DIR = join(DATA_DIR, 'regions');
const MODELS_DIR = join(DATA_DIR, 'models');

/** Probability above which a text is a complaint (the cue-word fallback without a model). */
export const COMPLAINT_THRESHOLD = 0.5;
/** The priority model's probability of "high" at which a rule signal (rules.ts) is enough to raise priority. */
const RULE_AGREEMENT = 0.25;
/** How much likelier an appeal is in a text typed into the appeal form than in a community post (prior odds ratio). */
export const ADDRESSED_ODDS = 9;
/** Probability of the appeal kinds together above which a text is an appeal. */
export const APPEAL_THRESHOLD = 0.5;

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

/** Loads a model JSON from a folder (default classifiers/data/models), or null when it has not been trained. */
export function loadModel(name: string, dir = MODELS_DIR): LinearModel | null {
  const path = join(dir, `${name}.json`);
  if (!existsSync(path)) {
    return null;
  }
  return new LinearModel(JSON.parse(readFileSync(path, 'utf8')) as LinearModelJson);
}

/** The three models of an analysis; a region's own (in `DATA_DIR/models`) replaces the shipped ones as a set. */
export interface Models {
  kind: LinearModel | null;
  topic: LinearModel | null;
  priority: LinearModel | null;
  /** Where they were read from: 'shipped' or the region's folder. */
  source: string;
}

/**
 * Below this routing confidence an appeal goes to the duty officer's triage list (TRIAGE_MIN_CONFIDENCE). At 0.6 on the
 * blind social set: 62.5% of complaints routed with no person, 97.1% of those right in kind, topic and municipality
 * (0.5: 74% at 96.0%; 0.7: 56% at 97.8%) — 0.6 keeps a margin over the 95% aim on 479 posts.
 */
export const DEFAULT_MIN_CONFIDENCE = 0.6;

const NEWS_CUES = new Set(['c:done', 'c:meeting', 'c:planned', 'c:lost', 'c:proposal']);
const COMPLAINING = new Set(['c:complaint', 'c:sarcasm', 'c:harm']);
/** "заменили, но течёт", "после ремонта": a report of work with a "but" is a complaint about that work. */
const CONTRAST = /(^|[^а-я])(но|однако|хотя|после|опять|снова|вновь|повторно)([^а-я]|$)/;

const round = (x: number): number => Math.round(x * 1000) / 1000;

class TextAnalyzer implements Analyzer {
  readonly region: RegionPack;
  readonly models: string;
  private readonly gazetteer: Gazetteer;
  private readonly ids: Set<string>;

  private readonly kindModel: LinearModel | null;
  private readonly topicModel: LinearModel | null;
  private readonly priorityModel: LinearModel | null;

  constructor(
    file: RegionFile,
    models: Models,
    private readonly minConfidence: number,
  ) {
    this.kindModel = models.kind;
    this.topicModel = models.topic;
    this.priorityModel = models.priority;
    this.models = models.source;
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
    const kind = this.detectKind(p, features, hints.addressed === true);
    const complaint = kind.kind === 'complaint';
    const appeal = (APPEAL_KINDS as readonly string[]).includes(kind.kind);
    const topic = this.classifyTopic(p, features, appeal);
    const place = this.locate(p, hints);
    const prio = this.priority(p, features, complaint);
    // Routing confidence: the kind and the topic both right (the municipality is checked apart: none → triage).
    const confidence = appeal ? kind.score * topic.score : kind.score;
    return {
      version: VERSION,
      kind: kind.kind,
      kindScore: round(kind.score),
      confidence: round(confidence),
      confident: confidence >= this.minConfidence && (!appeal || place.municipality !== null),
      complaint,
      complaintScore: round(kind.complaintScore),
      complaintReasons: kind.reasons,
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

  /**
   * High priority: the learned model over the text and the rule signals (rules.ts priorityOf: outage, winter,
   * danger, emergency, children at risk, mass). A rule signal needs the model's partial agreement, so a loose word
   * ("потоп" in a joke, "весь дом" in passing, a condolence) does not raise a card alone; without a model, the rules.
   */
  private priority(p: PreparedText, features: string[], complaint: boolean): { high: boolean; reasons: string[] } {
    if (!complaint) return { high: false, reasons: [] };
    const rules = priorityOf(p.lower, true);
    if (!this.priorityModel) return rules;
    const r = this.priorityModel.predict(priorityFeatures(features, rules.reasons));
    const hi = this.priorityModel.classes.indexOf('high');
    const pHigh = r.probs[hi];
    const high = pHigh >= 0.5 || (rules.high && pHigh >= RULE_AGREEMENT) || isCollective(p.lower);
    if (!high) return { high: false, reasons: [] };
    return { high, reasons: rules.reasons.length > 0 ? rules.reasons : r.top(hi, 3).map(describeFeature) };
  }

  similarity(a: string, b: string): number {
    return textSimilarity(a, b);
  }

  private detectKind(p: PreparedText, features: string[], addressed: boolean): { kind: MessageKind; score: number; complaintScore: number; reasons: string[] } {
    if (p.tokens.length === 0) {
      return { kind: 'none', score: 1, complaintScore: 0, reasons: ['[пустой текст]'] };
    }
    if (!this.kindModel) {
      // Fallback without a trained model: cue words.
      const pos = COMPLAINT_CUES.exec(p.lower);
      const neg = NON_COMPLAINT_CUES.exec(p.lower);
      const score = pos && !neg ? 0.75 : pos && neg ? 0.5 : neg ? 0.1 : 0.3;
      const reasons = [pos?.[2], neg?.[2]].filter((x): x is string => !!x);
      return score >= COMPLAINT_THRESHOLD ? { kind: 'complaint', score, complaintScore: score, reasons } : { kind: 'none', score: 1 - score, complaintScore: score, reasons };
    }
    const model = this.kindModel;
    const r = model.predict(complaintFeatures(features));
    const probs = Object.fromEntries(KINDS.map((k) => [k, r.probs[model.classes.indexOf(k)] ?? 0])) as Record<MessageKind, number>;
    // News, reports of work done, planned work, lost and found, proposals and volunteering are not complaints
    // unless the text also complains, mocks or tells of harm. A rule, not more training text: 30 variants of
    // such news taught the model that request words ("ремонт", "уборка", "нужны") mean news, and SPb recall fell.
    const cue = features.find((f) => NEWS_CUES.has(f));
    // "Помогите найти" in a lost-pet post, "помогите погорельцам" in a help drive: a plea, not a complaint cue.
    const pleaOnly = (cue === 'c:lost' || cue === 'c:proposal') && !COMPLAINT_CUES.test(p.lower.replace(/помогите/g, ' '));
    const complains = features.some((f) => COMPLAINING.has(f) && !(pleaOnly && f === 'c:complaint'));
    if (cue && !complains && !CONTRAST.test(p.lower)) {
      const moved = probs.complaint / 2;
      probs.complaint -= moved;
      probs.none += moved;
      // A community drive ("волонтёры собирают корм", "субботник в субботу") proposes nothing to the authorities.
      if (isCommunityDrive(p.lower)) {
        probs.none += probs.proposal;
        probs.proposal = 0;
      }
    }
    // Thanks for a fix names the problem it fixed ("прорвало трубу — к утру починили"): gratitude, unless a "но",
    // "опять" or "после" says the problem is back.
    if (isThanksForFix(p.lower) && !CONTRAST.test(p.lower)) {
      probs.gratitude += probs.complaint;
      probs.complaint = 0;
    }
    // An appeal when the appeal kinds together outweigh the rest; then the likeliest of them. A text sent to the
    // authorities through the appeal form has other odds than a post in a community feed (the model's training mix):
    // Bayes' rule with the channel's prior, odds × ADDRESSED_ODDS.
    let appealMass = APPEAL_KINDS.reduce((a, k) => a + probs[k], 0);
    if (addressed) {
      const odds = (appealMass / Math.max(1e-9, 1 - appealMass)) * ADDRESSED_ODDS;
      appealMass = odds / (1 + odds);
    }
    let kind: MessageKind =
      appealMass >= APPEAL_THRESHOLD
        ? APPEAL_KINDS.reduce((a, b) => (probs[b] > probs[a] ? b : a))
        : probs.gratitude > probs.none ? 'gratitude' : 'none';
    // Mocking thanks for a problem that is still there (rules.ts isSarcastic: praise + a standing problem + nothing
    // fixed) is a complaint, not gratitude.
    if (features.includes('c:sarcasm') && (kind === 'gratitude' || (!cue && kind !== 'complaint'))) {
      kind = 'complaint';
    }
    const ci = model.classes.indexOf(kind);
    const reasons = r.top(ci, 5).map(describeFeature);
    if (cue && kind !== 'complaint') {
      const name = describeFeature(cue);
      reasons.splice(reasons.indexOf(name) >= 0 ? reasons.indexOf(name) : reasons.length, 1);
      reasons.unshift(name);
    }
    // The kind's score: for an appeal, that it is an appeal at all (which appeal matters less for routing).
    const score = APPEAL_KINDS.includes(kind) ? Math.max(appealMass, COMPLAINT_THRESHOLD) : 1 - appealMass;
    return { kind, score, complaintScore: probs.complaint, reasons };
  }

  private classifyTopic(p: PreparedText, features: string[], isAppeal: boolean): { topic: TopicCode | null; score: number; reasons: string[] } {
    // Only an appeal has a topic: the pipeline routes appeals, and a thank-you or a news repost
    // about roads is not a roads problem.
    if (p.tokens.length === 0 || !isAppeal) {
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
const modelCache = new Map<string, Models>();

/** The models in a folder (a region's own, all three or none), else the shipped ones. Cached per folder. */
function modelsFor(modelDir?: string | null): Models {
  const key = modelDir ?? '';
  let m = modelCache.get(key);
  if (!m) {
    const own = modelDir && existsSync(join(modelDir, 'kind.json')) ? modelDir : null;
    const dir = own ?? MODELS_DIR;
    m = { kind: loadModel('kind', dir), topic: loadModel('topic', dir), priority: loadModel('priority', dir), source: own ?? 'shipped' };
    if (m.topic && m.topic.classes.some((c) => !(TOPICS as readonly string[]).includes(c))) {
      throw new Error(`${join(dir, 'topic.json')} has classes that are not topic codes`);
    }
    modelCache.set(key, m);
  }
  return m;
}

/** Forgets loaded models, so the next createAnalyzer reads a freshly trained region model. */
export function reloadModels(): void {
  modelCache.clear();
}

/** Options of an analyzer: the region's own model folder (`DATA_DIR/models`) and the triage threshold. */
export interface AnalyzerOptions {
  modelDir?: string | null;
  minConfidence?: number;
}

/** Builds an analyzer for a region pack (default 'khakassia'); throws for an unknown region. */
export function createAnalyzer(region = 'khakassia', opts: AnalyzerOptions = {}): Analyzer {
  let file = regionCache.get(region);
  if (!file) {
    file = loadRegion(region);
    regionCache.set(region, file);
  }
  return new TextAnalyzer(file, modelsFor(opts.modelDir), opts.minConfidence ?? DEFAULT_MIN_CONFIDENCE);
}
