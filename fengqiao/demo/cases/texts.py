"""The fixed material of the demo year's cases: what residents bring, and how it ends.

Each template is a kind of matter with a title, an account and the notes of its
resolution. The placeholders are filled from the plan:

    {name}     the applicant (a resident)
    {other}    the respondent, when a resident
    {company}  the respondent, when an organisation
    {place}    the unit (building, courtyard, villagers' group) where it happened
    {village}  its village or community
    {reporter} who registered it
    {amount}   the amount involved, in yuan
    {people}   how many people are involved
    {n}        a small number (times, months, metres …)

Everything here is fictional.
"""

from __future__ import annotations

from dataclasses import dataclass

# --------------------------------------------------------------------- the year
# The demo year is a fixed period, so that a seed always gives the same cases: it ends
# the day before the demo went live, and open cases' deadlines fall around that day.
MONTH_WEIGHTS: dict[int, int] = {
    12: 10, 1: 12, 2: 7, 3: 10, 4: 11, 5: 12, 6: 12, 7: 13, 8: 12, 9: 10, 10: 9, 11: 10,
}  # fmt: skip
WINTER = (11, 12, 1, 2, 3)  # the heating season in Baotou runs 15 Oct – 15 Apr
SUMMER = (6, 7, 8)
SPRING_AND_AUTUMN_FIELDS = (3, 4, 5, 9, 10)
BEFORE_SPRING_FESTIVAL = (11, 12, 1, 2)

# Where a template applies: in a community (社区), in a village (村), anywhere.
COMMUNITY, VILLAGE, ANYWHERE = "community", "village", "any"

# Who the respondent is.
NO_RESPONDENT = ""
RESIDENT = "resident"
PROPERTY_COMPANY = "property"
BUILDER = "builder"
COOPERATIVE = "cooperative"
LOGISTICS = "logistics"

GRADE_WEIGHTS_USUAL: tuple[tuple[str, int], ...] = (
    ("general", 80),
    ("important", 17),
    ("complex", 3),
)
GRADE_WEIGHTS_SERIOUS: tuple[tuple[str, int], ...] = (
    ("general", 35),
    ("important", 50),
    ("complex", 15),
)


@dataclass(frozen=True)
class Template:
    kind: str
    category: str
    title: str
    account: str
    resolutions: tuple[str, ...]
    where: str = ANYWHERE
    respondent: str = NO_RESPONDENT
    people: tuple[int, int] = (1, 1)
    amount: tuple[int, int] | None = None
    months: tuple[int, ...] = ()
    weight: int = 10
    grades: tuple[tuple[str, int], ...] = GRADE_WEIGHTS_USUAL


def _dispute(category: str, title: str, account: str, *resolutions: str, **options) -> Template:
    return Template("dispute", category, title, account, resolutions, **options)


def _demand(category: str, title: str, account: str, *resolutions: str, **options) -> Template:
    return Template("demand", category, title, account, resolutions, **options)


def _consultation(title: str, account: str, *answers: str, **options) -> Template:
    return Template("consultation", options.pop("category", "other"), title, account, answers)


def _hazard(category: str, title: str, account: str, *resolutions: str, **options) -> Template:
    return Template("hazard", category, title, account, resolutions, **options)


def _emergency(category: str, title: str, account: str, *resolutions: str, **options) -> Template:
    return Template("emergency", category, title, account, resolutions, **options)


