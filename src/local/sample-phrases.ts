// Phrases the sample generator combines. Written for this project (no real posts are copied); the
// non-English ones are simple everyday sentences with an unmistakable tone.
import type { Label } from '../domain/sentiment.js';

/** The sample's languages: ISO 639-1, and `ur-Latn` for Roman Urdu (Urdu in Latin script). */
export type Language = 'en' | 'ar' | 'ur' | 'ur-Latn' | 'ms' | 'tr' | 'id';

type ByTone = Record<Label, string[]>;

const english: ByTone = {
  positive: [
    '{subject} is doing amazing work, thank you to everyone involved!',
    'really impressed with {subject}, it made a huge difference for our street',
    'so grateful for {subject}. My family finally feels supported.',
    '{subject} exceeded every expectation, brilliant job',
    'huge thanks to the volunteers behind {subject}, you are wonderful',
    'what a great success {subject} has been this week',
    'loving the changes from {subject}, everything runs so smoothly now',
    'the team running {subject} was kind, fast and helpful',
  ],
  negative: [
    '{subject} is a complete disaster and nobody is listening',
    'really disappointed with {subject}, the waiting is terrible',
    '{subject} has been awful for weeks. This is unacceptable.',
    'angry that {subject} failed us again, such a waste of money',
    'the people running {subject} were rude and useless',
    '{subject} is broken and getting worse every day',
    'worst experience ever with {subject}, I regret even trying',
    'so frustrated: {subject} cancelled again without any warning',
  ],
  neutral: [
    '{subject} will publish its schedule on Monday.',
    'does anyone know what time {subject} opens tomorrow?',
    '{subject} moves to the east hall from next week.',
    'the council will discuss {subject} at the meeting on Thursday.',
    'registration for {subject} is done online or at the front desk.',
    '{subject} has a new phone number, see the notice board.',
    'a summary of {subject} is posted on the website.',
    'is {subject} running during the public holiday?',
  ],
};

const details: ByTone = {
  positive: [
    'The staff explained everything clearly and the whole visit took less than twenty minutes. ' +
      'Honestly one of the best organised things this town has done in years.',
    'My neighbour says the same. Keep it up, {subject} deserves more funding and more recognition.',
    'We were worried at first, but the results are fantastic and the kids are happy.',
  ],
  negative: [
    'We queued for three hours in the heat, then were told to come back tomorrow. ' +
      'Nobody apologised and the phone line just rings out.',
    'Three complaints sent, zero answers. How can {subject} get away with this?',
    'The promises were nice, the reality is a mess, and people are suffering because of it.',
  ],
  neutral: [
    'The notice says doors open at 9:00 and close at 17:00, Monday to Friday. Bring an ID card and proof of address.',
    'Minutes from the last meeting are available on request from the office.',
    'For questions, the coordinator can be reached by email during office hours.',
  ],
};

const short: ByTone = {
  positive: ['love this 😍', 'brilliant!', 'thank you so much 🙏', 'fantastic news', 'great job, team!'],
  negative: ['terrible.', 'so disappointed 😡', 'this is awful', 'what a mess', 'useless, again'],
  neutral: ['any update?', 'noted.', 'which day is it?', 'link please', 'ok, see you there'],
};

