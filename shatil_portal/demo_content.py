"""The demo's fictional content (seed_demo_data): organizations, advisors and
the texts of their requests, drawn from the track catalog's situations.

Every person, organization, email address and phone number here is made up
(addresses at example.org and example.com); registration numbers are built
with a valid Israeli check digit (consultations/validators.py).
"""

from dataclasses import dataclass, field


def registration_number(prefix: str, serial: int) -> str:
    """A nine-digit number, `prefix` and `serial`, with its check digit."""
    digits = f"{prefix}{serial:06d}"
    total = 0
    for position, digit in enumerate(digits):
        product = int(digit) * (1 if position % 2 == 0 else 2)
        total += product - 9 if product > 9 else product
    return f"{digits}{(10 - total % 10) % 10}"


@dataclass(frozen=True)
class DemoAdvisor:
    username: str
    first_name: str
    last_name: str
    languages: list
    regions: list
    tracks: list
    capacity: int


# The demo `advisor` account (create_demo_accounts) is one of the five.
ADVISORS = [
    DemoAdvisor(
        "advisor",
        "",
        "",
        ["he", "en"],
        ["center", "tel_aviv", "jerusalem"],
        [
            "project-consulting",
            "professional-development",
            "strategic-planning",
            "crisis",
        ],
        8,
    ),
    DemoAdvisor(
        "samir.haddad",
        "סמיר",
        "חדאד",
        ["ar", "he"],
        ["north", "haifa"],
        ["local-government", "coalition", "project-consulting"],
        5,
    ),
    DemoAdvisor(
        "dana.mizrahi",
        "דנה",
        "מזרחי",
        ["he"],
        ["south", "jerusalem"],
        ["climate-crisis", "local-government", "strategic-planning"],
        4,
    ),
    DemoAdvisor(
        "rana.abusaleh",
        "ראנה",
        "אבו סאלח",
        ["ar", "he", "en"],
        ["nationwide"],
        ["crisis", "coalition", "strategic-planning", "professional-development"],
        5,
    ),
    DemoAdvisor(
        "avi.bendavid",
        "אבי",
        "בן דוד",
        ["he", "en"],
        ["tel_aviv", "center", "haifa"],
        ["professional-development", "project-consulting", "climate-crisis"],
        4,
    ),
]


@dataclass(frozen=True)
class DemoOrganization:
    name: str
    kind: str
    region: str
    locality: str
    language: str
    # A noun phrase that fits "בנושא …", "في موضوع …", "on …".
    topic: str
    contact_name: str
    contact_role: str
    contact_email: str
    phone: str = ""
    registration_number: str = ""
    staff_size: str = "6-20"
    volunteer_size: str = "21-50"
    population_served: str = ""
    contact_method: str = "email"
    contact_times: str = ""
    coalition_members: list = field(default_factory=list)


NONPROFIT = "nonprofit"