# ----------------------------------------------------------------- disputes
DISPUTES: tuple[Template, ...] = (
    _dispute(
        "neighbours",
        "{place}楼上噪音纠纷",
        "{name}反映楼上住户{other}家夜间经常有拖动桌椅、孩子跑跳的声响，已持续{n}个月，"
        "影响家中老人休息。{name}多次上门沟通未果，双方在楼道发生争吵。",
        "调解员组织双方当面沟通，{other}承诺晚十点后不再拖动家具，并在客厅加铺地垫；"
        "{name}表示认可，双方握手言和。",
        "经社区调解，{other}向{name}道歉并约定作息时间，双方签订邻里公约，矛盾化解。",
        where=COMMUNITY,
        respondent=RESIDENT,
        weight=14,
    ),
    _dispute(
        "neighbours",
        "{place}楼上漏水纠纷",
        "{name}家卫生间顶棚持续渗水，墙皮脱落、吊顶发霉，怀疑楼上{other}家防水层破损。"
        "{other}不同意入户查看，双方就维修和赔偿协商未果。",
        "调解员陪同物业维修人员入户查明系{other}家下水管接口渗漏，{other}同意自费维修并赔偿"
        "{name}吊顶修复费用{amount}元，当场履行完毕。",
        "经现场调解，双方同意共同委托维修师傅检测；{other}负责修复防水层，{name}自行粉刷墙面，"
        "双方签订人民调解协议。",
        where=COMMUNITY,
        respondent=RESIDENT,
        amount=(600, 3500),
        months=(*SUMMER, 5, 9),
        weight=12,
    ),
    _dispute(
        "neighbours",
        "{place}楼道堆物纠纷",
        "{other}长期在楼道内堆放纸箱、旧家具，{name}认为堵塞通道且有火灾隐患，多次劝说无果，"
        "双方发生口角。",
        "调解员上门说服教育，{other}当天清理了楼道杂物，双方约定共同维护楼道整洁。",
        where=COMMUNITY,
        respondent=RESIDENT,
        weight=8,
    ),
    _dispute(
        "neighbours",
        "{place}院落排水纠纷",
        "{other}新砌院墙后，雨水全部流向{name}家院内，{name}要求其改道排水，双方争执不下，"
        "险些动手。",
        "村调委会组织双方到现场查看，商定由{other}在院墙外侧修建排水沟，费用双方各半，"
        "{name}表示同意。",
        where=VILLAGE,
        respondent=RESIDENT,
        months=(5, *SUMMER, 9),
        weight=10,
    ),
    _dispute(
        "neighbours",
        "{place}邻里口角纠纷",
        "{name}与邻居{other}因倒垃圾、晾晒衣物等琐事积怨，近日发生口角并相互推搡，双方均有情绪。",
        "调解员分别做双方思想工作，双方相互道歉，承诺今后互谅互让，矛盾就地化解。",
        "在村（社区）干部见证下，双方达成谅解，{other}赔偿{name}医药费{amount}元。",
        respondent=RESIDENT,
        amount=(200, 800),
        weight=12,
    ),
    _dispute(
        "neighbours",
        "{place}养犬扰民纠纷",
        "{other}家饲养的大型犬外出不拴绳，多次追赶路人，夜间吠叫不止。{name}上门提醒时"
        "与{other}发生争执。",
        "调解员与民警上门宣讲养犬管理规定，{other}承诺外出拴绳并办理养犬登记，{name}表示满意。",
        respondent=RESIDENT,
        weight=8,
    ),
    _dispute(
        "neighbours",
        "{place}彩钢房遮挡采光纠纷",
        "{other}在自家院内加盖彩钢房，房顶高出院墙近{n}米，遮挡{name}家南窗采光，双方多次交涉未果。",
        "经村调委会调解，{other}同意将彩钢房降低至院墙高度，{name}不再追究。",
        where=VILLAGE,
        respondent=RESIDENT,
        weight=5,
    ),
    _dispute(
        "property",
        "{place}物业服务费纠纷",
        "{name}认为{company}服务不到位，电梯多次故障、垃圾清运不及时，拒交物业费{amount}元；"
        "物业公司多次上门催缴，双方矛盾加深。",
        "调解员组织双方协商：物业公司限期整改电梯维保和垃圾清运，{name}补交物业费，"
        "双方签订调解协议。",
        where=COMMUNITY,
        respondent=PROPERTY_COMPANY,
        amount=(1200, 3600),
        weight=12,
    ),
    _dispute(
        "property",
        "{place}暖气不热纠纷",
        "{name}反映入冬以来家中室温只有十三四度，多次向{company}报修未解决，要求退还部分取暖费，"
        "物业称系供热管网问题，双方争执。",
        "调解员联系供热公司与物业公司共同入户检测，对管道放气、清洗过滤网后室温达到十八度以上；"
        "物业公司同意减免{name}当月物业费，{name}表示满意。",
        where=COMMUNITY,
        respondent=PROPERTY_COMPANY,
        months=WINTER,
        weight=12,
    ),
    _dispute(
        "property",
        "{place}地下室进水纠纷",
        "雨季{name}家地下储藏室进水，存放的物品受损，要求{company}维修并赔偿，物业认为系管道老化，"
        "不属其责任。",
        "经调解，物业公司负责疏通排水管、加装挡水坎，并一次性补偿{name}损失{amount}元，双方达成协议。",
        where=COMMUNITY,
        respondent=PROPERTY_COMPANY,
        amount=(800, 4000),
        months=SUMMER,
        weight=6,
    ),
    _dispute(
        "property",
        "{place}停车收费纠纷",
        "{company}调整小区停车收费标准，{name}等{people}户业主认为未经业主大会同意，拒绝缴费，"
        "与物业人员在小区门口发生争执。",
        "调解员召集业主代表、物业公司和社区三方座谈，物业公司暂停执行新标准，待业主大会表决后再定，"
        "业主代表表示接受。",
        where=COMMUNITY,
        respondent=PROPERTY_COMPANY,
        people=(5, 30),
        weight=5,
        grades=GRADE_WEIGHTS_SERIOUS,
    ),
    _dispute(
        "land",
        "{place}承包地边界纠纷",
        "{name}与{other}两家承包地相邻，{other}耕种时越过地界约{n}米，{name}要求恢复原界，"
        "双方各执一词。",
        "调解员会同村干部依据确权登记图现场测量、重新埋设界桩，双方签字确认。",
        "调解员调取二轮承包合同，双方认可原界，{other}退还多种的土地，矛盾化解。",
        where=VILLAGE,
        respondent=RESIDENT,
        months=SPRING_AND_AUTUMN_FIELDS,
        weight=12,
    ),
    _dispute(
        "land",
        "{place}宅基地界址纠纷",
        "{name}翻建房屋时，邻居{other}认为新墙占用了自家宅基地二三十公分，阻止施工，双方发生冲突。",
        "调解员调取宅基地使用证并现场丈量，确认新墙未越界，向{other}释法说理，双方恢复往来，"
        "施工继续进行。",
        where=VILLAGE,
        respondent=RESIDENT,
        months=(3, 4, 5, 6, 7, 8, 9, 10),
        weight=7,
        grades=GRADE_WEIGHTS_SERIOUS,
    ),
    _dispute(
        "land",
        "{place}土地流转租金纠纷",
        "{name}将承包地流转给{company}，对方拖欠上年度租金{amount}元，多次讨要未果。",
        "调解员约谈合作社负责人，合作社承诺分两期付清租金，首期已当场支付，{name}表示认可。",
        where=VILLAGE,
        respondent=COOPERATIVE,
        amount=(3000, 24000),
        weight=5,
    ),
    _dispute(
        "labour",
        "{place}农民工工资拖欠纠纷",
        "{name}等{people}名工人在{company}承建的工地务工，工程完工后尚有工资{amount}元未结清，"
        "多次讨要无果，工人情绪激动。",
        "调解员会同劳动保障监察大队约谈施工企业，企业将拖欠工资{amount}元全部支付到位，"
        "工人签字确认。",
        respondent=BUILDER,
        people=(3, 25),
        amount=(20000, 260000),
        months=BEFORE_SPRING_FESTIVAL,
        weight=12,
        grades=GRADE_WEIGHTS_SERIOUS,
    ),
    _dispute(
        "labour",
        "{place}劳动报酬纠纷",
        "{name}在{company}从事装卸工作，离职后公司以未满合同期为由扣发最后一个月工资{amount}元。",
        "调解员向企业讲解劳动合同法相关规定，企业同意足额支付工资，{name}当场收到款项。",
        respondent=LOGISTICS,
        amount=(3000, 7000),
        weight=6,
    ),
    _dispute(
        "family",
        "{place}赡养纠纷",
        "{name}年逾七旬，与子女{other}等人因赡养费分担和轮流照顾问题产生矛盾，子女之间相互推诿。",
        "调解员召集子女进行家庭调解，约定每人每月给付赡养费并轮流照顾，签订赡养协议。",
        respondent=RESIDENT,
        weight=8,
    ),
    _dispute(
        "family",
        "{place}婚姻家庭纠纷",
        "{name}与丈夫{other}因家庭琐事长期争吵，近日矛盾激化，{name}回娘家居住并提出离婚。",
        "调解员多次上门疏导，夫妻双方各自反省，同意继续共同生活，约定遇事协商。",
        respondent=RESIDENT,
        weight=7,
    ),
    _dispute(
        "family",
        "{place}房屋继承纠纷",
        "{name}与兄弟{other}就父亲遗留房屋的继承分配产生争议，双方互不相让，亲属关系紧张。",
        "调解员讲解继承法律规定，兄弟二人协商由{other}取得房屋并给付{name}折价款{amount}元，"
        "签订调解协议。",
        respondent=RESIDENT,
        amount=(30000, 150000),
        weight=4,
        grades=GRADE_WEIGHTS_SERIOUS,
    ),
    _dispute(
        "construction",
        "{place}装修拆改纠纷",
        "{other}家装修时拆改墙体，{name}发现自家墙面出现裂缝，担心房屋安全，要求停工鉴定。",
        "调解员联系住建部门技术人员现场查看，确认未动承重墙；{other}负责修补{name}家墙面裂缝，"
        "双方达成一致。",
        where=COMMUNITY,
        respondent=RESIDENT,
        weight=5,
    ),
    _dispute(
        "construction",
        "{place}施工扬尘噪声纠纷",
        "{company}在附近施工，扬尘大、夜间施工噪声扰民，{name}等{people}户居民与施工方发生争执。",
        "调解员约谈施工方，施工方承诺落实围挡喷淋、夜间22时后停止施工，并给予周边住户适当补偿。",
        respondent=BUILDER,
        people=(3, 12),
        months=(4, 5, 6, 7, 8, 9, 10),
        weight=5,
    ),
    _dispute(
        "environment",
        "{place}烧烤店油烟噪音纠纷",
        "{other}经营的烧烤店油烟直排，夜间食客喧哗至凌晨，{name}多次交涉未果，双方发生冲突。",
        "调解员会同市场监管所上门，{other}加装油烟净化器并承诺23时前停止室外经营，{name}表示认可。",
        where=COMMUNITY,
        respondent=RESIDENT,
        months=(5, *SUMMER, 9),
        weight=5,
    ),
    _dispute(
        "environment",
        "{place}养殖异味纠纷",
        "{other}在院内养殖肉羊三十余只，粪污堆放产生异味、招引蚊蝇，{name}要求其搬离，双方争吵。",
        "村调委会协调{other}将羊圈迁至村外养殖区并及时清运粪污，{name}表示满意。",
        where=VILLAGE,
        respondent=RESIDENT,
        weight=5,
    ),
    _dispute(
        "traffic",
        "{place}交通事故赔偿纠纷",
        "{name}骑电动车与{other}驾驶的小轿车在村路口发生剐蹭，{name}受轻伤，双方就医药费、"
        "误工费赔偿协商不成。",
        "调解员依据交警事故认定组织调解，{other}一次性赔偿{name}各项损失{amount}元，当场履行。",
        respondent=RESIDENT,
        amount=(1500, 12000),
        weight=8,
    ),
    _dispute(
        "traffic",
        "{place}车辆剐蹭纠纷",
        "{other}倒车时剐蹭{name}停放在楼下的车辆，对维修费用分歧较大，双方发生争执。",
        "调解员陪同双方到维修厂定损，{other}承担维修费用{amount}元，双方和解。",
        where=COMMUNITY,
        respondent=RESIDENT,
        amount=(500, 3000),
        weight=5,
    ),
    _dispute(
        "consumer",
        "{place}预付卡退费纠纷",
        "{name}在镇上一家健身房办理预付卡{amount}元，商家经营者{other}突然停业，拒不退还余额。",
        "调解员会同市场监管所约谈经营者{other}，其同意分两次退还剩余款项，首笔已退。",
        respondent=RESIDENT,
        amount=(1000, 5000),
        weight=3,
    ),
    _dispute(
        "debt",
        "{place}民间借贷纠纷",
        "{other}向{name}借款{amount}元，约定年底归还，逾期后一直未还，{name}多次催要，双方关系紧张。",
        "调解员释法明理，{other}承认借款事实，双方签订还款协议，约定分期偿还，已偿还首期。",
        respondent=RESIDENT,
        amount=(5000, 60000),
        weight=6,
    ),
    _dispute(
        "other",
        "{place}合伙经营纠纷",
        "{name}与{other}合伙经营小超市，因账目不清、利润分配问题产生矛盾，要求散伙清算。",
        "调解员协助双方清点账目、盘点存货，约定由{other}继续经营并给付{name}退伙款{amount}元。",
        respondent=RESIDENT,
        amount=(10000, 50000),
        weight=3,
    ),
)