const other: Record<Exclude<Language, 'en'>, ByTone> = {
  ar: {
    positive: [
      'شكراً لكل المتطوعين، العيادة الجديدة رائعة جداً',
      'خدمة ممتازة وسريعة، أنا سعيد جداً بالنتيجة',
      'عمل رائع من الفريق، بارك الله فيكم',
    ],
    negative: [
      'الخدمة سيئة جداً والانتظار طويل بلا فائدة',
      'أنا غاضب، المياه مقطوعة منذ ثلاثة أيام',
      'تجربة مخيبة للآمال ولا أحد يهتم',
    ],
    neutral: [
      'سيبدأ توزيع المياه يوم الأحد في الساعة العاشرة',
      'الاجتماع القادم في مبنى البلدية',
      'هل يوجد رقم هاتف للاستفسار؟',
    ],
  },
  ur: {
    positive: [
      'نئی لائبریری بہت اچھی ہے، سب کا شکریہ!',
      'رضاکاروں نے زبردست کام کیا، بہت خوشی ہوئی',
      'یہ منصوبہ واقعی بہترین ہے',
    ],
    negative: [
      'بجلی پھر سے بند ہے، بہت برا حال ہے',
      'عملہ بدتمیز تھا اور کوئی مدد نہیں ملی',
      'یہ سب وقت کا ضیاع ہے، بہت مایوسی ہوئی',
    ],
    neutral: ['اجلاس جمعرات کو شام پانچ بجے ہوگا', 'رجسٹریشن پیر سے شروع ہوگی', 'دفتر کا نیا پتہ کیا ہے؟'],
  },
  'ur-Latn': {
    positive: [
      'Naya clinic bohat acha hai, sab ka bohat shukriya!',
      'Volunteers ne zabardast kaam kiya, dil khush ho gaya',
      'Yeh mansooba waqai behtareen hai, Allah aap ko khush rakhe',
    ],
    negative: [
      'Bijli phir se band hai, bohat bura haal hai yahan',
      'Staff bohat badtameez tha aur koi madad nahi mili',
      'Yeh sab waqt ka ziya hai, mujhe bohat mayoosi hui',
    ],
    neutral: [
      'Ijlas jumeraat ko shaam paanch baje hoga',
      'Registration peer se shuru hogi, form daftar mein milega',
      'Kya koi bata sakta hai ke daftar ka naya pata kya hai?',
    ],
  },
  ms: {
    positive: [
      'Terima kasih kepada semua sukarelawan, program ini sangat membantu!',
      'Klinik baru ini sangat bagus dan kakitangannya mesra',
      'Hebat sekali, saya sangat gembira dengan hasilnya',
    ],
    negative: [
      'Jalan masih rosak dan tiada siapa yang peduli',
      'Perkhidmatan sangat teruk, saya kecewa',
      'Sudah seminggu air tiada, sangat menyusahkan',
    ],
    neutral: [
      'Mesyuarat penduduk akan diadakan pada hari Sabtu',
      'Pendaftaran dibuka di dewan komuniti',
      'Pukul berapa kaunter dibuka esok?',
    ],
  },
  tr: {
    positive: [
      'Yeni park harika olmuş, emeği geçen herkese teşekkürler!',
      'Gönüllüler çok yardımcı oldu, gerçekten mutluyum',
      'Mükemmel bir hizmet, çok memnun kaldık',
    ],
    negative: [
      'Su kesintisi üç gündür devam ediyor, çok kötü',
      'Personel çok kaba davrandı, hiç memnun değilim',
      'Tam bir hayal kırıklığı, kimse ilgilenmiyor',
    ],
    neutral: [
      "Toplantı salı günü saat 14:00'te belediye binasında",
      'Başvurular pazartesi günü başlıyor',
      'Otobüs saatleri değişti mi?',
    ],
  },
  id: {
    positive: [
      'Bantuan datang cepat sekali, terima kasih banyak!',
      'Programnya luar biasa, warga sangat senang',
      'Pelayanannya ramah dan sangat membantu',
    ],
    negative: [
      'Pelayanan di kantor itu sangat mengecewakan',
      'Banjir lagi dan tidak ada bantuan sama sekali, parah',
      'Antreannya buruk sekali, saya kesal',
    ],
    neutral: [
      'Pendaftaran dibuka mulai hari Senin pukul 08.00',
      'Rapat warga diadakan di balai desa',
      'Apakah jadwalnya sudah diumumkan?',
    ],
  },
};

export const SAMPLE_PHRASES = {
  english,
  details,
  short,
  other,
  subjects: [
    'the new community clinic',
    'the flood relief team',
    'the school meal programme',
    'the river cleanup',
    'the vaccination drive',
    'the food bank',
    'the new bus route',
    'the clean water project',
    'the job training course',
    'the housing repair scheme',
    'the youth football league',
    'the library reopening',
  ],
  mentions: ['@CityCouncil', '@ReliefHubNorth', '@WaterForAllOrg', '@MayorOffice', '@CommunityDesk', '@HealthDept'],
  hashtags: ['#community', '#floodrelief', '#CleanWater', '#localnews', '#volunteers', '#PublicHealth', '#ImpactWeek'],
  emoji: {
    positive: ['😊', '🎉', '👏', '❤️', '🙌', '🌟'],
    negative: ['😡', '😞', '👎', '💔', '😤'],
    neutral: ['📅', '📍', 'ℹ️', '🕘'],
  } satisfies ByTone,
  handles: ['river_walker', 'amina.k', 'localdad', 'TechAunt', 'siti_h', 'mehmet.y', 'budi_s', 'green_street'],
};