ORGANIZATIONS = {
    "gesher": DemoOrganization(
        "עמותת גשר לנגישות",
        NONPROFIT,
        "center",
        "פתח תקווה",
        "he",
        "נגישות התחבורה הציבורית לאנשים עם מוגבלות",
        "מיכל אברהמי",
        "מנכ״לית",
        "michal.avrahami@example.org",
        "052-555-0101",
        registration_number("58", 104_211),
        population_served="אנשים עם מוגבלות ובני משפחותיהם",
    ),
    "negev_women": DemoOrganization(
        "פורום נשים בנגב",
        NONPROFIT,
        "south",
        "באר שבע",
        "he",
        "ייצוג נשים בוועדות התכנון המקומיות",
        "אורית בן חמו",
        "רכזת מדיניות",
        "orit.benhamo@example.org",
        "054-555-0102",
        registration_number("58", 213_877),
        staff_size="1-5",
        population_served="נשים ביישובי הנגב",
    ),
    "green_galil": DemoOrganization(
        "קהילה ירוקה בגליל",
        NONPROFIT,
        "north",
        "כרמיאל",
        "he",
        "שמירה על שטחים פתוחים ושבילי אופניים",
        "יונתן גולן",
        "מנהל תכניות",
        "yonatan.golan@example.org",
        registration_number("58", 320_495),
        staff_size="1-5",
        volunteer_size="51+",
    ),
    "youth_home": DemoOrganization(
        "בית חם לנוער",
        NONPROFIT,
        "haifa",
        "חדרה",
        "he",
        "מסגרות לבני נוער שנשרו ממערכת החינוך",
        "שירן דהן",
        "מנהלת",
        "shiran.dahan@example.org",
        "050-555-0104",
        registration_number("58", 418_302),
        population_served="בני נוער בגילי 14–18",
        contact_method="phone",
        contact_times="בימים א׳–ה׳ אחרי 16:00",
    ),
    "batyam": DemoOrganization(
        "שכנים טובים בבת ים",
        "grassroots",
        "tel_aviv",
        "בת ים",
        "he",
        "התחדשות עירונית בלי לדחוק החוצה דיירים ותיקים",
        "רוני ששון",
        "פעיל",
        "roni.sasson@example.com",
        "053-555-0105",
        staff_size="0",
        contact_method="whatsapp",
    ),
    "olim": DemoOrganization(
        "מרכז הסיוע לעולים",
        NONPROFIT,
        "jerusalem",
        "ירושלים",
        "he",
        "מיצוי זכויות של עולים ותיקים",
        "ולרי קוגן",
        "רכזת זכויות",
        "valerie.kogan@example.org",
        "058-555-0106",
        registration_number("58", 507_116),
        population_served="עולים ותיקים ובני משפחותיהם",
    ),
    "food": DemoOrganization(
        "סל מלא – ביטחון תזונתי",
        NONPROFIT,
        "south",
        "דימונה",
        "he",
        "ביטחון תזונתי למשפחות בפריפריה",
        "אבי אלמוג",
        "יו״ר",
        "avi.almog@example.org",
        registration_number("58", 611_940),
        volunteer_size="51+",
    ),
    "special_ed": DemoOrganization(
        "הורים למען חינוך מיוחד",
        NONPROFIT,
        "center",
        "רחובות",
        "he",
        "שילוב ילדים עם צרכים מיוחדים בגני ילדים רגילים",
        "ענבל פרץ",
        "מנהלת קשרי ממשל",
        "inbal.peretz@example.org",
        "052-555-0108",
        registration_number("58", 702_358),
        staff_size="1-5",
    ),
    "climate_pbc": DemoOrganization(
        "אקלים צודק",
        "pbc",
        "nationwide",
        "",
        "he",
        "היערכות הרשויות המקומיות לגלי חום",
        "תמר רוזן",
        "מנכ״לית",
        "tamar.rozen@example.org",
        "054-555-0109",
        registration_number("51", 488_203),
        staff_size="21-50",
        volunteer_size="6-20",
    ),
    "elders": DemoOrganization(
        "קול הגיל השלישי",
        NONPROFIT,
        "haifa",
        "חיפה",
        "he",
        "שירותי סיעוד בקהילה לאזרחים ותיקים",
        "משה ביטון",
        "מנהל",
        "moshe.biton@example.org",
        "050-555-0110",
        registration_number("58", 815_664),
        contact_method="phone",
        contact_times="בבקרים",
    ),
    "jaffa": DemoOrganization(
        "מרחב משותף ביפו",
        "grassroots",
        "tel_aviv",
        "תל אביב-יפו",
        "he",
        "גינות קהילתיות ומרחב ציבורי משותף ליהודים ולערבים",
        "נועה שגיא",
        "רכזת קהילה",
        "noa.sagi@example.com",
        staff_size="0",
        volunteer_size="21-50",
    ),
    "employment": DemoOrganization(
        "נתיב לתעסוקה",
        NONPROFIT,
        "jerusalem",
        "בית שמש",
        "he",
        "תעסוקת צעירים עם מוגבלות",
        "דוד אזולאי",
        "מנהל פיתוח",
        "david.azulay@example.org",
        "052-555-0112",
        registration_number("58", 903_027),
    ),
    "council": DemoOrganization(
        "מועצה אזורית גבעות הצפון – המחלקה לשירותים חברתיים",
        "local_authority",
        "north",
        "",
        "he",
        "שירותי רווחה ביישובים קטנים ומרוחקים",
        "רחל אדלר",
        "מנהלת המחלקה",
        "rachel.adler@example.org",
        "04-555-0113",
        staff_size="21-50",
        volunteer_size="",
    ),
    "resilience": DemoOrganization(
        "חוסן בקהילה – מרכז לחוסן נפשי",
        NONPROFIT,
        "south",
        "שדרות",
        "he",
        "שירותי בריאות נפש לתושבי יישובי הספר",
        "ליאת כהן",
        "מנהלת קלינית",
        "liat.cohen@example.org",
        "050-555-0114",
        registration_number("58", 127_554),
        staff_size="21-50",
    ),
    "housing_coalition": DemoOrganization(
        "קואליציית הדיור בר-השגה",
        "coalition",
        "nationwide",
        "",
        "he",
        "דיור בר-השגה לזוגות צעירים ולמשפחות חד-הוריות",
        "גל שטרן",
        "רכז הקואליציה",
        "gal.stern@example.org",
        "053-555-0115",
        staff_size="1-5",
        volunteer_size="6-20",
        coalition_members=[
            ("שכנים טובים בבת ים", "roni.sasson@example.com"),
            ("פורום נשים בנגב", "orit.benhamo@example.org"),
            ("עמותת בית לכל משפחה", "info.bayit@example.com"),
        ],
    ),
    "nisaa": DemoOrganization(
        "جمعية نساء من أجل التغيير",
        NONPROFIT,
        "north",
        "الناصرة",
        "ar",
        "تمثيل النساء في المجالس المحلية",
        "سهى خوري",
        "مديرة",
        "suha.khoury@example.org",
        "052-555-0201",
        registration_number("58", 236_781),
        population_served="نساء عربيات في الجليل",
    ),
    "negev_youth": DemoOrganization(
        "مركز الشباب في النقب",
        NONPROFIT,
        "south",
        "رهط",
        "ar",
        "المواصلات العامة في البلدات البدوية",
        "محمد أبو عرار",
        "منسّق مشاريع",
        "mohammad.abuarar@example.org",
        "050-555-0202",
        registration_number("58", 344_609),
        contact_method="whatsapp",
        contact_times="بعد الظهر",
    ),
    "env_health": DemoOrganization(
        "جمعية البيئة والصحة",
        NONPROFIT,
        "haifa",
        "أم الفحم",
        "ar",
        "جودة الهواء قرب المناطق الصناعية",
        "رامي جبارين",
        "مدير",
        "rami.jabareen@example.org",
        "054-555-0203",
        registration_number("58", 452_318),
        staff_size="1-5",
    ),
    "parents": DemoOrganization(
        "منتدى أولياء الأمور في الطيبة",
        "grassroots",
        "center",
        "الطيبة",
        "ar",
        "الاكتظاظ في الصفوف ونقص الغرف الدراسية",
        "هبة مصاروة",
        "ناشطة",
        "hiba.masarwa@example.com",
        "052-555-0204",
        staff_size="0",
    ),
    "galil_coalition": DemoOrganization(
        "ائتلاف المواصلات في الجليل",
        "coalition",
        "north",
        "سخنين",
        "ar",
        "المواصلات العامة بين القرى والمدن في الجليل",
        "نزار غنايم",
        "منسّق الائتلاف",
        "nizar.ghanayem@example.org",
        "050-555-0205",
        staff_size="1-5",
        coalition_members=[
            ("جمعية نساء من أجل التغيير", "suha.khoury@example.org"),
            ("جمعية الشباب في سخنين", "shabab.sakhnin@example.com"),
            ("منتدى المواصلات العادلة", ""),
        ],
    ),
    "refugees": DemoOrganization(
        "Open Doors Refugee Aid",
        NONPROFIT,
        "tel_aviv",
        "Tel Aviv-Yafo",
        "en",
        "access to health services for asylum seekers",
        "Sarah Goldberg",
        "Director of Advocacy",
        "sarah.goldberg@example.org",
        "052-555-0301",
        registration_number("58", 561_772),
        population_served="Asylum seekers and migrant workers",
    ),
    "youth_bridges": DemoOrganization(
        "Jerusalem Youth Bridges",
        NONPROFIT,
        "jerusalem",
        "Jerusalem",
        "en",
        "shared youth programs across Jerusalem's neighborhoods",
        "Daniel Katz",
        "Program Director",
        "daniel.katz@example.org",
        registration_number("58", 679_045),
        staff_size="1-5",
    ),
}


