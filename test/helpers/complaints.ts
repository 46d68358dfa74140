/** Words of synthetic complaints for load and fault tests (varied enough to open many incidents). */
export const PLACES = ['Абакане', 'Черногорске', 'Саяногорске', 'Абазе', 'Сорске', 'Усть-Абакане', 'Шире'];
export const PROBLEMS = [
  'нет горячей воды в доме',
  'не вывозят мусор со двора',
  'огромная яма на дороге у дома',
  'автобус не пришёл, ждали час, у дома',
  'не горят фонари во дворе дома',
  'в подъезде прорвало трубу, дом',
];
