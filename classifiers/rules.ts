/** Hand-written rules: sub-topics, priority and keyword cues. Pure regular expressions over lowercased text. */
import type { TopicCode } from '../src/domain/types';

/** Anchors every alternative of a pattern at a word start (JS \\b does not know Cyrillic). */
function wb(re: RegExp): RegExp {
  return new RegExp(`(?<![а-я0-9])(?:${re.source})`, re.flags);
}

/** A sub-topic of a topic code, with the Russian name shown to people. */
export interface Subtopic {
  code: string;
  topic: TopicCode;
  name: string;
  pattern: RegExp;
}

/** Sub-topics (our short list, after the control-centre rubricator); first match within the topic wins. */
export const SUBTOPICS: Subtopic[] = ([
  { code: 'heating', topic: 'housing', name: 'Отопление', pattern: /отоплен|батаре|радиатор|теплотрасс|тепл(о|а)(?![а-я])|котельн|холодно в (квартир|дом|дет)|не топ|топят/ },
  { code: 'hot-water', topic: 'housing', name: 'Горячее водоснабжение', pattern: /горяч\S* вод|гвс|кипят/ },
  { code: 'water', topic: 'housing', name: 'Холодное водоснабжение', pattern: /холодн\S* вод|нет воды|без воды|воды нет|вод(а|у) (не идет|отключ|ржав|грязн|мутн|коричн|желт|воняет)|напор|водопровод|водокан|колонк/ },
  { code: 'sewage', topic: 'housing', name: 'Водоотведение, канализация', pattern: /канализац|засор|стоки|фекал|выгребн|септик|нечистот|водоотвед/ },
  { code: 'electricity', topic: 'housing', name: 'Электроснабжение', pattern: /(нет|без|отключ\S*|пропал\S*|выбивает|мигает|скач\S*) (\S+ )?(свет|электр)|свет(а)? нет|электричеств|электроэнерг|напряжени|проводк|щиток|подстанц/ },
  { code: 'gas', topic: 'housing', name: 'Газоснабжение', pattern: /газ(а|ом|у)?(?![а-я])|газов|газопровод/ },
  { code: 'elevator', topic: 'housing', name: 'Лифты', pattern: /лифт/ },
  { code: 'roof', topic: 'housing', name: 'Кровля и фасад', pattern: /крыш|кровл|протека\S* потол|потол\S* теч|чердак|фасад|водосточн/ },
  { code: 'entrance', topic: 'housing', name: 'Подъезды и общее имущество', pattern: /подъезд|парадн|лестнич|домофон|почтов\S* ящ|мусоропровод|подвал|тамбур|входн\S* двер/ },
  { code: 'management', topic: 'housing', name: 'Управляющие компании и платежи', pattern: /управляющ|(^|[^а-я])ук([^а-я]|$)|квитанц|тариф|перерасчет|жкх|капремонт|капитальн\S* ремонт|аварийн\S* (дом|жиль)|расселен|ветх/ },
  { code: 'pothole', topic: 'roads', name: 'Ямы и состояние покрытия', pattern: /ям(а|ы|у|ой|ами|ах|ищ)|выбоин|колдоб|асфальт|покрыти|разбит\S* дорог|дорог\S* разбит|грейдер|щебен|гравийк/ },
  { code: 'snow', topic: 'roads', name: 'Уборка снега и гололёд', pattern: /снег|сугроб|гололед|наледь|скользк|посып|пескосол|чист\S* дорог|колея/ },
  { code: 'traffic', topic: 'roads', name: 'Организация дорожного движения', pattern: /светофор|пешеходн\S* переход|зебр|разметк|дорожн\S* знак|лежач\S* полиц|искусствен\S* неровн|пробк|парковк/ },
  { code: 'sidewalk', topic: 'roads', name: 'Тротуары', pattern: /тротуар|пешеходн\S* дорожк/ },
  { code: 'bridge', topic: 'roads', name: 'Мосты', pattern: /мост(?!ик)/ },
  { code: 'container-site', topic: 'waste', name: 'Контейнерные площадки', pattern: /контейнер|баки|бак(а|ов|ам)|мусорк|площадк\S* (для|под) мусор/ },
  { code: 'collection', topic: 'waste', name: 'Вывоз ТКО', pattern: /вывоз|не вывоз|не забира|мусоровоз|тко|региональн\S* оператор|регоператор|мусорн\S* реформ/ },
  { code: 'dump', topic: 'waste', name: 'Несанкционированные свалки', pattern: /свалк|навал|строительн\S* мусор|покрыш|хлам/ },
  { code: 'bus', topic: 'transport', name: 'Общественный транспорт', pattern: /автобус|маршрут|маршрутк|троллейбус|трамва|остановк|водител|кондуктор|расписани|рейс|проезд(ной|а стоимост)|электричк/ },
  { code: 'taxi', topic: 'transport', name: 'Такси', pattern: /такси/ },
  { code: 'polyclinic', topic: 'healthcare', name: 'Поликлиники и запись к врачу', pattern: /поликлиник|запис\S* к (врач|терапевт|специалист)|талон|регистратур|терапевт|участков|фап|фельдшер|амбулатор/ },
  { code: 'ambulance', topic: 'healthcare', name: 'Скорая помощь', pattern: /скор(ая|ую|ой)(?![а-я])/ },
  { code: 'medicines', topic: 'healthcare', name: 'Лекарственное обеспечение', pattern: /лекарств|льготн\S* препарат|инсулин|аптек|рецепт/ },
  { code: 'hospital', topic: 'healthcare', name: 'Больницы', pattern: /больниц|стационар|роддом|приемн\S* покое|врач|медик|медицин/ },
  { code: 'kindergarten', topic: 'education', name: 'Детские сады', pattern: /детск\S* сад|детсад|садик|ясл|очеред\S* в сад/ },
  { code: 'school', topic: 'education', name: 'Школы', pattern: /школ|учител|урок|класс|гимнази|лице[йя]|школьн\S* автобус|питани\S* в школ/ },
  { code: 'lighting', topic: 'landscaping', name: 'Уличное освещение', pattern: /фонар|освещени|не горит|темно/ },
  { code: 'playground', topic: 'landscaping', name: 'Детские и спортивные площадки', pattern: /детск\S* площадк|площадк|качел|горк|песочниц|турник/ },
  { code: 'greenery', topic: 'landscaping', name: 'Зелёные насаждения', pattern: /дерев|ветк|кустарн|газон|покос|трава|тополь|спил|аварийн\S* дерев/ },
  { code: 'yard', topic: 'landscaping', name: 'Дворы и общественные пространства', pattern: /двор|сквер|парк|лавочк|скамейк|урн|благоустр|лужа|лужи|грязь|граффити|надпис/ },
  { code: 'stray-animals', topic: 'safety', name: 'Безнадзорные животные', pattern: /собак|бродяч|безнадзорн|стая|покусал|отлов/ },
  { code: 'public-order', topic: 'safety', name: 'Общественный порядок', pattern: /пьян|драк|шум|громк\S* музык|хулиган|наркоман|закладчик|притон|полици|участков\S* уполномоч/ },
  { code: 'fire', topic: 'safety', name: 'Пожарная безопасность', pattern: /пожар|горит|поджог|пал травы|возгоран/ },
  { code: 'traffic-safety', topic: 'safety', name: 'Безопасность дорожного движения', pattern: /гонщик|гоняют|дрифт|превыша|сбил|дтп/ },
  { code: 'air', topic: 'ecology', name: 'Загрязнение воздуха', pattern: /смог|дым|гарь|выброс|дышать|воздух|печн\S* отоплен|угол[ья]? жгут|черное небо/ },
  { code: 'water-bodies', topic: 'ecology', name: 'Загрязнение водоёмов', pattern: /рек[аиеу]|озер|енисе|пляж|берег|слив\S* в рек|сброс/ },
  { code: 'forest', topic: 'ecology', name: 'Леса и вырубка', pattern: /вырубк|лес(а|ной)?(?![а-я])|лесозаготов|браконь/ },
  { code: 'benefits', topic: 'social', name: 'Пособия и выплаты', pattern: /пособи|выплат|пенси|субсиди|льгот|материнск|соцзащит|социальн\S* защит|мфц|пфр|сфр|соцфонд/ },
  { code: 'disabled', topic: 'social', name: 'Доступная среда', pattern: /инвалид|пандус|колясоч|маломобильн/ },
  { code: 'housing-support', topic: 'social', name: 'Жильё для нуждающихся', pattern: /сирот|многодетн|очеред\S* на жиль|соцнайм|ветеран/ },
  { code: 'bureaucracy', topic: 'other', name: 'Работа органов власти с обращениями', pattern: /отпис|(обращени\S*|жалоб\S*|письм\S*) (\S+ )?не ответ|не ответили на|ответа нет|игнорир|дозвон\S* (в|до) администрац|чиновник|бюрократ|волокит/ },
  { code: 'trade', topic: 'other', name: 'Торговля и услуги', pattern: /магазин|обвес|просрочк|продавц|почт(а|е|у|ы|ов)(?![а-я])|почтальон/ },
  { code: 'telecom', topic: 'other', name: 'Связь и интернет', pattern: /интернет|связи|сотов|вышк|мобильн\S* связ/ },
] as Subtopic[]).map((s) => ({ ...s, pattern: wb(s.pattern) }));

