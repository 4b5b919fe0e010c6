/**
 * The stand-in embedding model's vocabulary: words grouped into concepts. Real embedding
 * weights cannot be shipped, and a pure bag of words scores paraphrases ("return policy" /
 * "get a refund") near zero because they share no word. Grouping synonyms into one concept
 * dimension gives the property the semantic cache relies on: same meaning, high cosine;
 * different topic, low cosine. Entries are phrases or words in any inflection; they are
 * stemmed with the same stemmer as the input, so "refunds" and "refunded" land on "refund".
 */
export const CONCEPTS: Readonly<Record<string, readonly string[]>> = {
  returns: ['return', 'refund', 'reimburse', 'reimbursement', 'money back', 'send back', 'give back', 'rma', 'restocking'],
  shipping: ['ship', 'shipping', 'shipment', 'deliver', 'delivery', 'courier', 'carrier', 'postage', 'dispatch', 'freight', 'arrive', 'arrival', 'transit', 'track', 'tracking', 'parcel', 'package', 'eta', 'where is my order'],
  order: ['order', 'purchase', 'buy', 'bought', 'checkout', 'cart', 'basket'],
  payment: ['pay', 'payment', 'credit card', 'debit', 'paypal', 'charge', 'billing', 'bill', 'invoice', 'receipt', 'transaction'],
  pricing: ['price', 'cost', 'expensive', 'cheap', 'fee', 'how much', 'afford', 'pricing', 'quote'],
  discount: ['discount', 'coupon', 'promo', 'promotion', 'voucher', 'sale', 'deal', 'offer'],
  account: ['account', 'profile', 'sign up', 'signup', 'register', 'registration', 'username', 'email address'],
  login: ['password', 'login', 'log in', 'sign in', 'signin', 'forgot', 'locked out', 'credential', '2fa', 'authentication'],
  cancel: ['cancel', 'cancellation', 'terminate', 'unsubscribe', 'opt out'],
  subscription: ['subscription', 'subscribe', 'plan', 'membership', 'renew', 'renewal', 'tier', 'upgrade', 'downgrade'],
  warranty: ['warranty', 'guarantee', 'repair', 'broken', 'defect', 'defective', 'damage', 'damaged', 'faulty', 'malfunction'],
  exchange: ['exchange', 'swap', 'size', 'fit', 'smaller', 'larger', 'bigger'],
  contact: ['contact', 'phone', 'call', 'reach', 'speak', 'talk', 'human', 'representative', 'customer service', 'support team', 'live chat'],
  hours: ['hour', 'opening', 'closing', 'open', 'close', 'schedule', 'weekend', 'holiday'],
  location: ['store', 'shop', 'location', 'address', 'branch', 'nearby', 'near me', 'direction'],
  stock: ['stock', 'available', 'availability', 'inventory', 'restock', 'sold out', 'backorder'],
  product: ['product', 'item', 'feature', 'spec', 'specification', 'material', 'colour', 'color', 'dimension'],
  gift: ['gift', 'gift card', 'wrap', 'wrapping', 'present'],
  complaint: ['complaint', 'complain', 'unhappy', 'dissatisfied', 'angry', 'terrible', 'awful', 'disappointed'],
  greeting: ['hello', 'hi', 'hey', 'greeting', 'good morning', 'thanks', 'thank'],
  geography: ['capital', 'country', 'city', 'france', 'paris', 'germany', 'berlin', 'spain', 'madrid', 'italy', 'rome', 'europe', 'continent', 'population', 'river', 'mountain', 'ocean'],
  weather: ['weather', 'rain', 'sunny', 'forecast', 'snow', 'wind', 'climate', 'temperature outside'],
  programming: ['code', 'program', 'programming', 'function', 'python', 'javascript', 'typescript', 'compile', 'software', 'debug', 'algorithm', 'sort'],
  math: ['math', 'calculate', 'sum', 'multiply', 'divide', 'equation', 'plus', 'minus', 'square root', 'arithmetic'],
  food: ['recipe', 'cook', 'cooking', 'food', 'bake', 'ingredient', 'meal', 'dinner', 'lunch', 'breakfast', 'pasta', 'pizza'],
  health: ['health', 'doctor', 'medicine', 'symptom', 'sick', 'pain', 'fever', 'illness'],
  travel: ['travel', 'flight', 'hotel', 'trip', 'vacation', 'airport', 'passport', 'visa', 'booking'],
  science: ['history', 'war', 'ancient', 'science', 'physics', 'chemistry', 'biology', 'planet', 'space', 'star', 'universe'],
  sports: ['sport', 'football', 'soccer', 'basketball', 'tennis', 'match', 'tournament', 'player'],
  language: ['translate', 'translation', 'language', 'english', 'french', 'spanish', 'german', 'meaning', 'synonym'],
  privacy: ['privacy', 'personal data', 'gdpr', 'security', 'delete my data'],
};

/**
 * Words that say "information about" rather than what about. They get a small weight in one
 * shared dimension, so "What is the return policy?" stays close to "How do I get a refund?".
 */
export const GENERIC_WORDS: readonly string[] = [
  'policy', 'rule', 'term', 'condition', 'guideline', 'procedure', 'process', 'info', 'information',
  'detail', 'option', 'question', 'help', 'way', 'step', 'requirement',
];

/** Function words that carry no topic; dropped before lookup. */
export const STOPWORDS: ReadonlySet<string> = new Set(
  ('a an the is are was were be been am do does did doing have has had i me my mine we our you your ' +
    'he she it its they them their this that these those what which who whom whose when where why how ' +
    'can could would should will shall may might must to of in on at by for with from about into over ' +
    'under again further then once here there all any both each few more most other some such no nor not ' +
    'only own same so than too very just and but if or because as until while get got please tell know ' +
    'want need like also us let').split(' '),
);
