"""Word lists the synthetic dataset draws from: 江苏省 divisions, names, places, banks, trades.

Division codes are the real 6-digit codes of GB/T 2260 (县级行政区划代码) for 江苏省; every other
list is common vocabulary, not a record of any real person or business.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class District:
    """A county-level division: district (区), county-level city (市) or county (县)."""

    code: str
    name: str
    city: str  # prefecture-level city, e.g. 南京市

    @property
    def is_urban_district(self) -> bool:
        return self.name.endswith("区")

    @property
    def jurisdiction(self) -> str:
        """Whose registry issues its titles: the city for a district, else the county itself."""
        return self.city if self.is_urban_district else self.name

    @property
    def full_name(self) -> str:
        """``南京市玄武区``, ``无锡市江阴市``: how addresses write the division."""
        return self.city + self.name

    def office(self, suffix: str, *, district_office: bool = True) -> str:
        """A local office name: ``南京市玄武区民政局`` or ``江阴市民政局``."""
        if self.is_urban_district and district_office:
            return f"{self.city}{self.name}{suffix}"
        return f"{self.jurisdiction}{suffix}"


def _districts(city: str, entries: str) -> tuple[District, ...]:
    pairs = (item.split(":") for item in entries.split())
    return tuple(District(code, name, city) for code, name in pairs)


DISTRICTS: tuple[District, ...] = (
    *_districts(
        "南京市",
        "320102:玄武区 320104:秦淮区 320105:建邺区 320106:鼓楼区 320111:浦口区 "
        "320113:栖霞区 320114:雨花台区 320115:江宁区 320116:六合区 320117:溧水区 320118:高淳区",
    ),
    *_districts(
        "无锡市",
        "320205:锡山区 320206:惠山区 320211:滨湖区 320213:梁溪区 320214:新吴区 "
        "320281:江阴市 320282:宜兴市",
    ),
    *_districts(
        "徐州市",
        "320302:鼓楼区 320303:云龙区 320311:泉山区 320312:铜山区 320321:丰县 320322:沛县 "
        "320381:新沂市 320382:邳州市",
    ),
    *_districts("常州市", "320402:天宁区 320404:钟楼区 320411:新北区 320412:武进区 320481:溧阳市"),
    *_districts(
        "苏州市",
        "320505:虎丘区 320506:吴中区 320507:相城区 320508:姑苏区 320509:吴江区 "
        "320581:常熟市 320582:张家港市 320583:昆山市 320585:太仓市",
    ),
    *_districts("南通市", "320612:通州区 320613:崇川区 320614:海门区 320681:启东市 320682:如皋市"),
    *_districts("连云港市", "320703:连云区 320706:海州区 320707:赣榆区 320722:东海县"),
    *_districts("淮安市", "320803:淮安区 320804:淮阴区 320812:清江浦区 320813:洪泽区"),
    *_districts("盐城市", "320902:亭湖区 320903:盐都区 320904:大丰区 320981:东台市"),
    *_districts("扬州市", "321002:广陵区 321003:邗江区 321012:江都区 321081:仪征市"),
    *_districts("镇江市", "321102:京口区 321111:润州区 321112:丹徒区 321181:丹阳市"),
    *_districts("泰州市", "321202:海陵区 321203:高港区 321204:姜堰区 321281:兴化市"),
    *_districts("宿迁市", "321302:宿城区 321311:宿豫区 321322:沭阳县"),
)

PROVINCE = "江苏省"
PROVINCE_ABBREVIATION = "苏"

SURNAMES = (
    *"王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严武戴莫孔汤",
    *("欧阳", "司马", "诸葛", "上官"),
)
MALE_GIVEN = tuple(
    "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆旭宁龙林博文建国志海东峰晨阳昊然轩泽睿一"
)
FEMALE_GIVEN = tuple(
    "芳娜敏静丽艳娟霞秀英玲婷雪慧颖琳晶洁倩萍红燕梅莉兰凤丹蕾薇璐欣怡佳雨萱思梦诗涵悦"
)

ROADS = (
    "中山路", "人民路", "解放路", "建设路", "长江路", "和平路", "文化路", "青年路", "胜利路",
    "健康路", "学府路", "湖滨路", "运河路", "太湖路", "淮海路", "新华路", "东风路", "振兴路",
    "迎宾大道", "滨江大道", "科技大道", "园区路", "通江路", "世纪大道",
)  # fmt: skip
ESTATES = (
    "锦绣花园", "阳光新村", "翠竹苑", "金色家园", "滨江华府", "和美家园", "景瑞苑", "怡景湾",
    "春晖小区", "枫林苑", "桂花园", "文苑小区", "东方名城", "紫薇苑", "凤凰城", "运河雅苑",
    "湖畔人家", "清风苑", "书香门第", "明珠广场",
)  # fmt: skip

BANKS = (
    "中国工商银行股份有限公司",
    "中国农业银行股份有限公司",
    "中国银行股份有限公司",
    "中国建设银行股份有限公司",
    "交通银行股份有限公司",
    "招商银行股份有限公司",
    "江苏银行股份有限公司",
)

TRADE_NAMES = tuple("华瑞恒信达通泰安嘉盛鼎润德祥宏远新源鑫凯博汇锦宇天和中联正诚")


@dataclass(frozen=True)
class Trade:
    """A line of business: the word in the company name and its 经营范围."""

    word: str
    scope: str


TRADES = (
    Trade("房地产开发", "房地产开发经营；物业管理；建筑材料销售；住房租赁"),
    Trade("科技", "软件开发；信息技术咨询服务；信息系统集成服务；计算机系统服务"),
    Trade("贸易", "日用百货销售；五金产品批发；货物进出口；技术进出口"),
    Trade("建筑工程", "建设工程施工；建筑劳务分包；住宅室内装饰装修"),
    Trade("物流", "道路货物运输（不含危险货物）；普通货物仓储服务；国内货物运输代理"),
    Trade("餐饮管理", "餐饮服务；食品销售；餐饮管理"),
    Trade("机械制造", "通用设备制造；机械设备销售；机械零件、零部件加工"),
)
DEVELOPER_TRADE = TRADES[0]
