"""Plausible Chinese names, phone numbers and community names for the sample.

Surnames are drawn with weights close to their share of the population (the
100 commonest cover about 85% of people), so a sample of 1,800 owners looks
like a real arrears list: many 王, 李, 张 and 刘, a few 欧阳. Given names are
one or two characters chosen by gender, because the greeting ("王先生",
"李女士") needs it.
"""

from __future__ import annotations

import random
from itertools import accumulate

SURNAME_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("王", 7.12), ("李", 7.00), ("张", 6.74), ("刘", 5.38), ("陈", 4.53), ("杨", 3.08), ("黄", 2.23),
    ("赵", 2.29), ("吴", 2.05), ("周", 1.91), ("徐", 1.45), ("孙", 1.38), ("马", 1.29), ("朱", 1.28),
    ("胡", 1.16), ("郭", 1.13), ("何", 1.06), ("林", 1.03), ("高", 1.00), ("罗", 0.86), ("郑", 0.84),
    ("梁", 0.80), ("谢", 0.72), ("宋", 0.63), ("唐", 0.62), ("许", 0.60), ("韩", 0.60), ("冯", 0.59),
    ("邓", 0.58), ("曹", 0.57), ("彭", 0.54), ("曾", 0.52), ("肖", 0.51), ("田", 0.50), ("董", 0.49),
    ("袁", 0.47), ("潘", 0.47), ("于", 0.46), ("蒋", 0.45), ("蔡", 0.44), ("余", 0.44), ("杜", 0.43),
    ("叶", 0.43), ("程", 0.42), ("苏", 0.39), ("魏", 0.38), ("吕", 0.38), ("丁", 0.37), ("任", 0.36),
    ("沈", 0.35), ("姚", 0.34), ("卢", 0.34), ("姜", 0.33), ("崔", 0.32), ("钟", 0.31), ("谭", 0.30),
    ("陆", 0.30), ("汪", 0.29), ("范", 0.29), ("金", 0.28), ("石", 0.28), ("廖", 0.27), ("贾", 0.27),
    ("夏", 0.26), ("韦", 0.26), ("付", 0.25), ("方", 0.25), ("白", 0.24), ("邹", 0.24), ("孟", 0.24),
    ("熊", 0.23), ("秦", 0.23), ("邱", 0.23), ("江", 0.22), ("尹", 0.22), ("薛", 0.21), ("闫", 0.21),
    ("段", 0.20), ("雷", 0.20), ("侯", 0.20), ("龙", 0.19), ("史", 0.19), ("陶", 0.18), ("黎", 0.18),
    ("贺", 0.18), ("顾", 0.17), ("毛", 0.17), ("郝", 0.17), ("龚", 0.16), ("邵", 0.16), ("万", 0.16),
    ("钱", 0.16), ("严", 0.15), ("覃", 0.15), ("武", 0.15), ("戴", 0.15), ("莫", 0.14), ("孔", 0.14),
    ("向", 0.13), ("汤", 0.13), ("欧阳", 0.03), ("上官", 0.01),
)
"""(surname, percent of the population): approximate shares from the national household register."""

_SURNAMES = tuple(s for s, _ in SURNAME_WEIGHTS)
_SURNAME_CUM = tuple(accumulate(w for _, w in SURNAME_WEIGHTS))

GIVEN_MALE = tuple("伟强磊军洋勇杰涛明超俊浩鹏斌辉刚健波宇峰建华国平志文东林海亮博晨凯鑫昊然轩睿宁振成龙飞彬毅")
"""Characters common in men's given names."""
GIVEN_FEMALE = tuple("芳娜敏静丽艳娟霞秀英玲婷雪慧琳晶燕红梅兰倩颖洁莉萍佳怡欣悦雯琪璐丹薇蕾瑶诗涵梦")
"""Characters common in women's given names."""
GIVEN_ANY = tuple("嘉子思家晓文雨一安若佳梓")
"""Characters used in names of either gender (often the first of two)."""

MOBILE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155",
    "156", "157", "158", "159", "166", "173", "177", "180", "181", "182", "183", "185", "186", "187",
    "188", "189", "191", "198", "199",
)
"""Mainland mobile number prefixes (11-digit numbers)."""

CITIES = (
    ("浙江省杭州市", ("西湖区", "拱墅区", "上城区", "滨江区", "余杭区"), ("文三路", "古墩路", "莫干山路", "丰潭路", "江南大道", "文一西路", "湖墅南路")),
    ("江苏省南京市", ("鼓楼区", "建邺区", "秦淮区", "栖霞区"), ("中山北路", "江东中路", "龙蟠路", "汉中路")),
    ("广东省佛山市", ("禅城区", "南海区", "顺德区"), ("季华路", "佛山大道", "桂澜路")),
)
"""(province and city, districts, roads) the sample community's address is drawn from."""

COMMUNITY_STEMS = ("金桂", "翠湖", "锦绣", "紫荆", "香樟", "和睦", "春江", "绿城", "阳光", "枫林", "御景", "南岸")
COMMUNITY_SUFFIXES = ("花园", "家园", "苑", "名都", "新村", "公寓", "雅苑", "华庭")


def surname(rng: random.Random) -> str:
    """A surname, weighted by how common it is."""
    return rng.choices(_SURNAMES, cum_weights=_SURNAME_CUM)[0]


def given_name(rng: random.Random, gender: str) -> str:
    """A one- or two-character given name for gender ``"m"`` or ``"f"``."""
    pool = GIVEN_MALE if gender == "m" else GIVEN_FEMALE
    if rng.random() < 0.25:
        return rng.choice(pool)
    first = rng.choice(GIVEN_ANY) if rng.random() < 0.3 else rng.choice(pool)
    second = rng.choice(pool)
    while second == first:
        second = rng.choice(pool)
    return first + second


def person(rng: random.Random) -> tuple[str, str]:
    """(full name, gender "m"/"f") of one person."""
    gender = "m" if rng.random() < 0.55 else "f"
    return surname(rng) + given_name(rng, gender), gender


def mobile(rng: random.Random) -> str:
    """An 11-digit mainland mobile number (made up)."""
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def community_name_and_address(rng: random.Random) -> tuple[str, str]:
    """A community name such as ``翠湖花园`` and a street address for it."""
    city, districts, roads = rng.choice(CITIES)
    name = rng.choice(COMMUNITY_STEMS) + rng.choice(COMMUNITY_SUFFIXES)
    address = f"{city}{rng.choice(districts)}{rng.choice(roads)}{rng.randrange(18, 999)}号"
    return name, address