# What a request says, per track and language: (goal, background, timing);
# two Hebrew variants per track, one in Arabic and English.
REQUEST_TEXTS = {
    "he": {
        "local-government": [
            (
                "לקדם מול העירייה ב{locality} תכנית עירונית בנושא {topic}, ולהבין מי "
                "ברשות מחליט ומתי.",
                "הצגנו את הנושא בפני מחזיקת התיק במועצה, אבל הדיון לא התקדם. אין לנו "
                "קשר עם הדרג המקצועי באגפים הרלוונטיים ואנחנו לא יודעים איך נכנסים "
                "לתכנית העבודה השנתית.",
                "דיוני התקציב העירוני לשנה הבאה מתחילים בעוד כחודשיים.",
            ),
            (
                "להכיר את עבודת השלטון המקומי והאשכול האזורי כדי למצוא הזדמנויות "
                "לקדם את הנושא {topic} באזור שלנו.",
                "הצוות שלנו חדש בעבודה מול רשויות. עד היום פעלנו בעיקר בשטח, מול "
                "הקהילה, ולא מול מקבלי ההחלטות.",
                "",
            ),
        ],
        "project-consulting": [
            (
                "לבנות תכנית פעולה לפרויקט שלנו בנושא {topic}: למקד את המטרה, למפות "
                "את השחקנים ולתכנן את הצעדים לשנה הקרובה.",
                "קיבלנו מענק לשנתיים. יש לנו ניסיון בעבודה ישירה עם האוכלוסייה, אבל "
                "זו הפעם הראשונה שאנחנו מנסים לשנות מדיניות.",
                "הפרויקט יוצא לדרך בתחילת הרבעון הבא.",
            ),
            (
                "ליווי בכמה פגישות לגיבוש אסטרטגיה לקידום הנושא {topic} מול משרד "
                "הממשלה האחראי.",
                "כתבנו נייר עמדה ושלחנו אותו למשרד, וקיבלנו תשובה כללית. אנחנו לא "
                "בטוחים מי הגורם הנכון לפנות אליו ובאיזה שלב.",
                "",
            ),
        ],
        "professional-development": [
            (
                "הכשרה לצוות החדש שלנו בכלים לקידום מדיניות: איך עובדת הכנסת, איך "
                "עובדים מול משרדי הממשלה ואיך ממפים שחקנים.",
                "גייסנו שתי רכזות מדיניות בחצי השנה האחרונה. לאף אחת מהן אין ניסיון "
                "קודם בתחום, והן עובדות על הנושא {topic}.",
                "",
            ),
            (
                "לזהות איפה הצוות שלנו צריך ללמוד ולהתפתח בעבודת קידום מדיניות, "
                "ולבנות תכנית למידה מותאמת.",
                "אנחנו עוסקים בנושא {topic} כבר כמה שנים, ועכשיו רוצים להוסיף לעבודה "
                "גם מישור של מדיניות.",
                "נשמח להתחיל לפני תחילת שנת הפעילות.",
            ),
        ],
        "strategic-planning": [
            (
                "תכנון אסטרטגי לשלוש השנים הקרובות, שבו קידום מדיניות בנושא {topic} "
                "יהיה אסטרטגיה מרכזית של הארגון.",
                "הוועד המנהל החליט להרחיב את פעילות הארגון מעבר למתן שירותים. אנחנו "
                "צריכים לבחון ולמקד מטרות ולבנות תכנית עבודה עם מעקב.",
                "ישיבת הוועד המנהל שתאשר את התכנית נקבעה לעוד שלושה חודשים.",
            ),
            (
                "לבחון מחדש את המטרות שלנו בנושא {topic} אחרי חילופי השלטון, ולגבש "
                "מסרים וצעדים מעשיים.",
                "השותפים שלנו במשרדי הממשלה התחלפו, וחלק מההישגים של השנים האחרונות "
                "בסכנה.",
                "",
            ),
        ],
        "crisis": [
            (
                "מרחב חשיבה לצוות ולהנהלה אחרי קיצוץ פתאומי בתקציב שמממן את "
                "הפעילות שלנו בנושא {topic}.",
                "ההודעה הגיעה לפני שבוע, בלי התראה. חלק מהתכניות ייסגרו בסוף החודש "
                "אם לא נמצא פתרון, והצוות מותש.",
                "הקיצוץ נכנס לתוקף בסוף החודש.",
            ),
            (
                "ליווי בזמן אמת אחרי מתקפה ברשתות החברתיות ובתקשורת על הארגון ועל "
                "הפעילות שלנו בנושא {topic}.",
                "כתבה שפורסמה השבוע הציגה את הארגון באופן מעוות. קיבלנו פניות "
                "מתורמים ומשותפים, ואנחנו לא יודעים אם להגיב ואיך.",
                "",
            ),
        ],
        "coalition": [
            (
                "אסטרטגיה משותפת לקואליציית ארגונים שפועלת בנושא {topic}: מיפוי "
                "הזירה, נקודות ההשפעה והשותפים, ותכנית עבודה משותפת.",
                "הארגונים נפגשים כבר חצי שנה, אבל כל אחד פועל לבד ואין חלוקת "
                "תפקידים ברורה.",
                "",
            ),
            (
                "לגבש את הקואליציה סביב הצעת חוק בנושא {topic} ולתכנן את העבודה מול "
                "חברי הכנסת והוועדה.",
                "הצעת החוק עברה בקריאה טרומית, והארגונים בקואליציה חלוקים על "
                "התיקונים שכדאי לבקש.",
                "הדיון בוועדה צפוי במושב הקרוב של הכנסת.",
            ),
        ],
        "climate-crisis": [
            (
                "להבין איפה משבר האקלים נוגע בעבודה שלנו בנושא {topic}, ולמפות "
                "הזדמנויות להשפיע על מעבר צודק לכלכלה דלת פחמן.",
                "בקיץ האחרון גלי החום פגעו קשה באוכלוסייה שאנחנו משרתים. אנחנו "
                "רוצים לפעול גם ברמת המדיניות ולא רק בסיוע.",
                "",
            ),
            (
                "תכנית עבודה עם מהלכים ושחקנים רלוונטיים, כדי שתכנית ההיערכות "
                "לשינויי האקלים של הרשות תתייחס לנושא {topic}.",
                "הרשות מכינה תכנית היערכות ראשונה, והזמינה ארגונים להעיר עליה.",
                "ההערות לתכנית נאספות עד סוף הרבעון.",
            ),
        ],
    },
    "ar": {
        "local-government": [
            (
                "الدفع ببرنامج بلدي في موضوع {topic} أمام السلطة المحلية في "
                "{locality}، وفهم من يتّخذ القرار ومتى.",
                "عرضنا الموضوع على رئيس السلطة المحلية وبعض أعضاء المجلس، لكن لم "
                "يحدث تقدّم. لا نعرف كيف ندخل إلى خطة العمل السنوية للسلطة.",
                "تبدأ نقاشات ميزانية السنة القادمة بعد نحو شهرين.",
            )
        ],
        "project-consulting": [
            (
                "بناء خطة عمل لمشروعنا في موضوع {topic}: تحديد الهدف، ورسم خارطة "
                "اللاعبين، وتخطيط الخطوات للسنة القادمة.",
                "حصلنا على منحة لمدة سنتين. لدينا خبرة في العمل المباشر مع الجمهور، "
                "لكنها المرة الأولى التي نعمل فيها على تغيير السياسات.",
                "",
            )
        ],
        "professional-development": [
            (
                "تأهيل طاقمنا الجديد بأدوات الدفع بالسياسات: كيف يعمل الكنيست، وكيف "
                "نعمل مع الوزارات، وكيف نرسم خارطة اللاعبين.",
                "انضمّت إلينا منسّقتان جديدتان تعملان في موضوع {topic}، ولا تملك أيّ "
                "منهما خبرة سابقة في هذا المجال.",
                "",
            )
        ],
        "strategic-planning": [
            (
                "تخطيط استراتيجي للسنوات الثلاث القادمة يكون فيه الدفع بالسياسات في "
                "موضوع {topic} استراتيجية مركزية للمنظمة.",
                "قرّرت الهيئة الإدارية توسيع عمل المنظمة إلى ما هو أبعد من تقديم "
                "الخدمات، ونحتاج إلى تحديد الأهداف وبناء خطة عمل ومتابعتها.",
                "",
            )
        ],
        "crisis": [
            (
                "مساحة تفكير للطاقم وللإدارة بعد تقليص مفاجئ في الميزانية التي تموّل "
                "عملنا في موضوع {topic}.",
                "وصلنا الإشعار قبل أسبوع دون إنذار مسبق. ستُغلق بعض البرامج في نهاية "
                "الشهر إذا لم نجد حلًّا.",
                "يدخل التقليص حيّز التنفيذ في نهاية الشهر.",
            )
        ],
        "coalition": [
            (
                "استراتيجية مشتركة لائتلاف منظمات يعمل في موضوع {topic}: رسم خارطة "
                "الساحة ونقاط التأثير والشركاء، وخطة عمل مشتركة.",
                "تلتقي المنظمات منذ نصف سنة، لكن كل منظمة تعمل وحدها ولا يوجد توزيع "
                "واضح للأدوار.",
                "",
            )
        ],
        "climate-crisis": [
            (
                "فهم أين تلامس أزمة المناخ عملنا في موضوع {topic}، ورسم خارطة الفرص "
                "للتأثير على انتقال عادل إلى اقتصاد منخفض الكربون.",
                "ألحقت موجات الحرّ في الصيف الماضي ضررًا كبيرًا بالجمهور الذي نخدمه، "
                "ونريد أن نعمل على مستوى السياسات أيضًا.",
                "",
            )
        ],
    },
    "en": {
        "local-government": [
            (
                "Advance a municipal program on {topic} with the local authority in "
                "{locality}, and understand who decides and when.",
                "We presented the issue to the deputy mayor, but nothing moved. We "
                "have no contact with the professional staff in the departments.",
                "The municipal budget talks for next year start in about two months.",
            )
        ],
        "project-consulting": [
            (
                "Build an action plan for our project on {topic}: focus the goal, "
                "map the players and plan the steps for the coming year.",
                "We received a two-year grant. We have long experience working "
                "directly with the community, but this is our first attempt to "
                "change policy.",
                "",
            )
        ],
        "professional-development": [
            (
                "Training for our new staff in policy advocacy tools: how the "
                "Knesset works, how to work with government ministries, and how to "
                "map players.",
                "Two new coordinators joined us this year to work on {topic}; "
                "neither has worked on policy before.",
                "",
            )
        ],
        "strategic-planning": [
            (
                "Strategic planning for the next three years, with policy advocacy "
                "on {topic} as a central strategy of the organization.",
                "Our board decided to go beyond direct services. We need to focus "
                "our goals and build a work plan we can follow.",
                "The board meets to approve the plan in three months.",
            )
        ],
        "crisis": [
            (
                "A thinking space for our team after a sudden cut to the budget "
                "that funds our work on {topic}.",
                "The notice came a week ago without warning. Some programs will "
                "close at the end of the month unless we find a solution.",
                "The cut takes effect at the end of the month.",
            )
        ],
        "coalition": [
            (
                "A joint strategy for a coalition of organizations working on "
                "{topic}: the arena, points of influence, partners and a shared "
                "work plan.",
                "The organizations have met for six months, but each still works "
                "alone and the roles are unclear.",
                "",
            )
        ],
        "climate-crisis": [
            (
                "Understand where the climate crisis touches our work on {topic}, "
                "and map opportunities to influence a just transition to a "
                "low-carbon economy.",
                "Last summer's heat waves hit the people we serve hard.",
                "",
            )
        ],
    },
}