# The disputes that did not end in "resolved", in the order they are used: how each
# ended or where it stands. (template title, outcome or open state, note)
UNRESOLVED_DISPUTES: tuple[tuple[str, str, str], ...] = (
    ("{place}民间借贷纠纷", "litigation", "经多次调解，双方对借款金额分歧过大，调解不成，"
     "已告知{name}可向万泉人民法庭起诉，并协助其准备诉讼材料。"),
    ("{place}劳动报酬纠纷", "arbitration", "企业坚持认为{name}违约在先，调解不成，"
     "已引导{name}向劳动人事争议仲裁委员会申请仲裁。"),
    ("{place}宅基地界址纠纷", "in_progress", ""),
    ("{place}交通事故赔偿纠纷", "suspended", "等待{name}伤情鉴定结果，鉴定期间中止计时。"),
    ("{place}赡养纠纷", "acknowledged", ""),
)  # fmt: skip

# ------------------------------------------------------------------ demands
DEMANDS: tuple[Template, ...] = (
    _demand(
        "environment",
        "{place}商铺夜间噪音扰民",
        "{place}楼下商铺夜间装卸货物、播放音乐，噪音持续到深夜，影响居民休息。",
        "经协调，商铺负责人承诺22时后停止装卸和外放音乐，已回访居民，噪音明显减少。",
        where=COMMUNITY,
        weight=10,
    ),
    _demand(
        "environment",
        "{place}广场舞音响声音过大",
        "{place}附近广场每晚有广场舞，音响音量过大，持续到21时以后。",
        "社区与广场舞队负责人沟通，约定音量控制在规定范围、21时前结束，居民表示认可。",
        months=(4, 5, 6, 7, 8, 9, 10),
        weight=8,
    ),
    _demand(
        "environment",
        "{place}工地夜间施工噪音",
        "{place}附近工地夜间施工，机械轰鸣，严重影响休息。",
        "已联系施工单位，其承诺夜间22时后停止高噪声作业，确需连续施工的提前公示。",
        months=(4, 5, 6, 7, 8, 9, 10),
        weight=8,
    ),
    _demand(
        "environment",
        "{place}道路扬尘污染",
        "{place}附近渣土车未覆盖，道路扬尘严重。",
        "已协调施工方对渣土车加盖篷布并每日洒水降尘，经复查扬尘明显改善。",
        months=(3, 4, 5, 6, 9, 10),
        weight=6,
    ),
    _demand(
        "environment",
        "{place}垃圾清运不及时",
        "{place}垃圾桶满溢多日无人清运，异味较重，招引蚊蝇。",
        "已督促保洁公司当日清运，并将清运频次调整为每日两次，现场已清理干净。",
        weight=14,
    ),
    _demand(
        "environment",
        "{place}村道旁垃圾堆积",
        "{place}村道两侧堆放生活垃圾和建筑垃圾，影响村容村貌。",
        "村委会组织人员和车辆清运垃圾{n}车，并设置垃圾收集点，已清理完毕。",
        where=VILLAGE,
        weight=10,
    ),
    _demand(
        "environment",
        "{place}焚烧秸秆烟雾扰民",
        "{place}有村民在地头焚烧秸秆，烟雾较大。",
        "现场劝阻并扑灭火源，宣传秸秆禁烧和综合利用政策。",
        where=VILLAGE,
        months=(3, 4, 10, 11),
        weight=5,
    ),
    _demand(
        "property",
        "{place}楼道灯损坏",
        "{place}楼道灯损坏多日，夜间上下楼漆黑，老人出行不便。",
        "已协调物业更换楼道灯{n}盏，经回访已正常照明。",
        where=COMMUNITY,
        weight=12,
    ),
    _demand(
        "property",
        "{place}电梯故障停运",
        "{place}电梯频繁故障，近日停运，高层老人下楼困难。",
        "已督促物业联系维保单位维修，电梯已恢复运行，并要求物业加强日常维保。",
        where=COMMUNITY,
        weight=8,
    ),
    _demand(
        "property",
        "{place}暖气不热",
        "{place}入冬以来暖气不热，室内温度偏低，多次报修未解决。",
        "已协调物业和供热公司入户排查，对管道放气、清洗过滤网，室温已达标。",
        where=COMMUNITY,
        months=WINTER,
        weight=18,
    ),
    _demand(
        "property",
        "{place}屋顶漏雨",
        "{place}顶楼屋面防水老化，下雨时屋内漏雨。",
        "已协调物业申请维修资金，对屋面防水进行修补，雨后回访未再漏雨。",
        where=COMMUNITY,
        months=(5, *SUMMER, 9),
        weight=8,
    ),
    _demand(
        "property",
        "{place}单元门禁损坏",
        "{place}单元门门禁损坏，外来人员随意进出，存在安全隐患。",
        "已督促物业更换门禁锁具，单元门已恢复正常。",
        where=COMMUNITY,
        weight=6,
    ),
    _demand(
        "property",
        "{place}化粪池堵塞外溢",
        "{place}化粪池堵塞，污水外溢，气味难闻。",
        "已协调物业联系清掏车辆疏通化粪池，并对周边进行消杀。",
        weight=5,
    ),
    _demand(
        "property",
        "{place}自来水水压不足",
        "{place}高层住户自来水水压不足，早晚用水高峰时几乎停水。",
        "已协调物业检修二次供水加压泵，水压已恢复正常。",
        where=COMMUNITY,
        weight=5,
    ),
    _demand(
        "property",
        "{place}绿化树木遮挡采光",
        "{place}楼前树木多年未修剪，枝叶遮挡低层住户窗户。",
        "已协调物业对楼前树木进行修剪，低层住户采光已改善。",
        where=COMMUNITY,
        months=(4, 5, 6, 7, 8, 9),
        weight=4,
    ),
    _demand(
        "neighbours",
        "{place}楼上漏水",
        "{place}楼上住户家中漏水，渗到楼下住户顶棚，楼上住户长期不在家，联系不上。",
        "联系到楼上业主返回处理，已关闭阀门并维修漏点。",
        where=COMMUNITY,
        weight=8,
    ),
    _demand(
        "neighbours",
        "{place}楼道堆放杂物",
        "{place}楼道内堆放杂物、停放自行车，影响通行。",
        "入户劝导，住户已将杂物清理，楼道恢复畅通。",
        where=COMMUNITY,
        weight=7,
    ),
    _demand(
        "neighbours",
        "{place}遛狗不拴绳",
        "{place}有居民遛狗不拴绳，犬只追赶儿童，居民担心安全。",
        "会同民警开展文明养犬宣传，对犬主进行劝导，犬主承诺外出拴绳。",
        weight=6,
    ),
    _demand(
        "neighbours",
        "{place}空调外机噪音",
        "{place}邻居空调外机正对卧室窗户，夜间噪音大。",
        "经协调，邻居将空调外机移位并加装减震垫，噪音已减小。",
        where=COMMUNITY,
        months=(6, 7, 8),
        weight=4,
    ),
    _demand(
        "construction",
        "{place}路面坑洼积水",
        "{place}路面坑洼不平，雨后积水，行人车辆通行困难。",
        "已协调镇村建部门对路面进行修补，积水问题已解决。",
        weight=8,
    ),
    _demand(
        "construction",
        "{place}施工围挡占用人行道",
        "{place}附近施工围挡占用人行道，行人只能走机动车道。",
        "已督促施工单位调整围挡位置，留出人行通道并设置警示标志。",
        weight=4,
    ),
    _demand(
        "traffic",
        "{place}车辆乱停堵塞通道",
        "{place}车辆乱停乱放，堵塞小区出入口，救护车、消防车无法通行。",
        "已协调物业施划停车位、设置禁停标志，并联系车主挪车。",
        weight=10,
    ),
    _demand(
        "traffic",
        "{place}路口缺少减速带",
        "{place}路口车辆车速快，学生上下学存在安全隐患，希望设置减速带。",
        "已协调交通部门在路口安装减速带和警示牌。",
        weight=4,
    ),
    _demand(
        "consumer",
        "{place}超市出售过期食品",
        "{name}在{place}附近超市购买的食品已过保质期，要求商家退换。",
        "已联系市场监管所核查，商家已为{name}退货并下架过期商品。",
        weight=4,
    ),
    _demand(
        "labour",
        "{place}工资拖欠求助",
        "{name}在外务工，被拖欠工资{amount}元，希望帮助讨要。",
        "已协调劳动保障监察大队介入，用工方已支付拖欠工资。",
        amount=(2000, 20000),
        months=BEFORE_SPRING_FESTIVAL,
        weight=8,
    ),
    _demand(
        "other",
        "{place}路灯不亮",
        "{place}路灯不亮多日，夜间出行不便。",
        "已协调路灯维护单位检修，路灯已恢复照明。",
        weight=12,
    ),
    _demand(
        "other",
        "{place}停水未提前通知",
        "{place}突然停水，未提前通知，居民生活受影响。",
        "已联系供水公司，系管道抢修，已恢复供水，并要求今后提前公告。",
        weight=6,
    ),
    _demand(
        "other",
        "{place}村道破损",
        "{place}通往农田的村道破损严重，农机无法通行。",
        "村委会组织修补村道，已恢复通行。",
        where=VILLAGE,
        weight=6,
    ),
    _demand(
        "other",
        "{place}冬季道路积雪结冰",
        "{place}道路积雪结冰，老人孩子出行容易滑倒。",
        "已组织人员清扫积雪、撒融雪剂，道路已通畅。",
        months=(12, 1, 2, 3),
        weight=8,
    ),
    _demand(
        "other",
        "{place}流浪犬聚集",
        "{place}附近有多只流浪犬聚集，夜间吠叫，居民担心被咬伤。",
        "已联系相关部门将流浪犬收容处置。",
        weight=4,
    ),
    _demand(
        "other",
        "{place}申请临时救助",
        "{name}家中突发变故，生活困难，申请临时救助。",
        "已协助{name}向民政办提交临时救助申请，救助金已发放。",
        weight=4,
    ),
)

