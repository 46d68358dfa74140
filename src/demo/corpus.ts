/**
 * The demo corpus: fictional posts about Khakassia (posts.json) from invented sources (sources.json),
 * each with the expected detector and classifier outcome. Used by demos, seeds and evaluations.
 */
import { z } from 'zod';
import { PLATFORMS, TOPICS } from '../domain/types';
import postsJson from './posts.json';
import sourcesJson from './sources.json';

/** Municipality codes of the default region (Khakassia). */
export const DEMO_MUNICIPALITIES = [
  'abakan', 'chernogorsk', 'sayanogorsk', 'abaza', 'sorsk', 'altaysky', 'askizsky', 'beysky',
  'bogradsky', 'ordzhonikidzevsky', 'tashtypsky', 'ust-abakansky', 'shirinsky',
] as const;

const Municipality = z.enum(DEMO_MUNICIPALITIES).nullable();

const DemoSourceSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]+$/),
  platform: z.enum(PLATFORMS),
  name: z.string().min(1),
  municipality: Municipality,
});

const DemoPostSchema = z.strictObject({
  platform: z.enum(PLATFORMS),
  source: z.string(),
  author: z.strictObject({ id: z.string().min(1), name: z.string().min(1) }),
  text: z.string().min(1),
  minutesAgo: z.number().int().min(0).max(600),
  expect: z.strictObject({
    complaint: z.boolean(),
    topic: z.enum(TOPICS).nullable(),
    /** The place named in the text, else the source's municipality, else null. Null for non-complaints. */
    municipality: Municipality,
    /** Index (in posts.json) of the first post about the same problem: deduplication should attach this one to it. */
    repeatOf: z.number().int().min(0).optional(),
  }),
});

/** A watched source of the demo (community, chat or feed). */
export type DemoSource = z.infer<typeof DemoSourceSchema>;
/** One demo post with its expected outcome. */
export type DemoPost = z.infer<typeof DemoPostSchema>;

/** Validated demo sources and posts; throws if the JSON files disagree with each other or the schema. */
export function loadDemoCorpus(): { sources: DemoSource[]; posts: DemoPost[] } {
  const sources = z.array(DemoSourceSchema).parse(sourcesJson);
  const posts = z.array(DemoPostSchema).parse(postsJson);
  const byId = new Map(sources.map((s) => [s.id, s]));
  posts.forEach((p, i) => {
    const source = byId.get(p.source);
    if (!source) throw new Error(`demo post ${i}: unknown source "${p.source}"`);
    if (source.platform !== p.platform) throw new Error(`demo post ${i}: platform differs from its source's`);
    if (p.expect.complaint !== (p.expect.topic !== null)) throw new Error(`demo post ${i}: complaint and topic disagree`);
    const first = p.expect.repeatOf;
    if (first !== undefined && (first >= i || posts[first].expect.topic !== p.expect.topic)) {
      throw new Error(`demo post ${i}: repeatOf must point to an earlier post on the same topic`);
    }
  });
  return { sources, posts };
}
