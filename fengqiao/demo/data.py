"""The fixed material of the demo town: place names, name pools, occupations, partners.

Everything here is fictional. The town is modelled on a town of the Baotou rare-earth
high-tech zone (行政区划 prefix 150291); no real person or company is meant.
"""

from __future__ import annotations

TOWN_CODE = "150291100"
TOWN_NAME = "万泉镇"
ADDRESS_PREFIX = "内蒙古自治区包头市稀土高新区万泉镇"
CITY_AREA_CODE = "0472"
# The centre of the town; villages, grids and units are laid out around it.
TOWN_CENTRE = (40.615, 109.805)

# Village-level codes follow the statistical convention: residents' committees
# (社区) take 001–199, villagers' committees (村) 200–399.
# (code suffix, name, is a community, unit-name pattern, zone letter of each grid)
# In a pattern {n} numbers the units of the village 1–50, {k} those of the grid 1–10,
# and {zone} is the grid's letter.
VILLAGES: tuple[tuple[str, str, bool, str, str], ...] = (
    ("001", "万泉佳苑社区", True, "万泉佳苑{zone}区{k}栋", "CDEFG"),
    ("201", "小召湾村", False, "第{n}村民小组", ""),
    ("002", "红旗社区", True, "{n}号楼", ""),
    ("202", "古城湾村", False, "第{n}村民小组", ""),
    ("003", "东园社区", True, "东园小区{zone}区{k}栋", "ABCDE"),
    ("203", "新光村", False, "第{n}村民小组", ""),
    ("004", "南湖社区", True, "南湖苑{n}号楼", ""),
    ("204", "柳树沟村", False, "第{n}村民小组", ""),
)
GRIDS_PER_VILLAGE = 5
UNITS_PER_GRID = 10
GRID_ORDINALS = ("一", "二", "三", "四", "五")

# The first grid of 万泉佳苑社区 holds two whole courtyards as units; the property
# dispute of the walkthrough happens in the second one.
STORY_UNIT_NAME = "万泉佳苑B区"
FIRST_ESTATE_GRID_UNITS: tuple[str, ...] = (
    "万泉佳苑A区",
    STORY_UNIT_NAME,
    *(f"万泉佳苑C区{k}栋" for k in range(1, 9)),
)
STORY_RESIDENT_NAME = "田秀兰"
PROPERTY_COMPANY_NAME = "万泉佳苑物业服务有限公司"

# (code, name); the order is the display order.
CATEGORIES: tuple[tuple[str, str], ...] = (
    ("neighbours", "邻里纠纷"),
    ("property", "物业纠纷"),
    ("land", "土地纠纷"),
    ("labour", "劳资纠纷"),
    ("family", "婚姻家庭纠纷"),
    ("construction", "建设施工纠纷"),
    ("environment", "噪声与环境"),
    ("traffic", "交通事故纠纷"),
    ("consumer", "消费纠纷"),
    ("debt", "债务纠纷"),
    ("other", "其他"),
)

# (agency kind value, name, street address, contact posts)
AGENCIES: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("court", "稀土高新区人民法院万泉人民法庭", "万泉大街18号", ("庭长", "法官助理")),
    ("procuratorate", "稀土高新区人民检察院万泉检察室", "万泉大街20号", ("主任", "检察官助理")),
    ("police", "万泉派出所", "泉源路6号", ("所长", "社区民警")),
    ("judicial", "万泉司法所", "万泉大街26号", ("所长", "司法助理员")),
    ("petition", "万泉镇信访办公室", "万泉大街26号", ("主任", "接访员")),
    ("labour", "稀土高新区劳动保障监察大队", "兴业路88号", ("大队长", "监察员")),
    ("hotline_12345", "12345政务服务便民热线高新区分中心", "兴业路100号", ("科长", "派单员")),
    ("civil_affairs", "万泉镇民政办", "万泉大街26号", ("主任", "社会救助专干")),
    ("emergency", "万泉镇应急管理办公室", "万泉大街26号", ("主任", "值班员")),
    ("fire", "万泉消防救援站", "泉源路30号", ("站长", "值班员")),
    ("market", "万泉市场监督管理所", "民族路12号", ("所长", "执法人员")),
    ("other", "万泉镇妇女联合会", "万泉大街26号", ("主席", "执委")),
)
# Agencies added after the town was first drawn: planned after the residents and the
# companies, so that adding them left every resident and number as it was.
LATER_AGENCIES: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("health", "万泉镇卫生院", "泉源路15号", ("院长", "精防医生")),
)