# ------------------------------------------------------------ consultations
CONSULTATIONS: tuple[Template, ...] = (
    _consultation(
        "咨询低保申请条件",
        "{name}咨询最低生活保障的申请条件和办理流程。",
        "已向{name}解答低保申请条件、所需材料和办理流程，告知到社区提交申请。",
    ),
    _consultation(
        "咨询高龄津贴办理",
        "{name}咨询高龄津贴的领取条件和办理方式。",
        "已解答高龄津贴领取条件，指导其通过社区代办。",
    ),
    _consultation(
        "咨询宅基地审批流程",
        "{name}咨询翻建房屋需要办理的宅基地审批手续。",
        "已告知宅基地审批流程及所需材料，建议先向村委会提出申请。",
        category="land",
    ),
    _consultation(
        "咨询离婚诉讼程序",
        "{name}咨询离婚诉讼的程序和子女抚养权问题。",
        "已向其讲解离婚诉讼程序和抚养权判定原则，告知可申请法律援助。",
        category="family",
    ),
    _consultation(
        "咨询解除劳动合同经济补偿",
        "{name}咨询被单位辞退后能否获得经济补偿。",
        "已向其解释劳动合同法关于经济补偿的规定，告知可向劳动保障监察大队投诉。",
        category="labour",
    ),
    _consultation(
        "咨询法律援助申请",
        "{name}咨询申请法律援助的条件。",
        "已告知法律援助申请条件和所需材料，引导其到司法所办理。",
    ),
    _consultation(
        "咨询房屋继承过户手续",
        "{name}咨询父母去世后房屋继承过户的手续。",
        "已告知继承公证和不动产登记的办理流程及所需材料。",
        category="family",
    ),
    _consultation(
        "咨询物业费收费标准",
        "{name}咨询小区物业费收费标准是否合理。",
        "已向其介绍物业服务收费的相关规定和备案标准。",
        category="property",
    ),
    _consultation(
        "咨询交通事故赔偿标准",
        "{name}咨询交通事故中误工费、护理费的计算标准。",
        "已向其解答赔偿项目和计算标准，建议保留好票据。",
        category="traffic",
    ),
    _consultation(
        "咨询残疾人补贴政策",
        "{name}咨询残疾人两项补贴的申领条件。",
        "已解答残疾人生活补贴和护理补贴的申领条件，指导其准备材料。",
    ),
)

