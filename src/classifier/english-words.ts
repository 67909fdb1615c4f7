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

// Common romanised Hindi (Hinglish) function words, written as tweets spell them. Kept free of English words
// and of words common in the audience's other Latin-script languages ("ki" Turkish, "ke" Malay, "mein" and
// "wo" German, "par" French, "se", "me", "to").
export const HINGLISH_WORDS: ReadonlySet<string> = new Set(
  `hai hain nahi nahin nhi kya kyu kyun kyon aur bhi tha thi ko ka ho hoga hogi kar karo karna karte kiya raha
  rahe rahi sab kuch koi yeh woh ye vo apna apne apni bahut bohot bhai ji tum aap jab tab kab abhi phir sirf
  unka uska iska inka mera meri mere tera teri tere hamara tumhara pe liye wala wale wali diya dena gaya gaye
  gayi hota hote hoti sakta sakte chahiye lekin magar agar toh accha acha yaar desh logo sabhi kaise kaisa kitna`
    .split(/\s+/)
    .filter(Boolean),
);
