"""The simulator's reproducible Fuzhou job market: occupations, employers, places, wording.

`make_posting(seed, index, version, epoch)` builds posting `index` deterministically: the same
seed always gives the same data set, of any size, without storing it.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from backend.districts import DISTRICTS
from backend.occupations import OCCUPATIONS, Education

SITE_URL = "https://fzjob.example.cn"


@dataclass(frozen=True)
class Trade:
    """How postings of one occupation look: titles, duties, skills, pay, schooling, share."""

    code: str
    titles: tuple[str, ...]
    duties: tuple[str, ...]
    skills: tuple[str, ...]
    pay: tuple[int, int]  # typical monthly minimum, typical monthly maximum
    education: tuple[Education, ...]  # drawn uniformly: repeat a level to weigh it
    industries: tuple[str, ...]
    weight: int  # relative share of postings
    hubs: tuple[str, ...] = ()  # districts where this trade clusters


E = Education
TRADES: tuple[Trade, ...] = (
    Trade(
        "4-01-02-01",
        ("销售代表", "门店销售", "电话销售", "销售专员", "大客户销售"),
        (
            "开发和维护客户关系，完成月度销售指标",
            "向顾客介绍产品并促成成交",
            "收集市场信息，反馈客户需求",
            "参加公司组织的产品培训和促销活动",
        ),
        ("沟通表达能力强", "有销售经验者优先", "能接受外出拜访客户", "熟练使用办公软件"),
        (4000, 9000),
        (E.HIGH_SCHOOL, E.JUNIOR_COLLEGE, E.JUNIOR_COLLEGE, E.NONE),
        ("商贸", "营销策划", "医疗器械", "建材"),
        14,
    ),
    Trade(
        "4-01-01-02",
        ("超市营业员", "门店导购", "收银员", "理货员"),
        ("负责商品陈列和补货", "为顾客提供导购服务", "负责收银及日常对账", "协助店长完成门店盘点"),
        ("服务意识强", "能适应轮班", "有零售经验者优先", "为人诚实细心"),
        (3200, 5500),
        (E.NONE, E.JUNIOR_MIDDLE, E.HIGH_SCHOOL),
        ("商贸", "超市连锁", "百货"),
        8,
    ),
    Trade(
        "4-01-02-02",
        ("电商运营", "直播运营", "网店客服", "新媒体运营"),
        (
            "负责网店日常运营和商品上架",
            "策划直播活动并分析数据",
            "回复顾客咨询，处理售后问题",
            "撰写推广文案，运营短视频账号",
        ),
        ("熟悉淘宝、抖音等平台规则", "会用Excel做数据分析", "有电商运营经验者优先", "文字功底好"),
        (4500, 9000),
        (E.HIGH_SCHOOL, E.JUNIOR_COLLEGE, E.BACHELOR),
        ("电子商务", "网络科技", "文化传媒"),
        7,
        ("350102", "350103"),
    ),
    Trade(
        "4-07-02-03",
        ("客服专员", "在线客服", "售后客服", "呼叫中心坐席"),
        (
            "通过电话和网络解答客户咨询",
            "受理客户投诉并跟进处理结果",
            "记录客户反馈，整理服务工单",
            "回访客户，维护客户满意度",
        ),
        ("普通话标准", "打字速度每分钟50字以上", "耐心细致，有服务意识", "能接受排班"),
        (3500, 6000),
        (E.HIGH_SCHOOL, E.JUNIOR_COLLEGE, E.JUNIOR_COLLEGE),
        ("信息服务", "通信", "金融外包"),
        6,
    ),
    Trade(
        "4-02-07-02",
        ("快递员", "外卖骑手", "同城配送员"),
        (
            "负责片区快递的收取和派送",
            "按时完成配送任务",
            "维护客户关系，处理签收问题",
            "保管好快件和配送车辆",
        ),
        ("吃苦耐劳", "熟悉福州道路", "有电动车驾驶经验", "身体健康"),
        (5000, 9000),
        (E.NONE, E.JUNIOR_MIDDLE),
        ("物流", "快递", "同城配送"),
        6,
    ),
    Trade(
        "4-02-06-01",
        ("仓管员", "仓库管理员", "物流专员"),
        (
            "负责货物出入库登记和盘点",
            "维护仓库系统数据准确",
            "安排货物摆放，保持仓库整洁",
            "配合物流部门完成发货",
        ),
        ("会使用电脑和仓储系统", "细心负责", "有叉车证者优先", "能适应倒班"),
        (4000, 6500),
        (E.JUNIOR_MIDDLE, E.HIGH_SCHOOL, E.HIGH_SCHOOL),
        ("物流", "供应链管理", "商贸"),
        4,
        ("350105", "350112"),
    ),
    Trade(
        "4-02-02-02",
        ("货车司机", "配送司机", "叉车司机"),
        (
            "负责公司货物的运输配送",
            "做好车辆日常检查和保养",
            "按路线准时送达货物",
            "办理货物交接手续",
        ),
        ("持B2及以上驾照", "驾龄三年以上", "无重大事故记录", "熟悉福州及周边路况"),
        (6000, 10000),
        (E.NONE, E.JUNIOR_MIDDLE),
        ("物流", "建材", "食品"),
        3,
    ),
    Trade(
        "4-03-02-05",
        ("餐厅服务员", "包厢服务员", "传菜员", "储备店长"),
        (
            "负责餐厅客人接待和点餐",
            "保持餐厅卫生整洁",
            "协助领班做好开餐准备",
            "处理顾客意见，提升服务质量",
        ),
        ("形象好，有服务意识", "能吃苦耐劳", "有餐饮经验者优先", "包吃住"),
        (3500, 5500),
        (E.NONE, E.JUNIOR_MIDDLE, E.HIGH_SCHOOL),
        ("餐饮管理", "酒店管理"),
        6,
        ("350103", "350102"),
    ),
    Trade(
        "4-03-02-01",
        ("厨师", "闽菜厨师", "帮厨", "面点师"),
        (
            "负责菜品的加工和烹饪",
            "把控出品质量和食材安全",
            "研发当季新菜品",
            "保持厨房卫生，遵守食品安全规定",
        ),
        ("有健康证", "有闽菜经验者优先", "能适应早晚班", "持中式烹调师证书者优先"),
        (5000, 9000),
        (E.NONE, E.JUNIOR_MIDDLE, E.HIGH_SCHOOL),
        ("餐饮管理", "酒店管理", "团餐服务"),
        4,
    ),
    Trade(
        "4-03-02-08",
        ("咖啡师", "奶茶店员", "茶饮门店店员"),
        ("制作咖啡和饮品", "负责吧台清洁和物料管理", "为顾客提供点单服务", "参与门店活动推广"),
        ("热爱咖啡饮品行业", "有咖啡师证书者优先", "形象气质佳", "能接受周末上班"),
        (3800, 6000),
        (E.HIGH_SCHOOL, E.JUNIOR_COLLEGE),
        ("餐饮管理", "茶饮连锁"),
        2,
        ("350102", "350104"),
    ),
    Trade(
        "4-03-01-01",
        ("酒店前台", "前厅接待", "礼宾员"),
        (
            "办理客人入住和退房手续",
            "接听预订电话，处理客人需求",
            "负责前台收银和账目核对",
            "维护大堂秩序",
        ),
        ("普通话标准，会简单英语", "形象气质佳", "能适应三班倒", "有酒店经验者优先"),
        (3800, 5500),
        (E.HIGH_SCHOOL, E.JUNIOR_COLLEGE),
        ("酒店管理", "旅游服务"),
        3,
    ),
    Trade(
        "4-10-01-05",
        ("养老护理员", "护工", "养老院护理员"),
        (
            "照料老人日常起居和饮食",
            "协助老人康复训练",
            "观察老人身体状况并记录",
            "保持房间清洁卫生",
        ),
        ("有爱心和耐心", "持养老护理员证书者优先", "身体健康", "能接受轮班"),
        (4500, 7000),
        (E.NONE, E.JUNIOR_MIDDLE, E.HIGH_SCHOOL),
        ("健康养老", "护理服务", "医疗服务"),
        4,
    ),
    Trade(
        "4-10-01-02",
        ("育婴师", "月嫂", "早教助理"),
        ("负责婴幼儿日常护理和喂养", "指导家长科学育儿", "记录婴幼儿成长情况", "协助开展早教活动"),
        ("有育婴员证书", "有带娃经验", "细心负责，有爱心", "持健康证"),
        (6000, 12000),
        (E.JUNIOR_MIDDLE, E.HIGH_SCHOOL),
        ("家政服务", "母婴护理"),
        2,
    ),
    Trade(
        "4-10-01-06",
        ("家政服务员", "保洁员", "钟点工"),
        ("负责家庭或办公场所清洁", "整理收纳和衣物洗护", "按照服务标准完成工单", "爱护客户物品"),
        ("勤快踏实", "有家政经验优先", "能接受公司培训", "身体健康"),
        (3500, 6000),
        (E.NONE, E.JUNIOR_MIDDLE),
        ("家政服务", "物业服务"),
        3,
    ),
    Trade(
        "3-02-03-01",
        ("保安", "物业秩序维护员", "门岗保安"),
        ("负责小区或园区的安全巡逻", "做好来访人员登记", "维护停车秩序", "处理突发事件并及时上报"),
        ("身体健康，退伍军人优先", "能适应值夜班", "持保安员证", "责任心强"),
        (3500, 5000),
        (E.NONE, E.JUNIOR_MIDDLE, E.HIGH_SCHOOL),
        ("物业服务", "安保服务"),
        4,
    ),
    Trade(
        "3-01-02-01",
        ("行政文员", "前台文员", "行政专员", "办公室文员"),
        ("负责公司文件收发和档案整理", "接待来访客户", "办公用品采购和管理", "协助组织会议和活动"),
        ("熟练使用Office办公软件", "做事细致有条理", "沟通协调能力好", "有行政工作经验优先"),
        (3500, 5500),
        (E.HIGH_SCHOOL, E.JUNIOR_COLLEGE, E.BACHELOR),
        ("企业管理", "商贸", "建筑工程"),
        5,
    ),
    Trade(
        "2-06-03-01",
        ("会计", "出纳", "财务助理", "税务会计"),
        ("负责日常账务处理和凭证录入", "编制财务报表", "办理报税和银行业务", "协助做好成本核算"),
        ("持初级会计证书", "熟悉金蝶或用友财务软件", "有一般纳税人账务经验优先", "工作认真严谨"),
        (4500, 8000),
        (E.JUNIOR_COLLEGE, E.BACHELOR, E.BACHELOR),
        ("财务咨询", "商贸", "制造"),
        4,
    ),
    Trade(
        "2-06-07-03",
        ("人事专员", "招聘专员", "人力资源助理"),
        ("负责员工招聘和面试安排", "办理员工入离职和社保手续", "维护员工档案", "组织员工培训"),
        ("熟悉劳动法律法规", "有招聘渠道资源", "沟通能力强", "人力资源管理专业优先"),
        (4500, 7500),
        (E.JUNIOR_COLLEGE, E.BACHELOR),
        ("人力资源服务", "企业管理", "制造"),
        3,
    ),
    Trade(
        "4-07-03-03",
        ("职业指导师", "就业服务专员", "职业规划顾问"),
        (
            "为求职者提供职业咨询和指导",
            "组织就业讲座和招聘会",
            "跟踪服务对象就业情况",
            "整理就业服务台账",
        ),
        ("有职业指导师证书者优先", "熟悉就业政策", "善于沟通", "心理学或人力资源专业优先"),
        (4500, 7000),
        (E.JUNIOR_COLLEGE, E.BACHELOR),
        ("人力资源服务", "教育咨询"),
        1,
    ),
    Trade(
        "2-02-10-03",
        ("Java开发工程师", "后端开发工程师", "软件工程师", "Python开发工程师"),
        (
            "负责业务系统的设计和开发",
            "编写技术文档和单元测试",
            "参与需求分析和代码评审",
            "优化系统性能，排查线上问题",
        ),
        ("熟悉Java或Python", "熟悉MySQL数据库", "有Web项目开发经验", "计算机相关专业"),
        (8000, 15000),
        (E.JUNIOR_COLLEGE, E.BACHELOR, E.BACHELOR, E.MASTER),
        ("软件", "网络科技", "信息技术"),
        4,
        ("350102", "350111"),
    ),
    Trade(
        "4-04-05-01",
        ("前端开发工程师", "程序员", "小程序开发"),
        (
            "负责网页和小程序前端开发",
            "与设计师配合实现页面效果",
            "对接后端接口",
            "维护和优化现有代码",
        ),
        (
            "熟悉HTML、CSS、JavaScript",
            "会用Vue或React框架",
            "有小程序开发经验优先",
            "计算机相关专业",
        ),
        (7000, 13000),
        (E.JUNIOR_COLLEGE, E.BACHELOR),
        ("软件", "网络科技", "信息技术"),
        3,
        ("350102", "350111"),
    ),
    Trade(
        "4-04-05-02",
        ("软件测试工程师", "测试员", "质量保障专员"),
        ("编写测试用例并执行测试", "记录和跟踪软件缺陷", "参与需求评审", "编写测试报告"),
        ("熟悉软件测试流程", "会写SQL", "有自动化测试经验者优先", "工作细心有耐心"),
        (6000, 11000),
        (E.JUNIOR_COLLEGE, E.BACHELOR),
        ("软件", "信息技术"),
        2,
        ("350102",),
    ),
    Trade(
        "4-04-04-01",
        ("网络运维工程师", "IT运维", "网络管理员"),
        (
            "负责公司网络和服务器维护",
            "处理员工电脑和网络故障",
            "做好数据备份和安全防护",
            "管理机房设备",
        ),
        ("熟悉Windows和Linux系统", "有网络设备配置经验", "持网络工程师证书优先", "能接受值班"),
        (6000, 10000),
        (E.JUNIOR_COLLEGE, E.BACHELOR),
        ("信息技术", "通信", "网络科技"),
        2,
    ),
    Trade(
        "2-02-10-04",
        ("网络工程师", "数据标注员", "人工智能训练师"),
        (
            "负责网络规划和设备调试",
            "按规范完成数据标注和质检",
            "配合算法团队整理训练数据",
            "编写工作文档",
        ),
        ("计算机相关专业", "细心认真", "会使用办公软件", "有相关经验者优先"),
        (5000, 10000),
        (E.JUNIOR_COLLEGE, E.BACHELOR),
        ("信息技术", "人工智能", "网络科技"),
        2,
        ("350102", "350105"),
    ),
    Trade(
        "2-09-06-07",
        ("平面设计师", "美工", "视觉设计师"),
        ("负责海报和宣传物料设计", "完成网店页面美工", "配合运营制作活动图片", "整理设计素材库"),
        ("熟练使用Photoshop和Illustrator", "有良好审美", "提供作品集", "设计类专业"),
        (5000, 9000),
        (E.JUNIOR_COLLEGE, E.BACHELOR),
        ("文化传媒", "广告", "电子商务"),
        2,
    ),
    Trade(
        "2-08-06-01",
        ("幼儿园教师", "幼师", "保育员"),
        ("负责幼儿日常教学活动", "照顾幼儿生活起居", "与家长保持沟通", "布置教室环境"),
        ("学前教育专业", "持幼儿教师资格证", "有爱心和耐心", "普通话二级乙等以上"),
        (4000, 6500),
        (E.JUNIOR_COLLEGE, E.BACHELOR),
        ("教育", "幼儿园"),
        3,
    ),
    Trade(
        "2-05-08-01",
        ("护士", "门诊护士", "社区护士"),
        ("负责病人日常护理工作", "执行医嘱，做好护理记录", "协助医生完成诊疗", "开展健康宣教"),
        ("持护士执业证", "护理专业毕业", "能适应倒班", "有医院工作经验优先"),
        (5000, 8000),
        (E.JUNIOR_COLLEGE, E.BACHELOR),
        ("医疗服务", "民营医院", "社区卫生"),
        3,
    ),
    Trade(
        "4-12-01-01",
        ("汽车维修工", "汽修学徒", "钣金喷漆工"),
        ("负责车辆的维修和保养", "诊断车辆故障", "完成钣金和喷漆作业", "保持车间整洁"),
        ("持汽车维修工证书者优先", "有4S店经验优先", "能吃苦耐劳", "接受学徒"),
        (4500, 9000),
        (E.JUNIOR_MIDDLE, E.HIGH_SCHOOL),
        ("汽车服务", "汽车销售"),
        3,
        ("350121",),
    ),
    Trade(
        "4-13-04-01",
        ("健身教练", "私人教练", "游泳教练"),
        ("为会员制定训练计划", "指导会员正确训练", "开发和维护会员", "带领团体课程"),
        ("持健身教练证书", "身材匀称，热爱运动", "有销售意识", "体育专业优先"),
        (5000, 12000),
        (E.HIGH_SCHOOL, E.JUNIOR_COLLEGE),
        ("体育健身", "文化体育"),
        2,
    ),
    Trade(
        "6-02-01-01",
        ("烘焙师", "面包师", "蛋糕裱花师"),
        ("负责面包和蛋糕制作", "控制产品质量和食品卫生", "研发新品", "做好原料管理"),
        ("有健康证", "有烘焙经验者优先", "能早起上班", "接受学徒"),
        (4000, 7000),
        (E.NONE, E.JUNIOR_MIDDLE, E.HIGH_SCHOOL),
        ("食品", "烘焙连锁"),
        2,
    ),
    Trade(
        "6-04-02-01",
        ("纺纱工", "挡车工", "细纱操作工"),
        (
            "负责纺纱设备的看管和操作",
            "及时处理断头等问题",
            "做好交接班和设备清洁",
            "配合完成产量指标",
        ),
        ("能适应两班倒", "有纺织厂经验优先", "视力良好", "吃苦耐劳"),
        (5000, 8000),
        (E.NONE, E.JUNIOR_MIDDLE),
        ("纺织", "化纤"),
        4,
        ("350112", "350181"),
    ),
    Trade(
        "6-05-03-01",
        ("缝纫工", "车位工", "服装质检员"),
        ("负责服装缝制", "按工艺要求完成生产", "检查成衣质量", "保持机台整洁"),
        ("熟练使用平车", "有服装厂经验优先", "计件工资多劳多得", "包吃住"),
        (4500, 8000),
        (E.NONE, E.JUNIOR_MIDDLE),
        ("服装", "纺织"),
        3,
        ("350112", "350181"),
    ),
    Trade(
        "6-25-04-02",
        ("电子厂普工", "操作工", "电子装配工", "质检员"),
        ("按作业指导书完成产品组装", "负责产品外观和功能检验", "做好生产记录", "遵守车间5S管理"),
        ("视力良好，无色盲", "能适应倒班", "有电子厂经验优先", "长期稳定"),
        (4500, 7000),
        (E.NONE, E.JUNIOR_MIDDLE, E.HIGH_SCHOOL),
        ("电子", "光电", "智能制造"),
        6,
        ("350105", "350121", "350181"),
    ),
    Trade(
        "6-18-02-04",
        ("焊工", "电焊工", "氩弧焊工"),
        ("按图纸完成焊接作业", "检查焊缝质量", "维护焊接设备", "遵守安全生产规定"),
        ("持焊工证", "有钢结构焊接经验", "能看懂图纸", "吃苦耐劳"),
        (6000, 10000),
        (E.NONE, E.JUNIOR_MIDDLE, E.HIGH_SCHOOL),
        ("机械制造", "钢结构", "船舶"),
        2,
        ("350105", "350122"),
    ),
    Trade(
        "6-18-01-01",
        ("车工", "数控车床操作工", "CNC操作员"),
        ("操作数控车床加工零件", "按图纸检验加工尺寸", "调整刀具和程序", "做好设备保养"),
        ("会看机械图纸", "有数控车床经验", "会简单编程者优先", "能适应倒班"),
        (5500, 9000),
        (E.JUNIOR_MIDDLE, E.HIGH_SCHOOL),
        ("机械制造", "汽车零部件"),
        2,
        ("350121",),
    ),
    Trade(
        "6-31-01-02",
        ("机修钳工", "设备维修工", "电工"),
        ("负责生产设备的维修和保养", "排查设备故障", "做好维修记录", "参与设备安装调试"),
        ("持电工证或钳工证", "有工厂设备维修经验", "会看电气图纸", "能值夜班"),
        (5500, 9000),
        (E.JUNIOR_MIDDLE, E.HIGH_SCHOOL, E.JUNIOR_COLLEGE),
        ("机械制造", "纺织", "食品"),
        2,
    ),
    Trade(
        "2-02-07-01",
        ("机械设计工程师", "机械工程师", "工艺工程师"),
        ("负责非标设备的机械设计", "绘制零件图和装配图", "跟进样机装配调试", "编写工艺文件"),
        ("熟练使用CAD和SolidWorks", "机械相关专业", "有设备设计经验优先", "责任心强"),
        (7000, 12000),
        (E.JUNIOR_COLLEGE, E.BACHELOR),
        ("机械制造", "智能制造", "汽车零部件"),
        2,
        ("350105", "350121"),
    ),
)
assert all(trade.code in OCCUPATIONS for trade in TRADES)

DISTRICT_WEIGHTS: dict[str, int] = {
    "350102": 16,
    "350103": 13,
    "350104": 16,
    "350111": 13,
    "350105": 7,
    "350112": 8,
    "350121": 9,
    "350181": 8,
    "350122": 4,
    "350123": 2,
    "350124": 2,
    "350125": 1,
    "350128": 1,
}
PLACES: dict[str, tuple[str, ...]] = {
    "350102": ("五四路", "东街口", "福州软件园", "温泉公园附近", "湖东路"),
    "350103": ("万达广场", "上下杭", "宝龙城市广场", "茶亭街", "江滨路"),
    "350104": ("金山", "仓山万达", "海峡国际会展中心", "浦上大道", "盖山"),
    "350111": ("福新路", "王庄", "鼓山镇", "新店", "岳峰"),
    "350105": ("快安", "马尾经济技术开发区", "儒江", "亭江"),
    "350112": ("吴航街道", "滨海新城", "金峰镇", "航城街道"),
    "350121": ("上街大学城", "甘蔗街道", "青口汽车城", "南屿镇"),
    "350181": ("融侨经济技术开发区", "元洪投资区", "龙田镇", "音西街道"),
    "350122": ("凤城镇", "琯头镇", "敖江镇"),
    "350123": ("松山镇", "凤山镇"),
    "350124": ("梅城镇", "白樟镇"),
    "350125": ("樟城镇", "嵩口镇"),
    "350128": ("金井湾", "潭城镇"),
}


def _words(text: str) -> tuple[str, ...]:
    """The words of a whitespace-separated list."""
    return tuple(text.split())


BRANDS = _words(
    """
    鑫源 恒达 闽江 榕城 海峡 东南 华宇 中艺 三坊 七巷 鼓岭 乌山 屏山
    闽都 福源 泰禾 融达 永盛 瑞丰 嘉禾 鸿运 安捷 顺通 宏图 金石 百川
    润泽 启航 星辰 晨光 新动力 易达 佳美 凯旋 天成 汇通 远航 盈科 博雅
    锦程 海西 榕树 茉莉 闽韵 丝路 海丝 云帆 青禾
    """
)
BENEFITS = (
    "五险一金",
    "双休",
    "包住宿",
    "带薪年假",
    "节日福利",
    "年终奖",
    "员工食堂",
    "交通补贴",
    "定期体检",
    "绩效奖金",
    "包吃住",
    "月休四天",
    "岗前培训",
    "晋升空间大",
)
TITLE_EXTRAS = ("急招", "（双休）", "（包吃住）", "（五险一金）", "储备")


_TRADE_CUM = list(itertools.accumulate(trade.weight for trade in TRADES))
_DISTRICTS = list(DISTRICT_WEIGHTS)
_DISTRICT_CUM = list(itertools.accumulate(DISTRICT_WEIGHTS.values()))


def _pick_trade(rng: random.Random) -> Trade:
    return rng.choices(TRADES, cum_weights=_TRADE_CUM)[0]


def _pick_district(rng: random.Random, trade: Trade) -> str:
    if trade.hubs and rng.random() < 0.5:
        return rng.choice(trade.hubs)
    return rng.choices(_DISTRICTS, cum_weights=_DISTRICT_CUM)[0]


def _salary(rng: random.Random, trade: Trade) -> tuple[int, int]:
    if rng.random() < 0.04:
        return 0, 0
    low_min, high_max = trade.pay
    low = int(rng.uniform(low_min * 0.85, high_max * 0.75) // 500 * 500)
    high = min(high_max * 2, low + rng.choice((1000, 1500, 2000, 3000, 4000, 5000)))
    return max(2000, low), high


def _description(
    rng: random.Random, trade: Trade, district: str, place: str, edu: Education, years: int
) -> str:
    duties = rng.sample(trade.duties, 3)
    skills = rng.sample(trade.skills, 2)
    edu_text = "学历不限" if edu is Education.NONE else f"{_EDU_WORDS[edu]}及以上学历"
    exp_text = "经验不限，接受应届生" if years == 0 else f"{years}年以上相关工作经验"
    benefits = "、".join(rng.sample(BENEFITS, 4))
    return (
        f"岗位职责：1、{duties[0]}；2、{duties[1]}；3、{duties[2]}。"
        f"任职要求：{edu_text}，{exp_text}，{skills[0]}，{skills[1]}。"
        f"福利待遇：{benefits}。工作地点：福州市{DISTRICTS[district]}{place}。"
    )


_EDU_WORDS = {
    Education.JUNIOR_MIDDLE: "初中",
    Education.HIGH_SCHOOL: "高中或中专",
    Education.JUNIOR_COLLEGE: "大专",
    Education.BACHELOR: "本科",
    Education.MASTER: "硕士",
    Education.DOCTOR: "博士",
}


def external_id(index: int) -> str:
    """The site's id of posting `index`."""
    return f"FZJ{index:08d}"