# (team name, category codes): the town's specialised mediation teams, in the order
# of their heads mediator01–mediator05.
TEAMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("物业纠纷调解队", ("property",)),
    ("土地纠纷调解队", ("land",)),
    ("劳资纠纷调解队", ("labour",)),
    ("婚姻家庭纠纷调解队", ("family",)),
    ("交通事故纠纷调解队", ("traffic",)),
)
COMMITTEE_CATEGORIES = ("neighbours", "family", "property", "land", "other")

# Other bodies that can be parties: (name, legal representative, village index,
# address within the village).
ORGANIZATIONS: tuple[tuple[str, str, int, str], ...] = (
    (PROPERTY_COMPANY_NAME, "张振华", 0, "万泉佳苑A区物业服务中心"),
    ("包头市鑫达建筑工程有限公司", "刘志刚", 2, "12号楼底商"),
    ("小召湾村绿源种植专业合作社", "赵永福", 1, "第6村民小组"),
    ("包头市恒通物流有限公司", "孙立新", 4, "东园小区E区1栋底商"),
)
# The property companies of the other communities (万泉佳苑's is above).
OTHER_PROPERTY_COMPANIES: tuple[tuple[str, str, int, str], ...] = (
    ("包头市红旗物业管理有限公司", "高建民", 2, "1号楼底商"),
    ("包头市东园物业服务有限公司", "李春生", 4, "东园小区A区物业服务中心"),
    ("包头市南湖苑物业管理有限公司", "王玉清", 6, "南湖苑1号楼一层"),
)

# ---------------------------------------------------------------- people
# Surnames, weighted roughly by how common they are in northern China.
SURNAMES: tuple[tuple[str, int], ...] = (
    ("王", 90),
    ("李", 85),
    ("张", 80),
    ("刘", 70),
    ("陈", 40),
    ("杨", 40),
    ("赵", 35),
    ("黄", 20),
    ("周", 22),
    ("吴", 20),
    ("高", 25),
    ("郭", 22),
    ("马", 22),
    ("孙", 20),
    ("胡", 15),
    ("朱", 12),
    ("何", 10),
    ("林", 8),
    ("罗", 8),
    ("梁", 10),
    ("宋", 10),
    ("郑", 10),
    ("谢", 8),
    ("韩", 12),
    ("唐", 8),
    ("冯", 10),
    ("于", 10),
    ("董", 10),
    ("程", 8),
    ("曹", 8),
    ("袁", 6),
    ("邓", 6),
    ("许", 8),
    ("傅", 5),
    ("沈", 5),
    ("曾", 4),
    ("彭", 5),
    ("吕", 6),
    ("苏", 6),
    ("卢", 5),
    ("蒋", 5),
    ("蔡", 5),
    ("贾", 8),
    ("丁", 6),
    ("魏", 8),
    ("薛", 6),
    ("叶", 4),
    ("闫", 8),
    ("段", 5),
    ("雷", 4),
    ("侯", 6),
    ("武", 8),
    ("乔", 6),
    ("白", 8),
    ("任", 6),
    ("石", 6),
    ("牛", 5),
    ("霍", 4),
    ("云", 3),
    ("包", 3),
    ("田", 4),
)
HUI_SURNAMES = ("马", "杨", "丁", "白", "穆", "海", "李", "金")
MANCHU_SURNAMES = ("关", "佟", "那", "赵", "金", "富", "傅", "肖")
MONGOL_SURNAMES = ("包", "白", "云", "奇", "韩", "陈", "宝", "鲍")