# ------------------------------------------------------------------ hazards
HAZARDS: tuple[Template, ...] = (
    _hazard(
        "other",
        "{place}楼道内电动车充电",
        "{place}有住户将电动车推入楼道并私拉电线充电，存在火灾隐患。",
        "入户宣传，住户已将电动车移至集中充电点，私拉电线已拆除。",
        weight=12,
    ),
    _hazard(
        "other",
        "{place}消防通道被占用",
        "{place}消防通道被车辆和杂物长期占用。",
        "已协调物业清理消防通道杂物并联系车主挪车，设置禁停标识。",
        weight=10,
    ),
    _hazard(
        "construction",
        "{place}窨井盖破损",
        "{place}窨井盖破损下陷，行人车辆经过存在安全隐患。",
        "已设置警示标志并联系产权单位更换井盖。",
        weight=8,
    ),
    _hazard(
        "construction",
        "{place}危旧房屋墙体开裂",
        "{place}一处老旧房屋墙体开裂，房内仍有老人居住。",
        "村委会协助老人临时搬离，联系危房改造项目进行加固。",
        where=VILLAGE,
        weight=5,
    ),
    _hazard(
        "other",
        "{place}老旧电线私拉乱接",
        "{place}院内电线老化、私拉乱接，雨天有漏电风险。",
        "已联系供电所对线路进行整改，更换老化电线。",
        weight=6,
    ),
    _hazard(
        "other",
        "{place}燃气管道锈蚀",
        "{place}户外燃气管道锈蚀严重。",
        "已通知燃气公司检修，对锈蚀管段进行更换和防腐处理。",
        where=COMMUNITY,
        weight=4,
    ),
    _hazard(
        "other",
        "{place}屋檐冰溜子坠落隐患",
        "{place}楼檐挂有较大冰溜子，有坠落伤人风险。",
        "已协调物业清除冰溜子，并在楼下设置警示区域。",
        months=(12, 1, 2),
        weight=5,
    ),
    _hazard(
        "environment",
        "{place}河道护栏缺失",
        "{place}河道边护栏缺失，儿童在附近玩耍存在落水风险。",
        "已设置临时围挡和警示牌，协调水利部门补装护栏。",
        where=VILLAGE,
        months=(5, 6, 7, 8),
        weight=4,
    ),
)