def index_of(posting_id: str) -> int | None:
    """Posting index of a site id (None when it is not one)."""
    digits = posting_id.removeprefix("FZJ")
    return int(digits) if posting_id.startswith("FZJ") and digits.isdigit() else None


def _stable(seed: int, index: int, epoch: datetime) -> dict[str, Any]:
    """The fields of a posting that edits never change."""
    rng = random.Random(seed * 1_000_003 + index)
    trade = _pick_trade(rng)
    district = _pick_district(rng, trade)
    edu = rng.choice(trade.education)
    years = rng.choice((0, 0, 0, 1, 1, 2, 3, 5)) if edu is not Education.MASTER else 0
    published = epoch - timedelta(days=rng.randrange(28), seconds=rng.randrange(86400))
    published = published.replace(microsecond=0)
    industry = rng.choice(trade.industries)
    employer = f"福州{rng.choice(BRANDS)}{industry}有限公司"
    if rng.random() < 0.2:
        employer = f"{rng.choice(BRANDS)}（福建）{industry}有限公司"
    return {
        "rng": rng,
        "trade": trade,
        "district": district,
        "education": edu,
        "years": years,
        "published": published,
        "employer": employer,
        "place": rng.choice(PLACES[district]),
        "expires": published + timedelta(days=rng.choice((30, 45, 60, 90))),
    }