# Given names by generation: those born before 1975 and those born later.
GIVEN_OLDER_MALE = (
    "建国",
    "建华",
    "国强",
    "国庆",
    "志刚",
    "志强",
    "永福",
    "永强",
    "德胜",
    "福林",
    "长青",
    "振华",
    "树林",
    "玉山",
    "俊峰",
    "文明",
    "金山",
    "宝山",
    "立新",
    "卫东",
    "红军",
    "海军",
    "建军",
    "保国",
    "满仓",
    "二虎",
    "铁柱",
    "成",
    "刚",
    "军",
    "勇",
    "斌",
    "明",
    "强",
    "平",
    "林",
)
GIVEN_OLDER_FEMALE = (
    "秀英",
    "桂英",
    "秀珍",
    "玉兰",
    "桂兰",
    "凤英",
    "淑珍",
    "玉梅",
    "春梅",
    "秀芳",
    "丽华",
    "淑华",
    "翠花",
    "金花",
    "红梅",
    "冬梅",
    "美玲",
    "素芬",
    "爱华",
    "彩霞",
    "丽",
    "艳",
    "敏",
    "霞",
    "静",
    "芳",
    "红",
    "英",
)
GIVEN_YOUNGER_MALE = (
    "浩",
    "宇",
    "鹏",
    "磊",
    "涛",
    "杰",
    "超",
    "帅",
    "旭",
    "博",
    "浩然",
    "子轩",
    "宇航",
    "俊杰",
    "家豪",
    "文博",
    "明轩",
    "一鸣",
    "天佑",
    "思远",
    "晓东",
    "海涛",
    "振宇",
    "嘉诚",
    "志鹏",
    "建伟",
    "晨阳",
    "泽宇",
    "少华",
    "伟",
)
GIVEN_YOUNGER_FEMALE = (
    "婷",
    "雪",
    "慧",
    "娜",
    "倩",
    "琳",
    "欣怡",
    "梓涵",
    "雨萱",
    "佳琪",
    "思雨",
    "晓燕",
    "丽娜",
    "婷婷",
    "雅琪",
    "梦瑶",
    "诗涵",
    "文静",
    "晓丽",
    "海燕",
    "春燕",
    "亚楠",
    "美琪",
    "佳怡",
    "一诺",
    "晓梅",
    "蕊",
)
# Mongolian given names, often used without a Han surname.
MONGOL_MALE = (
    "巴特尔",
    "那日苏",
    "额尔敦",
    "宝音",
    "阿拉坦",
    "朝鲁",
    "巴图",
    "孟和",
    "苏和",
    "乌力吉",
    "特木尔",
    "毕力格",
    "格日勒图",
    "呼和",
)
MONGOL_FEMALE = (
    "其其格",
    "乌云",
    "苏日娜",
    "图雅",
    "斯琴",
    "萨仁",
    "娜仁花",
    "高娃",
    "乌兰",
    "塔娜",
    "阿茹娜",
    "萨日朗",
    "格日乐",
)

# (ethnic group, weight)
ETHNICITIES: tuple[tuple[str, int], ...] = (
    ("汉族", 880),
    ("蒙古族", 70),
    ("回族", 30),
    ("满族", 20),
)

# Working-age occupations, weighted, for villages and for communities.
VILLAGE_OCCUPATIONS: tuple[tuple[str, int], ...] = (
    ("农民", 50),
    ("外出务工人员", 14),
    ("个体工商户", 8),
    ("养殖户", 8),
    ("货车司机", 5),
    ("建筑工人", 6),
    ("村医", 1),
    ("灵活就业人员", 5),
    ("无业", 3),
)
COMMUNITY_OCCUPATIONS: tuple[tuple[str, int], ...] = (
    ("企业职工", 30),
    ("个体工商户", 12),
    ("灵活就业人员", 10),
    ("教师", 4),
    ("医护人员", 4),
    ("公司职员", 10),
    ("快递员", 4),
    ("网约车司机", 4),
    ("稀土企业技术员", 5),
    ("物业服务人员", 3),
    ("公务员", 2),
    ("无业", 5),
    ("超市营业员", 4),
    ("厨师", 3),
)

MOBILE_PREFIXES = (
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "166",
    "176",
    "177",
    "180",
    "181",
    "182",
    "183",
    "185",
    "186",
    "187",
    "188",
    "189",
    "198",
    "199",
)