const OUTAGE =
  /(нет|без|отключ\S*|отсутств\S*|пропал\S*|не да(ют|ли)|не подают|перекрыл\S*|вырубил\S*)\s+(\S+\s+){0,2}?(отоплени|тепл[ао]|горяч\S* вод|холодн\S* вод|вод[ыау]|свет[ау]?(?![а-я])|электр|газ)/;
const OUTAGE_ALT = wb(
  /(отоплени|свет|вод[аы]|газ|электричеств)\S* (не (работает|дают|идет|подают|включили)|отключ|пропал)|(горяч\S*|холодн\S*)? ?(вод\S*|свет\S*|отоплени\S*|электричеств\S*) (так и )?нет|горяч\S* нет|(батаре\S*|радиатор\S*) (ледян|холодн)|холодн\S* батаре|в квартир\S* (холодно|\+\s?1\d)|дома \+\s?1\d|(свет|вода|отопление|тепло) (отключ|пропал)|(замерза|мерзнем|мерзнут)|сидим (без|в темноте)/);
const WINTER = wb(/мороз|минус\s?\d|-\s?[1-4]\d(?!\d)|зим[аеуы]|холод(а|ина)|замерза|мерзн|в куртках|в шубах/);
const DANGER = wb(
  /угроз\S* (жизни|здоровью)|опасн\S* для жизни|опасно для|может (кого-?то )?(убить|придавить|покалечить)|чуть не (упал|сбил|погиб|убил|задавил)|оборван\S* провод|провод\S* (висят|висит|оборван|на земле|искрит)|искрит|открыт\S* люк|люк открыт|без крышки|провалил\S*|обрушил\S*|обрушени|обвал|треснул\S* стен|трещин\S* (в|по) стен|аварийн\S* (дом|дерев|состояни)|упад[её]т|рухнет|сосульк|наледь на крыш|глыб|утечк\S* газа|запах газа|пахнет газом|газом пахнет|газ(ом)? воняет|задыха|отравлен|покусал|напал\S* (собак|стая)|стая собак|бешен|тонет|утонул|провал(ился|ились) под л|(ребен|дети|девочк|мальчик|человек)\S* (упал|провалил|травм|пострадал)|травмир|сбил\S*|пострадав|угроза/);