# What the people in a request's history write, in the organization's
# language (notes to staff are in Hebrew, the staff's language).
WORDS = {
    "he": {
        "message": "שלום {name}, תודה על הפנייה. אשמח לקבוע פגישת היכרות ראשונה. "
        "אילו מועדים נוחים לכם בשבוע הבא?",
        "reply": "תודה! נוח לנו ביום שלישי או רביעי בבוקר. נצרף גם את רכזת התכניות.",
        "waiting": "ממתינים לתכנית העבודה השנתית ולרשימת השותפים שהארגון הבטיח לשלוח.",
        "summary": "פגישת היכרות: מיקדנו את המטרה, מיפינו את השחקנים המרכזיים "
        "וסיכמנו על צעדים ראשונים.",
        "completed": "הליווי הסתיים: לארגון יש תכנית עבודה מוסכמת ומפת שחקנים, "
        "ונקבעה שיחת מעקב בעוד שלושה חודשים.",
        "declined": "תודה על הפנייה. הפנייה עוסקת בגיוס משאבים ולא בקידום מדיניות, "
        "ולכן היא אינה מתאימה למסלולי הייעוץ שלנו. נשמח לעזור אם תרצו לקדם "
        "שינוי מדיניות בנושא.",
        "withdrawn": "קיבלנו ליווי דרך תכנית אחרת. תודה רבה!",
        "place": "משרדי הארגון",
        "feedback": "הליווי עזר לנו לעשות סדר ולהבין מול מי לעבוד. תודה!",
    },
    "ar": {
        "message": "مرحبًا {name}، شكرًا على طلبكم. يسعدني أن نحدّد لقاء تعارف أوّل. "
        "ما المواعيد المناسبة لكم في الأسبوع القادم؟",
        "reply": "شكرًا! يناسبنا يوم الثلاثاء أو الأربعاء صباحًا، وستنضمّ إلينا "
        "منسّقة البرامج.",
        "waiting": "ننتظر خطة العمل السنوية وقائمة الشركاء التي وعدت المنظمة بإرسالها.",
        "summary": "لقاء تعارف: حدّدنا الهدف ورسمنا خارطة اللاعبين الأساسيين واتفقنا "
        "على الخطوات الأولى.",
        "completed": "انتهت المرافقة: لدى المنظمة خطة عمل متّفق عليها وخارطة "
        "لاعبين، وحدّدنا مكالمة متابعة بعد ثلاثة أشهر.",
        "declined": "شكرًا على طلبكم. يتناول الطلب تجنيد الموارد وليس الدفع "
        "بالسياسات، ولذلك لا يلائم مسارات الاستشارة لدينا. يسعدنا أن نساعد إذا "
        "أردتم الدفع بتغيير في السياسات.",
        "withdrawn": "حصلنا على مرافقة من خلال برنامج آخر. شكرًا جزيلًا!",
        "place": "مكاتب المنظمة",
        "feedback": "ساعدتنا المرافقة على ترتيب أولوياتنا وفهم مع من نعمل. شكرًا!",
    },
    "en": {
        "message": "Hello {name}, thank you for your request. I would be glad to "
        "set a first meeting. Which times suit you next week?",
        "reply": "Thank you! Tuesday or Wednesday morning works for us; our "
        "program coordinator will join.",
        "waiting": "Waiting for the annual work plan and the list of partners the "
        "organization promised to send.",
        "summary": "First meeting: we focused the goal, mapped the main players "
        "and agreed on first steps.",
        "completed": "The consultation ended: the organization has an agreed work "
        "plan and a map of players, with a follow-up call in three months.",
        "declined": "Thank you for your request. It is about fundraising rather "
        "than policy advocacy, so it does not fit our consulting tracks. We would "
        "be glad to help if you want to advance a policy change.",
        "withdrawn": "We found support through another program. Many thanks!",
        "place": "The organization's office",
        "feedback": "The consultation helped us set priorities and see whom to "
        "work with. Thank you!",
    },
}

