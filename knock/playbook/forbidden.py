"""The list of forbidden suggestions the scanner looks for, as reviewed data.

Each :class:`Pattern` is one way people actually say something Knock must
never suggest: stopping water or power, locking someone out, shaming,
threats, pressure on third parties, pretexts, harassment. Patterns are built
from word sets rather than fixed phrases so that word order does not matter:
"把你家的水停了", "断掉你家的电" and "暖气给你停了" are the same pair (a
stopping verb and a supply) in different orders.

A pattern may also demand a *target* in the same sentence (the household, a
payment condition) and may be *exempt* as an ordinary notice: "计划停水检修"
names a stopped supply but threatens nobody. The scanner in
:mod:`knock.playbook.scanner` applies the list and decides negation; the
corpus in ``tests/playbook/test_scanner_corpus.py`` holds it to real sentences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Category = Literal["utilities", "lockout", "shaming", "threat", "third_party_pressure", "deception", "harassment"]
Lang = Literal["zh", "en"]


@dataclass(frozen=True)
class Pattern:
    """One forbidden idea in one language.

    ``first`` alone is a phrase pattern. With ``second`` as well, both must
    occur in one clause within ``gap`` characters of each other, in either
    order (word-order tolerance). When ``target`` or ``near`` is given, the
    match counts only if ``target`` occurs somewhere in the sentence (a
    payment condition: "不交就……") or ``near`` in the match's own clause (the
    household: "你家的水"). ``exempt`` (an ordinary notice) clears the match
    unless the sentence also ties it to paying (``payment``).
    """

    key: str
    category: Category
    lang: Lang
    first: str
    second: str | None = None
    gap: int = 8
    target: str | None = None
    exempt: str | None = None
    payment: str | None = None
    near: str | None = None

    def compiled(self) -> tuple[re.Pattern[str] | None, ...]:
        """The regexes, compiled once (case-insensitive for English)."""
        flags = re.IGNORECASE if self.lang == "en" else 0

        def c(p: str | None) -> re.Pattern[str] | None:
            return re.compile(p, flags) if p else None

        return re.compile(self.first, flags), c(self.second), c(self.target), c(self.exempt), c(self.payment), c(self.near)


# ----------------------------------------------------------------------------- Chinese word sets

ZH_STOP = r"停掉|停了|停|断掉|断了|切断|中断|掐断|掐了|断|关掉|关了|关闸|拉闸|拉掉|拔掉|限|不给|不供"
"""Verbs of stopping a supply."""
ZH_SUPPLY = (
    r"(?<![汽油缺])水(?![果平准泥平费表管道])|(?<![充发])电(?![话梯视脑池动瓶子器表费影线筒])"
    r"|燃气|煤气|天然气|暖气|供暖|供热|热水|(?<![生客运脾语力勇空香天燃煤暖])气(?![氛质愤候息味])"
)
"""Supplies a household depends on (and not 电话, 电梯, 生气, 天气 …)."""
ZH_WHOM = r"你|您|他|她|业主家|这户|那户"
"""The household a stopped supply is aimed at, in the same clause ("你家的水")."""
ZH_TARGET = r"欠费|不交|不缴|没交|没缴|不付|拖欠|赖账|交钱|交清|缴清|逼"
"""A payment condition anywhere in the sentence ("不交就……")."""
ZH_NOTICE = r"计划|检修|维修|抢修|施工|改造|市政|自来水公司|供水公司|供电公司|供电局|燃气公司|热力公司|停电通知|停水通知|预计|恢复供|储水|故障|台风|暴雨"
"""What makes a stopped supply an ordinary notice."""
ZH_PAY = r"欠费|不交|不缴|没交|没缴|不付|拖欠|赖账|交钱|缴费|交费|交清|缴清|物业费"
ZH_CARD = r"门禁卡|门禁|电梯卡|梯控|门卡|停车卡|车卡|车位|钥匙|出入证"
ZH_CARD_VERB = r"停掉|停了|停|锁|注销|禁用|冻结|收回|没收|作废|消磁|拉黑|取消|关掉|关了"
ZH_PUBLISH = r"贴到|贴在|贴出|张贴|贴|公示|公布|公开|挂到|挂在|挂|曝光|通报|点名|晒|发到|发在|发|登在|写在|念"
ZH_WHO = r"名字|姓名|房号|门牌|名单|照片|欠费|欠款|欠了|谁家|你家|他家|她家|这户"
ZH_PUBLIC_PLACE = r"群|朋友圈|电梯|公告栏|宣传栏|告示栏|布告栏|大堂|楼道|单元门|小区门口|大门口|广播"
ZH_TELL = r"告诉|通知|告知|说给|讲给|找|去找|联系|打给|打电话给|上门找|去|到|让[^,。;!?]{0,4}知道|透露"
ZH_PARTY_FAMILY = r"邻居|亲戚|亲友|家人|家里人|父母|爸妈|子女|儿子|女儿|孩子|老婆|老公|爱人|朋友"
ZH_PARTY_WORK = r"单位|领导|老板|同事|公司|学校|老师"
ZH_DEBT = r"欠费|欠钱|欠款|欠了|没交|不交|拖欠|赖账|还钱|交钱|缴费|交费|劝|施压|压力|催"
ZH_CONTACT = r"上门|敲|去(他|她|你)家|上(他|她|你)家|打电话|打给|去找|去他家|去她家|催|找他|找她|找你"
ZH_NIGHT = r"深夜|半夜|凌晨|夜里十二点|晚上十一点|十一点以后|十点以后"

# ----------------------------------------------------------------------------- English word sets

EN_STOP = r"\b(cut(s|ting)?|shut(s|ting)?|switch(es|ed|ing)?|turn(s|ed|ing)?|disconnect\w*|stop(s|ped|ping)?|interrupt\w*|suspend\w*)\b"
EN_SUPPLY = r"\b(water|power|electricity|gas|heating|heat|hot water|utilities|supply)\b"
EN_WHOM = r"\b(you|your|yours|him|his|her|their|them)\b"
EN_TARGET = r"\b(unless|until|or else|make us|force us|overdue|arrears|don't pay|do not pay|doesn't pay|not paid|won't pay|debtor)\b"
EN_NOTICE = r"\b(planned|scheduled|maintenance|repairs?|works|utility company|water company|power company|grid|notice|outage|storm|typhoon|restored)\b"
EN_PAY = r"\b(pay|paid|fees?|arrears|owe[sd]?|debt|unless|until|or else)\b"
EN_CARD = r"\b(access( cards?)?|(?<!bank )(?<!credit )cards?|key ?cards?|fobs?|lift cards?|elevator cards?|gate cards?|parking( permits?| space| spot)?|entry)\b"
EN_CARD_VERB = r"\b(disabl\w*|deactivat\w*|cancel\w*|block\w*|revok\w*|suspend\w*|confiscat\w*|take away|withdraw\w*|stop(s|ped)? working|won't work|switch\w* off|turn\w* off)\b"
EN_PUBLISH = r"\b(post\w*|publish\w*|put\w*|display\w*|shar(e|es|ed|ing)|announc\w*|read out|pin\w* up|list\w*)\b"
EN_WHO = r"\b(names?|room numbers?|flat numbers?|unit numbers?|door numbers?|who owes|debtors?|arrears|debts?|owes?|photos?)\b"
EN_PUBLIC_PLACE = r"\b(group|chat|wechat|lifts?|elevators?|notice ?boards?|bulletin boards?|lobby|entrance|stairwell|gate)\b"
EN_TELL = r"\b(tell\w*|inform\w*|call\w*|contact\w*|notify\w*|let|visit\w*|go(es|ing)? to|went to|writ(e|ing) to|talk\w* to|speak\w* to|ask\w*)\b"
EN_PARTY_FAMILY = r"\b(neighbou?rs?|relatives?|family|parents?|children|kids|sons?|daughters?|wife|husband|friends?)\b"
EN_PARTY_WORK = r"\b(employers?|boss(es)?|colleagues?|workplace|office|company|school|work)\b"
EN_DEBT = r"\b(debts?|owes?|owed|owing|arrears|unpaid|not paid|fees?|pay(s|ing)?|pressure|persuade|talk (him|her|them) into)\b"

PATTERNS: tuple[Pattern, ...] = (
    # -- utilities: any stopped supply aimed at the household, in any word order
    Pattern("zh.stop_supply", "utilities", "zh", ZH_STOP, ZH_SUPPLY, gap=6, target=ZH_TARGET, near=ZH_WHOM, exempt=ZH_NOTICE, payment=ZH_PAY),
    Pattern("zh.pull_switch", "utilities", "zh", r"拉闸|断水断电|停水停电|断电断水|水电(都)?(给)?(停|断)", target=ZH_TARGET, near=ZH_WHOM, exempt=ZH_NOTICE, payment=ZH_PAY),
    Pattern("en.stop_supply", "utilities", "en", EN_STOP, EN_SUPPLY, gap=30, target=EN_TARGET, near=EN_WHOM, exempt=EN_NOTICE, payment=EN_PAY),
    Pattern("en.cut_off", "utilities", "en", r"\bcut[- ]off\b|\bno (water|power|heating)\b", target=EN_TARGET, near=EN_WHOM, exempt=EN_NOTICE, payment=EN_PAY),
    # -- lockout: cards, doors, cars
    Pattern("zh.card", "lockout", "zh", ZH_CARD_VERB, ZH_CARD, gap=6, target=ZH_TARGET, near=ZH_WHOM),
    Pattern("zh.keep_out", "lockout", "zh", r"不让[^,。;!?]{0,4}(进门|进小区|进楼|回家|停车|进出|上楼)|不给[^,。;!?]{0,3}开门|锁[^,。;!?]{0,3}(你|您|他|她)家(的)?(大)?门|(你|您|他|她)家(的)?(大)?门[^,。;!?]{0,3}锁|扣(留|押)[^,。;!?]{0,4}(车|钥匙|证|东西)|(车|电动车)[^,。;!?]{0,4}扣(下|了|住)"),
    Pattern("en.card", "lockout", "en", EN_CARD_VERB, EN_CARD, gap=30, target=EN_TARGET, near=EN_WHOM),
    Pattern("en.keep_out", "lockout", "en", r"\block\w*\s+(\w+\s+){0,2}out\b|\b(won't|will not|not) let (you|him|her|them) (in|park|enter)\b|\bclamp\w*|\btow(ed|ing)? (away )?(your|his|her|their)\b|\bhold\w* (back|on to) (\w+\s+)?(car|keys)\b"),
    # -- shaming: names, rooms or debts in groups, lifts, notice boards
    Pattern("zh.publish_who", "shaming", "zh", ZH_PUBLISH, ZH_WHO, gap=8, target=ZH_PUBLIC_PLACE + r"|公开|全小区|大家|所有人"),
    Pattern("zh.place_who", "shaming", "zh", ZH_PUBLIC_PLACE, r"名字|姓名|房号|门牌|名单|谁家欠|欠费|欠款", gap=10, target=r"说|发|贴|挂|公布|公开|点|念|晒|通报|写"),
    Pattern("zh.shame_words", "shaming", "zh", r"曝光|黑名单|欠费名单|老赖名单|点名批评|公开点名|丢人|丢脸|出丑"),
    Pattern("zh.everyone_knows", "shaming", "zh", r"让(大家|所有人|全小区|全楼|邻居们?)(都)?知道", r"欠|没交|不交|赖|拖", gap=12),
    Pattern("en.publish_who", "shaming", "en", EN_PUBLISH, EN_WHO, gap=40, target=EN_PUBLIC_PLACE + r"|\bpublic(ly)?\b|\beveryone\b|\bwhole (building|estate)\b"),
    Pattern("en.shame_words", "shaming", "en", r"\bshame\w*|\bblacklist\w*|\bexpos(e|ing)\b|\bhumiliat\w*|\bembarrass\w*"),
    Pattern("en.everyone_knows", "shaming", "en", r"\blet (everyone|the whole (building|estate)|all the neighbou?rs) know\b", r"\b(owes?|owed|debts?|arrears|unpaid|hasn't paid|not paid)\b", gap=40),
    # -- threats: credit records, 失信, jail, menace
    Pattern("zh.credit", "threat", "zh", r"征信|信用记录|信用报告|信用分|失信|老赖|限高|限制高消费|限制出行|坐飞机|坐高铁"),
    Pattern("zh.menace", "threat", "zh", r"后果自负|走着瞧|别怪[^,。;!?]{0,4}(我们|不客气)|给你好看|有你好看|你等着|不会客气|不客气了|坐牢|拘留|抓(你|他|她|人)|判刑|吃官司|倾家荡产|收拾你|小心点|吓唬|恐吓"),
    Pattern("en.credit", "threat", "en", r"\bcredit (record|score|rating|report|history|file)\b|\bdishonest debtors?\b|\bdefaulters? list\b|\btravel ban\b"),
    Pattern("en.menace", "threat", "en", r"\bor else\b|\byou'll regret\b|\byou will regret\b|\bjail\b|\bprison\b|\barrest\w*|\bwatch (out|your back)\b|\bwe know where\b|\bteach (you|him|her|them) a lesson\b|\bmake (your|his|her|their) life\b|\bthreat\w*|\bintimidat\w*|\bfrighten\w*|\bscare\w*"),
    # -- third parties: family, neighbours, employers
    Pattern("zh.tell_family", "third_party_pressure", "zh", ZH_TELL, ZH_PARTY_FAMILY, gap=8, target=ZH_DEBT),
    Pattern("zh.go_to_work", "third_party_pressure", "zh", ZH_TELL, ZH_PARTY_WORK, gap=6, target=r"你|您|他|她|业主|欠|交|缴|催|领导"),
    Pattern("zh.press", "third_party_pressure", "zh", r"施压|(让|叫|找|请)[^,。;!?]{0,4}(" + ZH_PARTY_FAMILY + r")[^,。;!?]{0,8}(还|交|缴|催|劝|帮)"),
    Pattern("en.tell_family", "third_party_pressure", "en", EN_TELL, EN_PARTY_FAMILY, gap=30, target=EN_DEBT),
    Pattern("en.go_to_work", "third_party_pressure", "en", EN_TELL, EN_PARTY_WORK, gap=30, target=r"\b(your|his|her|their|owner's)\b"),
    Pattern("en.press", "third_party_pressure", "en", r"\b(put\w*|appl\w*) pressure\b|\bpressur\w*\s+(\w+\s+)?(owner|them|him|her|family|relatives|parents|employer|children)\b"),
    # -- deception: pretexts and lies
    Pattern("zh.pretext", "deception", "zh", r"就说(是)?|假装|假称|谎称|冒充|编(个|一个)?(理由|借口)|撒谎|装作|伪装|假借|借口|以(检查|查|抄|送|维修|修|安全|慰问|调查|登记)[^,。;!?]{0,8}为(由|名|借口)|(?<![诈防受被])骗(?![局子])|查水表"),
    Pattern("en.pretext", "deception", "en", r"\bpretend\w*|\bpretext\b|\bpos(e|ing) as\b|\bimpersonat\w*|\blie to\b|\blying to\b|\btell (him|her|them) a lie\b|\bmake up a (reason|story|excuse)\b|\bmade[- ]up (reason|story|excuse)\b|\bfake\b|\btrick (him|her|them|the owner|owners|people)\b|\bsay (that )?(we're|we are|you're|you are) (here|there|coming) (to|for) (check|inspect|read|deliver|fix|repair|survey)\w*\b|\bdeceiv\w*|\bmislead\w*"),
    # -- harassment: nights, repetition, blocking doors
    Pattern("zh.night", "harassment", "zh", ZH_NIGHT, ZH_CONTACT, gap=10),
    Pattern("zh.repeat", "harassment", "zh", r"软磨硬泡|堵门|堵在[^,。;!?]{0,4}门口|蹲守|守在[^,。;!?]{0,4}门口|一天打[^,。;!?]{0,3}(几|两|三|四|五|十|多)|天天打|不停地打|一直打到|打到(他|她|你|您)接|轮番|狂打|连环"),
    Pattern("en.night", "harassment", "en", r"\b(late at night|midnight|after 10 ?pm|after 11 ?pm|2 ?am|early in the morning)\b", r"\b(call\w*|visit\w*|knock\w*|ring\w*|go round)\b", gap=40),
    Pattern("en.repeat", "harassment", "en", r"\bkeep (calling|knocking|ringing)\b|\b(call\w*|ring\w*|knock\w*|text\w*|phon\w*)\b(?![^.;,]{0,30}\bat most\b)[^.;,]{0,30}\b(times|calls) a day\b|\bevery hour\b|\bcamp\w* outside\b|\bblock\w* (the|his|her|their) door\b|\bwait outside (his|her|their) door\b|\bharass\w*|\buntil (he|she|they) (answers?|picks? up|gives? in)\b"),
)
"""Every forbidden idea the scanner knows, reviewed like code."""


# ----------------------------------------------------------------------------- negation

ZH_NEGATORS = r"绝对不|绝不|决不|从来不|从不|永远不|不会|不能|不得|不准|不许|不可以|不可|不应该|不应|不该|不要|不允许|禁止|严禁|切勿|请勿|勿|别|无权|没有|并未|未曾|不是"
"""Chinese words that negate what follows in the same clause."""
ZH_DOUBLE = r"^(不|没)"
"""A negator followed by 不 is a double negative: 不得不, 不能不, 没有不 mean "must"."""
ZH_SCOPE_BREAK = r"就|才|便|逼|怪|忘|以为|想|怕|等着|否则|要不然|不然|的话|如果|要是|还|再"
"""Words between a negator and the match that end its scope: "不交就停水", "别逼我们停水"."""
ZH_AFTER = r"违法|不合法|不允许|不被允许|被禁止|是禁止|不可以|是不行|不行的|不对"
"""Said after the match: "停水催费是违法的" states the law."""
ZH_CLAUSE = r"[,。;!?:\uff0c\uff1b\uff01\uff1f\uff1a\n]"
"""Clause ends, half- and full-width (，；！？： written as escapes so no editor can fold them to ASCII)."""
ZH_SENTENCE = r"[。;!?\uff1b\uff01\uff1f\n]"

EN_NEGATORS = r"\b(no one|nobody|never|not|no|cannot|can't|won't|don't|doesn't|didn't|mustn't|shouldn't|wouldn't|isn't|aren't|nobody|nor)\b"
EN_BRIDGE = frozenset(
    "ever be being been going to try trying attempt attempting we you they i will would can could should shall may might must "
    "do does ourselves allowed permitted threaten threatening threatened by use using used say said suggest suggesting imply "
    "or and need needs needed actually really anyone anybody anyone's the a an any it is are of as means way ways way to for collecting collect".split()
)
"""Words that may stand between an English negator and what it negates ("will never ever cut")."""
EN_AFTER = r"\b(is|are|was|would be|will be)\s+(not allowed|illegal|unlawful|forbidden|prohibited|against the law|not permitted|never allowed|not an option|not something we do)\b"
EN_CLAUSE = r"[,;:\n]|(?<=[a-z0-9])[.!?](\s|$)"
EN_SENTENCE = r"[;\n]|(?<=[a-z0-9'])[.!?](\s|$)"