# --------------------------------------------------------------- emergencies
EMERGENCIES: tuple[Template, ...] = (
    _emergency(
        "other",
        "{place}燃气泄漏险情",
        "{place}单元内闻到浓烈燃气味，疑似燃气泄漏。",
        "消防救援站和燃气公司赶到现场，关闭阀门、开窗通风，疏散住户{people}人，更换破损软管，险情排除。",
        where=COMMUNITY,
        people=(10, 40),
    ),
    _emergency(
        "other",
        "{place}彩钢房起火",
        "{place}一处彩钢房起火，火势较大。",
        "消防救援站出警扑灭明火，无人员伤亡，镇应急办组织善后并开展消防安全排查。",
        people=(2, 6),
    ),
    _emergency(
        "environment",
        "{place}暴雨致道路积水",
        "突降暴雨，{place}低洼路段积水深约半米，有车辆被困。",
        "应急办组织抽水，民警疏导交通，被困车辆人员全部安全转移，积水已排除。",
        people=(5, 20),
        months=SUMMER,
    ),
    _emergency(
        "other",
        "{place}老人走失",
        "{place}一名患阿尔茨海默病的老人早上外出后未归，家属多方寻找未果。",
        "派出所、网格员和志愿者联合寻找，两小时后在镇区找到老人，已安全送回家。",
    ),
    _emergency(
        "labour",
        "{company}项目部农民工聚集讨薪",
        "{people}名农民工聚集在{company}项目部讨要工资，情绪激动，有扩大趋势。",
        "镇领导、派出所和劳动保障监察大队赶到现场疏导，约谈企业负责人，当场制定支付方案，"
        "聚集人员有序散去。",
        respondent=BUILDER,
        people=(12, 35),
        months=BEFORE_SPRING_FESTIVAL,
    ),
)