INTERNAL_NOTE = "הארגון פנה אלינו גם בעבר; כדאי לעיין בסיכום הליווי הקודם."

# The requests, oldest first: (organization, track, text variant, what
# happens to it, days ago submitted, advisor). What happens:
# completed, declined (by the coordinator after review), declined_by_advisor,
# withdrawn (before assignment), withdrawn_after_assignment, new, in_triage,
# assigned, in_progress, waiting.
Y, S, D, R, A = (advisor.username for advisor in ADVISORS)
REQUESTS = [
    ("gesher", "project-consulting", 0, "completed", 785, Y),
    ("nisaa", "local-government", 0, "completed", 760, S),
    ("food", "crisis", 0, "completed", 730, R),
    ("olim", "strategic-planning", 0, "completed", 700, Y),
    ("food", "project-consulting", 1, "declined", 690, None),
    ("green_galil", "climate-crisis", 0, "completed", 670, D),
    ("housing_coalition", "coalition", 0, "completed", 640, R),
    ("special_ed", "professional-development", 0, "completed", 600, A),
    ("env_health", "local-government", 0, "completed", 565, S),
    ("elders", "strategic-planning", 1, "withdrawn", 560, None),
    ("youth_home", "project-consulting", 1, "completed", 520, A),
    ("refugees", "strategic-planning", 0, "completed", 480, Y),
    ("elders", "local-government", 1, "completed", 450, S),
    ("batyam", "strategic-planning", 0, "declined", 430, None),
    ("negev_women", "local-government", 0, "completed", 410, D),
    ("resilience", "crisis", 1, "completed", 380, R),
    ("jaffa", "project-consulting", 0, "completed", 350, Y),
    ("parents", "professional-development", 0, "completed", 320, R),
    ("negev_youth", "project-consulting", 0, "declined_by_advisor", 300, S),
    ("climate_pbc", "climate-crisis", 1, "completed", 280, D),
    ("special_ed", "local-government", 0, "withdrawn_after_assignment", 260, D),
    ("employment", "strategic-planning", 1, "completed", 240, Y),
    ("galil_coalition", "coalition", 0, "completed", 200, S),
    ("jaffa", "climate-crisis", 0, "declined", 170, None),
    ("batyam", "local-government", 1, "completed", 150, D),
    ("youth_bridges", "professional-development", 0, "completed", 110, A),
    ("youth_home", "crisis", 0, "withdrawn", 90, None),
    ("gesher", "strategic-planning", 1, "completed", 60, Y),
    ("olim", "professional-development", 1, "declined_by_advisor", 45, Y),
    ("youth_home", "professional-development", 1, "in_progress", 40, Y),
    ("refugees", "project-consulting", 1, "withdrawn_after_assignment", 35, Y),
    ("council", "strategic-planning", 0, "in_progress", 35, D),
    ("batyam", "project-consulting", 1, "in_progress", 30, A),
    ("jaffa", "local-government", 0, "in_progress", 25, S),
    ("council", "local-government", 1, "completed", 25, S),
    ("parents", "local-government", 1, "in_progress", 22, S),
    ("food", "strategic-planning", 1, "in_progress", 20, Y),
    ("negev_youth", "climate-crisis", 1, "in_progress", 18, D),
    ("housing_coalition", "coalition", 1, "waiting", 16, R),
    ("refugees", "crisis", 1, "in_progress", 12, R),
    ("nisaa", "strategic-planning", 1, "waiting", 11, R),
    ("climate_pbc", "climate-crisis", 0, "waiting", 10, A),
    ("gesher", "professional-development", 0, "waiting", 9, Y),
    ("employment", "project-consulting", 1, "waiting", 9, Y),
    ("negev_youth", "local-government", 1, "new", 9, None),
    ("green_galil", "project-consulting", 1, "waiting", 8, A),
    ("olim", "project-consulting", 0, "assigned", 7, R),
    ("galil_coalition", "coalition", 1, "assigned", 6, S),
    ("green_galil", "local-government", 0, "new", 6, None),
    ("env_health", "climate-crisis", 1, "assigned", 5, D),
    ("youth_bridges", "project-consulting", 0, "in_triage", 5, None),
    ("elders", "professional-development", 0, "assigned", 4, A),
    ("climate_pbc", "strategic-planning", 0, "in_triage", 4, None),
    ("gesher", "crisis", 1, "assigned", 3, Y),
    ("nisaa", "professional-development", 0, "in_triage", 3, None),
    ("housing_coalition", "coalition", 1, "new", 2, None),
    ("employment", "professional-development", 0, "in_triage", 2, None),
    ("resilience", "crisis", 0, "new", 1.5, None),
    ("parents", "strategic-planning", 0, "new", 0.6, None),
    ("special_ed", "project-consulting", 1, "new", 0.2, None),
]