const EMERGENCY = wb(
  /пожар|горит (дом|здани|мусор|трава|лес|склад|гараж)|возгоран|задымлени|авари[яиюей]|прорыв\S*|прорвал\S*|порыв\S*|затопил\S*|затоплен|подтоплен|потоп|паводок|наводнени|фонтан\S* (кипят|вод)|кипяток (хлещ|бьет|течет)|чс(?![а-я])|чрезвычайн|взрыв|эвакуац|скор\S* отказал|скор\S* (\S+ ){0,3}(ехал\S*|едет|добирал\S*) (\S+ )?(час|\d|два|три|полтора|сорок)|скор\S* (не приех|не едет|ехала|ехал\S* (час|\d))|не (приехала|доехала) скор|умер|погиб|смерт/);
const CHILDREN = /дет(и|ей|ям|ьми|ях|ский|ская|ское|ские|ского|ской|ских)(?![а-я])|реб[её]н|школьник|малыш|младен|грудн\S* ребен|ученик|дошкольник/;
const CHILD_RISK = wb(
  /опасн|собак|люк|провод|упал|травм|угроз|без присмотра|бродяч|пострада|сбил|отравлен|ходят по (дороге|проезжей)|через трассу|нет тротуара|лед|сосульк|стекл|гвозд|арматур|открыт|без света|холодно|замерза|не кормят|голод|ледян|нет отоплен|без отоплен|мерзнут|просроч/);
