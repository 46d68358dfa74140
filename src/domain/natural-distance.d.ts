/** Types for the one natural submodule src/domain imports directly (the package root loads dotenv and storage back-ends). */
declare module 'natural/lib/natural/distance/jaro-winkler_distance' {
  /** Jaro–Winkler SIMILARITY despite the name: 1 for equal strings, 0 for nothing in common. */
  function JaroWinklerDistance(s1: string, s2: string, options?: { dj?: number; ignoreCase?: boolean }): number;
  export = JaroWinklerDistance;
}