# ------------------------------------------------------------------ openings
# How the account begins: where the matter came from.
OPENINGS: dict[str, str] = {
    "walk_in": "【来访】",
    "phone": "【来电】",
    "letter": "【来信】",
    "hotline_12345": "【12345工单】",
    "grid_report": "【网格上报·{reporter}】",
    "daily_log": "【民情日志·{reporter}】",
    "online": "【网上留言】",
    "referral": "【万泉人民法庭诉前委派调解】",
    "screening": "【{village}排查】",
}
# Demands, hazards and emergencies are told as what the resident said.
SAID = {"demand": "{name}反映：", "hazard": "{name}反映：", "emergency": "{name}报告："}

# ------------------------------------------------------------------ step notes
ACCEPT_NOTES = ("", "经初步核实，予以受理。", "属于受理范围，予以受理。")
DISPATCH_NOTES = ("请按时限办理并反馈。", "请尽快联系当事人。", "")
START_NOTES = ("已联系当事人，约定时间上门。", "已到现场核实情况。", "")
FEEDBACK_NOTES = (
    "已向{name}反馈受理情况和调解安排。",
    "已电话告知{name}办理进展。",
)
INITIAL_OPINION_NOTES = (
    "初步办理意见：查清事实、分清责任，先由调解员分别做双方工作，再组织联合调解。",
    "初步办理意见：邀请司法所、村干部共同参与，依据确权资料和合同约定进行调解。",
)
CLOSE_NOTES = (
    "回访：当事人对处理结果表示满意，予以办结归档。",
    "电话回访，当事人表示满意，办结。",
    "网格员入户回访，问题已解决，予以办结。",
)
CLOSE_NOTES_DISPUTE = (*CLOSE_NOTES, "回访：协议已履行完毕，当事人满意，办结归档。")
REJECT_NOTES = (
    "经核实反映情况不属实，不予受理，已向反映人说明。",
    "反映事项属于法院已生效判决的执行问题，不属于受理范围，已告知其向法院申请执行。",
    "反映事项已通过诉讼途径处理，不予受理，已做好解释工作。",
)
MERGE_NOTES = ("与{target}反映的是同一事项，合并办理。", "重复来电，并入{target}一并办理。")
RETURN_NOTES = ("该事项不在本网格范围，退回重新派遣。", "涉及专业问题，本人无法处理，申请退回。")
REASSIGN_NOTES = ("原承办人外出学习，改派他人办理。", "根据事项性质调整承办人。")
SUSPEND_NOTES = (
    "当事人外出务工，待其返乡后继续调解，中止计时。",
    "等待房屋鉴定结果，中止计时。",
    "当事人住院治疗，暂停调解，中止计时。",
)
RESUME_NOTES = ("当事人已返回，恢复办理。", "鉴定结果已出，恢复计时。", "")
EXTENSION_NOTES = (
    "涉及多方当事人，需进一步调查取证，申请延期。",
    "需等待相关部门出具意见，申请延期。",
)
APPROVE_NOTES = ("同意延期，请抓紧办理。", "")
DENY_NOTES = ("时限内可以办结，不同意延期。",)
REGRADE_NOTES = ("涉及人数增加，矛盾有激化风险，调整为重要矛盾纠纷。",)
ESCALATE_NOTES = ("村级调解未能化解，上报镇综治中心。", "涉及面较广，村级无法处理，申请上报。")
# The iron triangle (铁三角): a unit head's report that the grid, then the village, cannot
# settle, up to the town and on to the judicial office.
TRIANGLE_NOTES = {
    "feedback": "已向双方反馈：网格员两次上门查看渗漏情况，正在协调。",
    "grid": "网格员两次上门协调，双方对渗漏原因和赔偿各执一词，网格无法化解，上报村（社区）。",
    "dispatch": "交社区人民调解委员会调解。",
    "start": "调委会约双方到社区调解室，查看渗漏照片。",
    "village": "双方对责任认定分歧大，需专业鉴定，社区调委会调解未果，上报镇综治中心。",
    "transfer": "需做漏水检测和责任认定，移交万泉司法所组织专业调解。",
}
ESCALATE_ABOVE_NOTES = ("涉及跨区域问题，镇级无法解决，上报区综治中心协调。",)
TRANSFER_NOTES = {
    "court": "当事人同意诉讼解决，移交万泉人民法庭。",
    "police": "涉嫌治安案件，移交万泉派出所处理。",
    "judicial": "属法律咨询和法律援助事项，移交万泉司法所。",
    "labour": "属劳动保障监察事项，移交劳动保障监察大队。",
    "market": "属消费维权事项，移交市场监督管理所。",
    "fire": "涉及消防安全，移交万泉消防救援站。",
    "emergency": "突发事件，移交镇应急管理办公室处置。",
    "civil_affairs": "属社会救助事项，移交镇民政办。",
}
TRANSFER_RESOLUTIONS = {
    "court": "万泉人民法庭已立案并组织庭前调解，双方达成调解协议。",
    "police": "派出所已依法处理，当事人对处理结果无异议。",
    "judicial": "司法所已提供法律咨询并为其指派法律援助。",
    "labour": "劳动保障监察大队已责令用工单位支付拖欠工资。",
    "market": "市场监督管理所已调查处理，商家已退赔。",
    "fire": "消防救援站已督促整改，隐患已消除。",
    "emergency": "应急管理办公室已妥善处置。",
    "civil_affairs": "民政办已审核并发放救助。",
}
REOPEN_NOTES = ("回访发现对方未按协议履行，重新启动调解。",)