const MASS = wb(/весь (дом|город|район|микрорайон|поселок|квартал)|вся (улица|деревня)|все (дома|село|жители)|несколько (домов|улиц)|полгорода|пол города|целый (район|микрорайон|квартал)|сотни (людей|семей)|тысячи (людей|семей|жителей)/);

/** Priority with the reasons that raised it; only a complaint can be high (news of an accident is not). */
export function priorityOf(lower: string, isComplaint: boolean): { high: boolean; reasons: string[] } {
  const reasons: string[] = [];
  const outage = OUTAGE.exec(lower) ?? OUTAGE_ALT.exec(lower);
  if (outage) {
    reasons.push(`outage:${outage[0].trim()}`);
    const winter = WINTER.exec(lower);
    if (winter) {
      reasons.push(`winter:${winter[0].trim()}`);
    }
  }
  const danger = DANGER.exec(lower);
  if (danger) {
    reasons.push(`danger:${danger[0].trim()}`);
  }
  const emergency = EMERGENCY.exec(lower);
  if (emergency) {
    reasons.push(`emergency:${emergency[0].trim()}`);
  }
  const child = CHILDREN.exec(lower);
  if (child) {
    const risk = CHILD_RISK.exec(lower);
    if (risk) {
      reasons.push(`children:${child[0]}+${risk[0]}`);
    }
  }
  const mass = MASS.exec(lower);
  if (mass && reasons.length === 0 && isComplaint) {
    reasons.push(`mass:${mass[0]}`);
  } else if (mass) {
    reasons.push(`mass:${mass[0]}`);
  }
  const high = reasons.length > 0 && isComplaint;
  return { high, reasons: high ? reasons : [] };
}

/** The first sub-topic of `topic` whose pattern matches, or null. */
export function subtopicOf(lower: string, topic: TopicCode | null): Subtopic | null {
  if (!topic) {
    return null;
  }
  for (const s of SUBTOPICS) {
    if (s.topic === topic && s.pattern.test(lower)) {
      return s;
    }
  }
  return null;
}

/** Codes of the sub-topics whose patterns match (model features). */
export function matchedSubtopics(lower: string): string[] {
  return SUBTOPICS.filter((s) => s.pattern.test(lower)).map((s) => s.code);
}

/** Keyword topic votes: how many sub-topic patterns of each topic match (fallback and model features). */
export function keywordTopics(lower: string): Map<TopicCode, string[]> {
  const votes = new Map<TopicCode, string[]>();
  for (const s of SUBTOPICS) {
    const m = s.pattern.exec(lower);
    if (m) {
      const list = votes.get(s.topic) ?? [];
      list.push(m[0].trim());
      votes.set(s.topic, list);
    }
  }
  return votes;
}

/** Cue words of complaints and of non-complaints, used as model features and by the fallback. */
export const COMPLAINT_CUES =
  /(^|[^а-я])(нет|не работа\S*|не гор\S*|сломан\S*|сломал\S*|разбит\S*|когда (уже|же|наконец)|сколько (можно|еще)|доколе|безобрази\S*|беспредел|ужас\S*|кошмар|невозможно|надоел\S*|достал\S*|помогите|примите меры|разберитесь|обращаемся|жалоб\S*|жалуемся|не реагиру\S*|бездейств\S*|никто не|третий|неделю|месяц|опять|снова|до сих пор|так и не)([^а-я]|$)/;
export const NON_COMPLAINT_CUES =
  /(^|[^а-я])(спасибо|благодар\S*|молодцы|оперативно|починили|отремонтировали|убрали|вывезли|дали свет|дали воду|дали отопление|подключили|поздравля\S*|с праздником|продам|продаю|прода[её]тся|куплю|сдам|сдаю|сда[её]тся|торг|скидк\S*|акци[яи]|подписывайтесь|розыгрыш|приглашаем|состоится|уважаемые жители|информируем|сообщаем|будет отключ\S*|плановое отключ\S*|отключат|график|расписание|вакансия|требуются)([^а-я]|$)/;
