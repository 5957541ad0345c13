/**
 * Names of administrative regions (行政区划, GB/T 2260 codes) for the kiosk's region picker: every
 * province-level region, the prefecture-level cities of 长三角 (the kiosks' home), and the districts
 * and counties of Shanghai and of the Anhui cities the demo catalog serves. A `region` field accepts
 * any six-digit code (field-check.ts); a code not listed here is typed in on the kiosk's keypad and
 * shown by its number.
 */

export interface Region {
  readonly code: string;
  readonly name: string;
  /** The enclosing region's code; null for a province-level one. */
  readonly parent: string | null;
}

const PROVINCES: readonly (readonly [string, string])[] = [
  ['110000', '北京市'], ['120000', '天津市'], ['130000', '河北省'], ['140000', '山西省'], ['150000', '内蒙古自治区'],
  ['210000', '辽宁省'], ['220000', '吉林省'], ['230000', '黑龙江省'], ['310000', '上海市'], ['320000', '江苏省'],
  ['330000', '浙江省'], ['340000', '安徽省'], ['350000', '福建省'], ['360000', '江西省'], ['370000', '山东省'],
  ['410000', '河南省'], ['420000', '湖北省'], ['430000', '湖南省'], ['440000', '广东省'], ['450000', '广西壮族自治区'],
  ['460000', '海南省'], ['500000', '重庆市'], ['510000', '四川省'], ['520000', '贵州省'], ['530000', '云南省'],
  ['540000', '西藏自治区'], ['610000', '陕西省'], ['620000', '甘肃省'], ['630000', '青海省'], ['640000', '宁夏回族自治区'],
  ['650000', '新疆维吾尔自治区'], ['710000', '台湾省'], ['810000', '香港特别行政区'], ['820000', '澳门特别行政区'],
];

/** Children by parent code, in code order. Shanghai's districts hang directly off 310000 (its 市辖区 level is skipped). */
const CHILDREN: Readonly<Record<string, string>> = {
  '310000':
    '310101 黄浦区|310104 徐汇区|310105 长宁区|310106 静安区|310107 普陀区|310109 虹口区|310110 杨浦区|310112 闵行区|310113 宝山区|310114 嘉定区|310115 浦东新区|310116 金山区|310117 松江区|310118 青浦区|310120 奉贤区|310151 崇明区',
  '320000':
    '320100 南京市|320200 无锡市|320300 徐州市|320400 常州市|320500 苏州市|320600 南通市|320700 连云港市|320800 淮安市|320900 盐城市|321000 扬州市|321100 镇江市|321200 泰州市|321300 宿迁市',
  '330000': '330100 杭州市|330200 宁波市|330300 温州市|330400 嘉兴市|330500 湖州市|330600 绍兴市|330700 金华市|330800 衢州市|330900 舟山市|331000 台州市|331100 丽水市',
  '340000':
    '340100 合肥市|340200 芜湖市|340300 蚌埠市|340400 淮南市|340500 马鞍山市|340600 淮北市|340700 铜陵市|340800 安庆市|341000 黄山市|341100 滁州市|341200 阜阳市|341300 宿州市|341500 六安市|341600 亳州市|341700 池州市|341800 宣城市',
  '340100': '340102 瑶海区|340103 庐阳区|340104 蜀山区|340111 包河区|340121 长丰县|340122 肥东县|340123 肥西县|340124 庐江县|340181 巢湖市',
  '340800': '340802 迎江区|340803 大观区|340811 宜秀区|340822 怀宁县|340825 太湖县|340826 宿松县|340827 望江县|340828 岳西县|340881 桐城市|340882 潜山市',
  '341500': '341502 金安区|341503 裕安区|341504 叶集区|341522 霍邱县|341523 舒城县|341524 金寨县|341525 霍山县',
  '341600': '341602 谯城区|341621 涡阳县|341622 蒙城县|341623 利辛县',
  '341800': '341802 宣州区|341821 郎溪县|341823 泾县|341824 绩溪县|341825 旌德县|341881 宁国市|341882 广德市',
};

function build(): Region[] {
  const out: Region[] = PROVINCES.map(([code, name]) => ({ code, name, parent: null }));
  for (const [parent, list] of Object.entries(CHILDREN)) {
    for (const entry of list.split('|')) {
      const [code, name] = entry.split(' ') as [string, string];
      out.push({ code, name, parent });
    }
  }
  return out.sort((a, b) => a.code.localeCompare(b.code));
}

/** Every named region, in code order. */
export const REGIONS: readonly Region[] = build();
