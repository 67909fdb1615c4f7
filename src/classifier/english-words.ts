// Very common English words (function words, chat words, everyday sentiment words), lower-case.
// Used by language detection as a cheap check on what n-gram profiles (built from formal text) get wrong on
// casual English: franc's trigrams answered German for "What a wonderful day, thank you all so much!".
// Kept free of words that are also common in Malay, Indonesian or Turkish (e.g. "di", "dan", "bir").
export const COMMON_ENGLISH_WORDS: ReadonlySet<string> = new Set(
  `a about after again all also always am an and any are as at away back bad be because been before being
  best better big but by can cannot cant could day days did didnt do does doesnt dont down even ever every
  for from get gets getting go goes going gone good got great had has have havent he her here him his how
  i if im in into is isnt it its ive just know last let like little lol long look lot love loved lovely made
  make many me more most much must my need never new next nice no not now of off oh ok okay old on one only
  or our out over people please pretty really right said same say see she should so some still stuff such
  sure take than thank thanks that thats the their them then there these they thing things think this those
  time to today tomorrow tonight too up us very want was wasnt way we week well went were what when where
  which while who why will with wonderful work would wow yeah year yes yet you your youre
  awesome amazing happy sad hate terrible awful horrible worst fun glad sorry wait cant wont
  morning night weekend friend friends family game show movie phone service team`
    .split(/\s+/)
    .filter(Boolean),
);
