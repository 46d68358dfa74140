/**
 * The region's real text analysis with some verdicts pinned: for these exact texts, the given fields (kind,
 * confident, …) override what the analysis says. The pipeline's handling of each kind is tested this way while the
 * analysis itself is retrained (its own tests and evaluation cover what it says about real texts).
 */
import { createAnalyzer, type Analysis } from '../../classifiers';
import { createTextAnalysis, type TextAnalysis } from '../../src/analysis/pool';

export function pinnedAnalysis(pins: Record<string, Partial<Analysis>>, region = 'khakassia'): TextAnalysis {
  const real = createTextAnalysis(createAnalyzer(region), 0, region);
  return {
    ...real,
    analyze: async (text, hints) => ({ ...(await real.analyze(text, hints)), ...(pins[text] ?? {}) }),
  };
}