# What the completed requests achieved, in turn by their place in REQUESTS
# (the outcome's note is for staff, so in Hebrew).
OUTCOMES = [
    ("plan_in_place", "לארגון יש תכנית עבודה מוסכמת, עם צעדים ואחראים לכל צעד."),
    ("policy_adopted", "הרשות אימצה את נוהל ההנגשה שהארגון הציע בוועדה."),
    ("skills_gained", "הצוות למד למפות שחקנים ולבנות תכנית לקידום מדיניות בעצמו."),
    ("decision_changed", "הוועדה ביטלה את הקיצוץ המתוכנן בעקבות נייר העמדה."),
    ("nothing_yet", "ההצבעה נדחתה לשנה הבאה; נקבעה שיחת מעקב בעוד שלושה חודשים."),
]


def demo_outcome(number: int) -> tuple[str, str]:
    """The outcome (kind, note) of the completed request at `number`."""
    return OUTCOMES[number % len(OUTCOMES)]


# Completed requests (by their place in REQUESTS) whose organization answered
# the feedback form: (satisfaction 1-5, reached the goal, would recommend).
FEEDBACK = {
    12: (5, "yes", True),
    16: (4, "partly", True),
    21: (5, "yes", True),
    25: (3, "partly", False),
    27: (4, "yes", True),
    34: (5, "yes", True),
}