# ---------------------------------------------------------------- the story
# The walkthrough of the seed: 田秀兰's windows and balcony shaded by untrimmed trees.
STORY_TITLE = "万泉佳苑B区杨柳树遮挡采光纠纷"
STORY_ACCOUNT = (
    "【网格上报·孙悦】万泉佳苑B区3号楼2单元402室居民田秀兰反映：楼前杨树、柳树多年未修剪，"
    "枝叶遮挡窗户与阳台，采光严重不足。田秀兰多次向万泉佳苑物业服务有限公司反映，物业一直"
    "未予处理，双方因此产生矛盾。网格员入户核实，情况属实。"
)
STORY_PLACE = "万泉佳苑B区3号楼前"
STORY_OTHERS_PRESENT = "万泉佳苑物业服务有限公司项目经理王志强，社区网格员孙悦"
STORY_MINUTES = (
    "调解员刘建国：今天请双方到楼前现场，一起看看树木遮挡的情况。田秀兰，您先说说。\n"
    "田秀兰：楼前这几棵杨树、柳树好几年没修剪了，枝条都伸到窗户和阳台跟前，白天屋里也得开灯。"
    "我跟物业说了好几回，一直没人管。\n"
    "物业项目经理王志强：小区绿化修剪是我们的责任。前一阵园林队人手紧，没有及时回应，"
    "这一点我们承认，向田阿姨道歉。\n"
    "调解员刘建国：按物业服务合同，公共绿地的管护责任在物业公司，这一点是明确的。"
    "修剪需要多长时间？\n"
    "王志强：联系园林队、办好修剪手续，十天左右能修完。\n"
    "田秀兰：只要按时修好，以后别再长成这样就行。\n"
    "调解员刘建国：那就约定5月25日前修剪完毕，枝条修到不遮挡窗户和阳台；以后每年春、秋两季"
    "各修剪一次，纳入小区绿化长效养护计划，由社区监督落实。双方同意吗？\n"
    "田秀兰：同意。\n"
    "王志强：同意，我们按时修剪，今后常态化做好绿化养护。"
)
STORY_FACTS = (
    "万泉佳苑B区3号楼楼前杨树、柳树多年未修剪，枝叶遮挡田秀兰家（3号楼2单元402室）窗户与阳台，"
    "致使家中采光严重不足。田秀兰多次与物业公司沟通无果，双方矛盾激化，网格员孙悦上报综治中心。"
)
STORY_MATTERS = "楼前树木的管护责任，修剪方案、时限和今后的长效管护。"
STORY_TERM = "修剪3号楼前杨树、柳树，枝条修至不遮挡田秀兰家窗户与阳台"
STORY_TERM_MANNER = "物业公司联系园林队修剪，修剪后通知田秀兰确认"
STORY_UPKEEP = "每年春、秋两季各修剪一次，纳入小区绿化长效养护计划，由社区监督落实"
STORY_RESOLUTION = (
    "调解成功，双方达成协议：物业公司于2026年5月25日前修剪3号楼前杨树、柳树，枝条修至不遮挡"
    "窗户与阳台；此后每年春、秋两季各修剪一次，纳入小区绿化长效养护计划，由社区监督落实。"
    "双方签订人民调解协议书。"
)
STORY_FOLLOWUPS = (
    "物业公司已联系园林队，定于本周末修剪，田秀兰表示等修完再看。",
    "物业已按约完成修剪，窗户、阳台采光恢复。田秀兰说：“屋里终于亮堂了，心里也亮堂了。”",
    "采光正常，物业已将楼前绿化纳入春、秋两季养护计划。",
)
STORY_CLOSE = "协议已履行，三次回访当事人均满意，物业已建立长效养护，予以办结归档。"
