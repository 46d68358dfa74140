/** Types for the natural submodules we import directly (the package root drags in storage back-ends). */
declare module 'natural/lib/natural/stemmers/porter_stemmer_ru' {
  const stemmer: { stem(word: string): string };
  export = stemmer;
}