# The checklist of policy tools (issue 18). Some of the demo `advisor`
# account's requests (by their place in REQUESTS) have a checklist profile,
# and two were taken again after completion, so that the profile shows the
# change per tool and the dashboard shows growth. Each taking is one
# character per tool in the order of consultations/seed/policy_tools.json:
# 1 "not yet" … 4 "strong and routine", ? "don't know"; then the tools the
# organization relies on partners for.
CHECKLISTS = {
    # youth_home, professional development, in progress: on the request form.
    29: [("12?1211121321?1122", {"coalitions", "legal-tools"})],
    # gesher, professional development, waiting: from the status page.
    42: [("231212?132431?2211", {"data-research"})],
    # gesher, strategic planning, completed: taken again at the end.
    27: [
        ("221111212232221112", {"media", "legal-tools"}),
        ("343223322333221223", {"legal-tools"}),
    ],
    # employment, strategic planning, completed: taken again at the end.
    21: [
        ("1211?1112221?11111", {"coalitions"}),
        ("2322?2122332?22212", {"coalitions"}),
    ],
}

# Tools each demo advisor is listed as experienced with (the admin's policy
# tools), which the advisor suggestion reads against a request's needs.
TOOL_EXPERTISE = {
    "advisor": ["policy-goal", "strategy-and-plan", "knesset", "elected-officials"],
    "samir.haddad": ["local-government", "community", "coalitions"],
    "dana.mizrahi": ["data-research", "local-government", "evaluation"],
    "rana.abusaleh": ["coalitions", "crisis-readiness", "media"],
    "avi.bendavid": ["social-media", "media", "messaging", "protest"],
}

