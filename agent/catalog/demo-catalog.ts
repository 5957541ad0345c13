/**
 * The demo catalog: realistic, fictional items from the regions of gov-services.md (codes, departments'
 * exact names and limits are made up for the demo). It is plain data in a module (so that tsc emits it
 * into dist/ and it is found wherever the agent runs) and goes through validateCatalog like any update
 * from the endpoint (catalog.ts). Every field's `example` is what `tongban cases example` fills in.
 */
const PHONE = { name: 'phone', label: '联系电话', type: 'phone', required: true, example: '13800000000' };

export const demoCatalogData: unknown = {
  version: 1,
  publishedAt: '2026-11-01T08:00:00+08:00',
  items: [
    {
      code: '341600-YB-0001',
      name: '长三角异地就医备案',
      department: '亳州市医疗保障局',
      region: '341600',
      targetRegion: '341600',
      modes: ['全程网办', '异地代收代办'],
      category: '医疗保障',
      initials: 'csjydjyba',
      timeLimitDays: 1,
      form: {
        fields: [
          { name: 'filingType', label: '备案类型', type: 'select', required: true, options: ['异地长期居住', '常驻异地工作', '异地转诊', '临时外出就医'], example: '异地长期居住' },
          { name: 'settleRegion', label: '就医地', type: 'region', required: true, example: '310117' },
          { name: 'startDate', label: '备案开始日期', type: 'date', required: true, example: '2026-12-01' },
          { name: 'residenceAddress', label: '异地居住地址', type: 'text', required: false, max: 100, example: '上海市松江区示例路100弄1号' },
          PHONE,
        ],
      },
      materials: [{ id: 'commitment', name: '个人承诺书', required: true, form: '原件' }],
    },
    {
      code: '341600-GJJ-0002',
      name: '住房公积金异地购房提取',
      department: '上海市公积金管理中心杨浦分中心',
      region: '341600',
      targetRegion: '310110',
      modes: ['异地代收代办'],
      category: '住房公积金',
      initials: 'zfgjjydgftq',
      timeLimitDays: 5,
      form: {
        fields: [
          { name: 'accountNumber', label: '公积金个人账号', type: 'text', required: true, pattern: '\\d{12}', patternHint: '12位数字', example: '310000123456' },
          { name: 'purchaseRegion', label: '购房所在地', type: 'region', required: true, example: '341602' },
          { name: 'amount', label: '提取金额（元）', type: 'number', required: true, min: 1, max: 2000000, example: 80000 },
          { name: 'bankCard', label: '收款银行卡号', type: 'text', required: true, pattern: '\\d{16,19}', patternHint: '16至19位数字', example: '6222000000000000000' },
          PHONE,
        ],
      },
      materials: [
        { id: 'purchase-contract', name: '购房合同', required: true, form: '复印件' },
        { id: 'purchase-invoice', name: '购房发票', required: true, form: '复印件', alternatives: ['电子证照'] },
        { id: 'property-certificate', name: '不动产权证书', required: false, form: '电子证照', alternatives: ['复印件'] },
      ],
    },
    {
      code: '341600-SB-0003',
      name: '社会保险参保缴费证明开具',
      department: '亳州市社会保险中心',
      region: '341600',
      targetRegion: '341600',
      modes: ['全程网办'],
      category: '社会保险',
      initials: 'shbxcbjfzmkj',
      timeLimitDays: 0,
      issuable: 'social-insurance-proof',
      form: {
        fields: [
          { name: 'periodFrom', label: '起始年月', type: 'text', required: true, pattern: '\\d{4}-(0[1-9]|1[0-2])', patternHint: '年-月，如2024-01', example: '2024-01' },
          { name: 'periodTo', label: '截止年月', type: 'text', required: true, pattern: '\\d{4}-(0[1-9]|1[0-2])', patternHint: '年-月，如2026-10', example: '2026-10' },
          { name: 'purpose', label: '用途', type: 'select', required: true, options: ['子女入学', '购房', '居住证办理', '其他'], example: '子女入学' },
        ],
      },
      materials: [],
    },
    {
      code: '341800-BDC-0004',
      name: '不动产登记信息查询证明',
      department: '宣城市不动产登记中心',
      region: '341800',
      targetRegion: '341800',
      modes: ['全程网办'],
      category: '不动产登记',
      initials: 'bdcdjxxcxzm',
      timeLimitDays: 0,
      issuable: 'real-estate-query',
      form: {
        fields: [
          { name: 'queryScope', label: '查询范围', type: 'select', required: true, options: ['名下全部不动产', '指定不动产'], example: '名下全部不动产' },
          { name: 'propertyAddress', label: '不动产坐落', type: 'text', required: false, max: 100, example: '宣城市宣州区示例大道8号' },
          { name: 'purpose', label: '查询用途', type: 'select', required: true, options: ['购房资格审核', '子女入学', '贷款', '其他'], example: '购房资格审核' },
        ],
      },
      materials: [],
    },
    {
      code: '310117-SB-0005',
      name: '基本养老保险关系转移接续',
      department: '上海市松江区社会保险事业管理中心',
      region: '310117',
      targetRegion: '310117',
      modes: ['全程网办', '多地联办'],
      category: '社会保险',
      initials: 'jbylbxgxzyjx',
      timeLimitDays: 15,
      form: {
        fields: [
          { name: 'fromRegion', label: '转出地', type: 'region', required: true, example: '341500' },
          { name: 'toRegion', label: '转入地', type: 'region', required: true, example: '310117' },
          { name: 'insuranceType', label: '险种', type: 'select', required: true, options: ['企业职工基本养老保险', '机关事业单位养老保险'], example: '企业职工基本养老保险' },
          { name: 'newEmployer', label: '现参保单位', type: 'text', required: true, max: 60, example: '上海示例科技有限公司' },
          PHONE,
        ],
      },
      materials: [{ id: 'contribution-record', name: '参保缴费凭证', required: false, form: '电子证照', alternatives: ['复印件'] }],
    },
    {
      code: '340802-GA-0006',
      name: '新生儿出生户口登记',
      department: '安庆市公安局迎江分局',
      region: '340802',
      targetRegion: '340802',
      modes: ['全程网办'],
      category: '户籍管理',
      initials: 'xsecshkdj',
      timeLimitDays: 3,
      form: {
        fields: [
          { name: 'babyName', label: '新生儿姓名', type: 'text', required: true, max: 20, example: '王小演' },
          { name: 'babySex', label: '新生儿性别', type: 'select', required: true, options: ['男', '女'], example: '女' },
          { name: 'birthDate', label: '出生日期', type: 'date', required: true, example: '2026-11-10' },
          { name: 'birthCertNumber', label: '出生医学证明编号', type: 'text', required: true, pattern: '[A-Z]\\d{9}', patternHint: '1位字母加9位数字', example: 'Q340000001' },
          { name: 'guardianRelation', label: '申请人与新生儿关系', type: 'select', required: true, options: ['父亲', '母亲'], example: '母亲' },
          { name: 'householdAddress', label: '落户地址', type: 'text', required: true, max: 100, example: '安庆市迎江区示例街道1号' },
        ],
      },
      materials: [
        { id: 'birth-certificate', name: '出生医学证明', required: true, form: '电子证照', alternatives: ['原件'] },
        { id: 'household-register', name: '父母户口簿', required: true, form: '原件' },
        { id: 'marriage-certificate', name: '结婚证', required: false, form: '电子证照', alternatives: ['原件'] },
      ],
    },
    {
      code: '340802-YB-0007',
      name: '新生儿城乡居民基本医疗保险参保登记',
      department: '安庆市迎江区医疗保障局',
      region: '340802',
      targetRegion: '340802',
      modes: ['全程网办'],
      category: '医疗保障',
      initials: 'xsecxjmjbylbxcbdj',
      timeLimitDays: 1,
      form: {
        fields: [
          { name: 'babyName', label: '新生儿姓名', type: 'text', required: true, max: 20, example: '王小演' },
          { name: 'birthDate', label: '出生日期', type: 'date', required: true, example: '2026-11-10' },
          { name: 'payerPhone', label: '缴费人联系电话', type: 'phone', required: true, example: '13800000000' },
        ],
      },
      materials: [{ id: 'birth-certificate', name: '出生医学证明', required: true, form: '电子证照', alternatives: ['原件'] }],
    },
    {
      code: '340802-SB-0008',
      name: '新生儿社会保障卡申领',
      department: '安庆市迎江区人力资源和社会保障局',
      region: '340802',
      targetRegion: '340802',
      modes: ['全程网办'],
      category: '社会保险',
      initials: 'xsesbzksl',
      timeLimitDays: 10,
      form: {
        fields: [
          { name: 'babyName', label: '新生儿姓名', type: 'text', required: true, max: 20, example: '王小演' },
          { name: 'deliveryMode', label: '领卡方式', type: 'select', required: true, options: ['邮寄', '网点领取'], example: '邮寄' },
          { name: 'postalAddress', label: '邮寄地址', type: 'text', required: false, max: 100, example: '安庆市迎江区示例街道1号' },
        ],
      },
      materials: [{ id: 'baby-photo', name: '新生儿数码照片', required: false, form: '原件' }],
    },
    {
      code: '310110-SC-0009',
      name: '个体工商户设立登记',
      department: '上海市杨浦区市场监督管理局',
      region: '310110',
      targetRegion: '310110',
      modes: ['全程网办', '异地代收代办'],
      category: '市场主体登记',
      initials: 'gtgshsldj',
      timeLimitDays: 3,
      form: {
        fields: [
          { name: 'businessName', label: '个体工商户名称', type: 'text', required: true, max: 50, example: '杨浦区示例便利店' },
          { name: 'businessScope', label: '经营范围', type: 'text', required: true, max: 200, example: '日用百货销售' },
          { name: 'capital', label: '资金数额（万元）', type: 'number', required: true, min: 0.1, max: 100000, example: 10 },
          { name: 'premisesAddress', label: '经营场所', type: 'text', required: true, max: 100, example: '上海市杨浦区示例路200号' },
          PHONE,
        ],
      },
      materials: [
        { id: 'premises-proof', name: '经营场所使用证明', required: true, form: '复印件' },
        { id: 'identity', name: '经营者身份证件', required: true, form: '电子证照', alternatives: ['原件'] },
      ],
    },
    {
      code: '341500-SC-0010',
      name: '营业执照变更登记',
      department: '六安市市场监督管理局',
      region: '341500',
      targetRegion: '341500',
      modes: ['全程网办', '异地代收代办'],
      category: '市场主体登记',
      initials: 'yyzzbgdj',
      timeLimitDays: 3,
      form: {
        fields: [
          { name: 'creditCode', label: '统一社会信用代码', type: 'text', required: true, pattern: '[0-9A-HJ-NPQRTUWXY]{2}\\d{6}[0-9A-HJ-NPQRTUWXY]{10}', patternHint: '18位统一社会信用代码', example: '91341500MA2UD0001X' },
          { name: 'changeItem', label: '变更事项', type: 'select', required: true, options: ['名称', '住所', '经营范围', '法定代表人', '注册资本'], example: '住所' },
          { name: 'newValue', label: '变更后内容', type: 'text', required: true, max: 200, example: '六安市金安区示例路88号' },
          PHONE,
        ],
      },
      materials: [
        { id: 'change-application', name: '变更登记申请书', required: true, form: '原件' },
        { id: 'resolution', name: '股东会决议', required: true, form: '复印件' },
        { id: 'licence', name: '营业执照', required: true, form: '电子证照', alternatives: ['原件'] },
      ],
    },
  ],
  bundles: [{ code: '340802-YJS-0001', name: '新生儿出生一件事', items: ['340802-GA-0006', '340802-YB-0007', '340802-SB-0008'] }],
  guides: [
    {
      code: 'ZNDB-0001',
      name: '我要开证明',
      summary: '社保缴费证明、房产证明',
      start: 'what',
      questions: [
        {
          id: 'what',
          text: '您要证明哪方面的情况？',
          choices: [
            { label: '社保缴费情况', next: 'insured-where' },
            { label: '名下有没有房产', item: '341800-BDC-0004', reason: '不动产登记信息查询证明写明您名下的房产情况，可用于购房资格审核、贷款和子女入学，本机当场出证。' },
          ],
        },
        {
          id: 'insured-where',
          text: '您在哪里参加社保？',
          choices: [
            { label: '在亳州参保', item: '341600-SB-0003', reason: '社会保险参保缴费证明写明您在亳州的参保和缴费记录，本机当场出证。' },
            { label: '在上海参保，要转到别的城市', item: '310117-SB-0005', reason: '换城市工作时，养老保险要办理关系转移接续，缴费年限接着算。' },
          ],
        },
      ],
    },
    {
      code: 'ZNDB-0002',
      name: '异地就医、养老、公积金',
      summary: '长三角跨省通办',
      start: 'which',
      questions: [
        {
          id: 'which',
          text: '您要办哪类异地业务？',
          choices: [
            { label: '在外地看病、住院报销', next: 'medical' },
            { label: '换了城市工作，养老保险要转过去', item: '310117-SB-0005', reason: '基本养老保险关系转移接续：把原参保地的养老保险转到新工作地。' },
            { label: '在外地买房，提取公积金', item: '341600-GJJ-0002', reason: '住房公积金异地购房提取：在本地提交，由公积金管理中心异地办理。' },
          ],
        },
        {
          id: 'medical',
          text: '您是哪种情况？',
          choices: [
            { label: '长期住在外地（随子女、异地养老）', item: '341600-YB-0001', reason: '先办长三角异地就医备案，在外地就医时可以直接结算，不用回来报销。' },
            { label: '临时外出或转诊到外地医院', item: '341600-YB-0001', reason: '临时外出或转诊就医也要先备案，备案类型选“异地转诊”或“临时外出就医”。' },
          ],
        },
      ],
    },
    {
      code: 'ZNDB-0003',
      name: '家里添了宝宝',
      summary: '报户口、医保、社保卡',
      start: 'baby',
      questions: [
        {
          id: 'baby',
          text: '您要为宝宝办什么？',
          choices: [
            { label: '报户口', item: '340802-GA-0006', reason: '新生儿出生户口登记：凭出生医学证明为宝宝落户。' },
            { label: '参加医保', item: '340802-YB-0007', reason: '新生儿城乡居民基本医疗保险参保登记：出生当年参保，看病可以报销。' },
            { label: '办社保卡', item: '340802-SB-0008', reason: '新生儿社会保障卡申领：医保就医、待遇领取都要用社保卡。' },
          ],
        },
      ],
    },
  ],
};