def make_posting(
    seed: int, index: int, version: int, epoch: datetime, updated: datetime | None = None
) -> dict[str, Any]:
    """Posting `index` at `version` in the contract's JSON shape (deterministic)."""
    base = _stable(seed, index, epoch)
    rng: random.Random = base["rng"]
    if version:
        rng = random.Random((seed * 1_000_003 + index) * 97 + version)
    trade: Trade = base["trade"]
    title = rng.choice(trade.titles)
    extra = rng.random()
    if extra < 0.1:
        title = f"急招{title}"
    elif extra < 0.2:
        title = f"{title}{rng.choice(TITLE_EXTRAS[1:4])}"
    low, high = _salary(rng, trade)
    posting_id = external_id(index)
    district = base["district"]
    return {
        "id": posting_id,
        "version": version,
        "title": title,
        "employer": {"name": base["employer"]},
        "district": {"code": district, "name": DISTRICTS[district]},
        "address": f"福州市{DISTRICTS[district]}{base['place']}",
        "occupation": {"code": trade.code, "name": OCCUPATIONS[trade.code]},
        "salary": {"min": low, "max": high, "unit": "month"},
        "education": base["education"].value,
        "experience_years": base["years"],
        "headcount": rng.choice((1, 1, 2, 3, 5, 10)),
        "description": _description(
            rng, trade, district, base["place"], base["education"], base["years"]
        ),
        "url": f"{SITE_URL}/jobs/{posting_id}",
        "published_at": base["published"].isoformat(),
        "updated_at": (updated or base["published"]).isoformat(),
        "expires_at": base["expires"].isoformat(),
        "status": "open",
    }