# The map of the players (issue 18) on some of the demo `advisor` account's
# open requests: (name, kind, stance, influence, interest, relationship),
# in the organization's language. PLAYER_TARGETS names, per step of the
# plan (by position), the players it targets; the last key player is left
# with no step, so that the map's "key players with no step" shows one.
DEMO_PLAYERS = {
    "he": [
        ("ראש העירייה", "local_authority", "neutral", 5, 3, "פגישה אחת לפני שנה"),
        ("ועדת החינוך של הכנסת", "knesset", "supports", 4, 4, "חברת כנסת מכירה אותנו"),
        ("משרד הרווחה, המחוז", "ministry", "unknown", 4, 2, ""),
        ("מחלקת הרווחה העירונית", "local_authority", "supports", 3, 5, "עבודה שוטפת"),
        ("אשכול רשויות הגליל המערבי", "regional_cluster", "neutral", 3, 2, ""),
        ("העיתון המקומי", "media", "neutral", 2, 4, "כתבת אחת מכירה את הנושא"),
        ("פורום ההורים העירוני", "civil_society", "supports", 2, 5, "שותפים"),
        ("חברת ההסעות", "business", "opposes", 2, 3, "אין קשר"),
        ("סגן ראש העירייה לתקציב", "local_authority", "opposes", 5, 4, "אין קשר"),
    ],
    "ar": [
        ("رئيس البلدية", "local_authority", "neutral", 5, 3, "لقاء واحد قبل عام"),
        ("لجنة التربية في الكنيست", "knesset", "supports", 4, 4, "عضوة كنيست تعرفنا"),
        ("وزارة الرفاه، اللواء", "ministry", "unknown", 4, 2, ""),
        ("قسم الرفاه في البلدية", "local_authority", "supports", 3, 5, "عمل جارٍ"),
        ("عنقود سلطات الجليل", "regional_cluster", "neutral", 3, 2, ""),
        ("الصحيفة المحلية", "media", "neutral", 2, 4, "صحفية تعرف القضية"),
        ("منتدى الأهالي", "civil_society", "supports", 2, 5, "شركاء"),
        ("شركة السفريات", "business", "opposes", 2, 3, "لا تواصل"),
        ("نائب رئيس البلدية للميزانية", "local_authority", "opposes", 5, 4, "لا تواصل"),
    ],
    "en": [
        ("The mayor", "local_authority", "neutral", 5, 3, "One meeting a year ago"),
        (
            "The Knesset Education Committee",
            "knesset",
            "supports",
            4,
            4,
            "An MK knows us",
        ),
        ("Ministry of Welfare, district office", "ministry", "unknown", 4, 2, ""),
        (
            "The city's welfare department",
            "local_authority",
            "supports",
            3,
            5,
            "Day-to-day work",
        ),
        (
            "Western Galilee cluster of authorities",
            "regional_cluster",
            "neutral",
            3,
            2,
            "",
        ),
        ("The local paper", "media", "neutral", 2, 4, "A reporter knows the issue"),
        ("The city's parents' forum", "civil_society", "supports", 2, 5, "Partners"),
        ("The bus company", "business", "opposes", 2, 3, "No contact"),
        (
            "Deputy mayor for the budget",
            "local_authority",
            "opposes",
            5,
            4,
            "No contact",
        ),
    ],
}
PLAYER_TARGETS = {0: [0, 3], 1: [1], 2: [2, 5]}
