"""The forbidden-content scanner against what people actually say.

Every sentence here was written for this test, the way a collector, a team
lead or a careless template might put it. POSITIVE sentences suggest
something Knock must never suggest and must be caught in the named category;
NEGATIVE sentences are prohibitions, reassurances, ordinary notices and
plain collection talk, and must pass clean. Word order varies on purpose, and
negation is tested both ways: a real "we will not" passes, a double negative
("不得不") or a negation that governs another verb ("Never forget ...") does not.
"""

from __future__ import annotations

import pytest

from knock.playbook.scanner import categories, scan_text

POSITIVE: list[tuple[str, str]] = [
    # utilities, Chinese, every word order
    ("把你家的水停了。", "utilities"),
    ("断掉你家的电,看你交不交。", "utilities"),
    ("暖气给你停了,你自己看着办。", "utilities"),
    ("不得不给你家停水了。", "utilities"),
    ("再拖欠下去,燃气就关掉。", "utilities"),
    ("他家的电先拉闸。", "utilities"),
    ("今晚就去把他家水阀关了,不交不给开。", "utilities"),
    ("没交钱就停你家的水。", "utilities"),
    ("水电都给你断了。", "utilities"),
    ("别逼我们停您家的暖气。", "utilities"),
    ("欠费的这户下个月不给供暖。", "utilities"),
    ("跟他说,不缴费就限电。", "utilities"),
    # utilities, English
    ("Never forget we can cut off your water.", "utilities"),
    ("Your gas gets switched off unless you pay today.", "utilities"),
    ("We will turn off the heating until the arrears are cleared.", "utilities"),
    ("Tell him his electricity will be disconnected if he doesn't pay.", "utilities"),
    ("Don't make us stop the water.", "utilities"),
    ("No water for you until the fee is paid.", "utilities"),
    # lockout
    ("他的门禁卡明天就注销。", "lockout"),
    ("把你家电梯卡停掉。", "lockout"),
    ("不交费就不让你进小区。", "lockout"),
    ("车先扣下,交了钱再还给他。", "lockout"),
    ("We can deactivate your access card tomorrow.", "lockout"),
    ("Block his lift card until he pays.", "lockout"),
    ("Lock them out of the building.", "lockout"),
    ("We'll clamp your car in the car park.", "lockout"),
    # shaming
    ("把他家房号贴到电梯里。", "shaming"),
    ("在业主群里说一下谁家欠费。", "shaming"),
    ("欠费户的名字挂在公告栏上。", "shaming"),
    ("月底把欠费名单发到群里。", "shaming"),
    ("不交就曝光他。", "shaming"),
    ("让大家都知道他家欠钱。", "shaming"),
    ("We'll post your name on the notice board.", "shaming"),
    ("Share the list of debtors in the residents' WeChat group.", "shaming"),
    ("Put the room numbers of those who owe up in the lift.", "shaming"),
    ("Name and shame the worst payers.", "shaming"),
    # threats, credit and 失信
    ("再不交会影响您的征信。", "threat"),
    ("我们会把你列入失信名单。", "threat"),
    ("你等着,后果自负。", "threat"),
    ("到时候限制高消费,坐不了高铁。", "threat"),
    ("拖着不交,小心点。", "threat"),
    ("This will go on your credit record.", "threat"),
    ("Pay up or else.", "threat"),
    ("You'll regret ignoring us.", "threat"),
    ("We know where your kids go to school.", "threat"),
    ("You could end up on the dishonest debtors list.", "threat"),
    # third parties
    ("告诉他邻居他家欠了三年物业费。", "third_party_pressure"),
    ("我们会去您单位找领导谈谈。", "third_party_pressure"),
    ("让他父母劝他把钱交了。", "third_party_pressure"),
    ("打电话给他儿子,让儿子帮他交。", "third_party_pressure"),
    ("找他老婆施压。", "third_party_pressure"),
    ("We'll call your employer about this.", "third_party_pressure"),
    ("Tell the neighbours that he owes two years of fees.", "third_party_pressure"),
    ("Ask his parents to pay the arrears for him.", "third_party_pressure"),
    ("Go to her workplace and ask for her there.", "third_party_pressure"),
    # deception and pretexts
    ("就说是来检查燃气安全的。", "deception"),
    ("敲门时就说是来查水表的。", "deception"),
    ("冒充快递让他开门。", "deception"),
    ("以送通知为名骗他开门。", "deception"),
    ("Pretend you are there to read the meter.", "deception"),
    ("Say we're here to check the gas so he opens the door.", "deception"),
    ("Make up a reason to get inside.", "deception"),
    # harassment
    ("一天打三个电话给他,直到交为止。", "harassment"),
    ("半夜去敲他家的门。", "harassment"),
    ("派两个人堵在他家门口。", "harassment"),
    ("Keep calling until he answers.", "harassment"),
    ("Call her late at night when she is sure to be home.", "harassment"),
    ("Camp outside their flat all weekend.", "harassment"),
    ("Call him five times a day until he gives in.", "harassment"),
    ("他不交,就让全楼都知道他欠钱。", "shaming"),
    ("Let the whole building know she owes three years.", "shaming"),
    ("Your card stops working at the gate unless you pay.", "lockout"),
]

NEGATIVE: list[str] = [
    # reassurances and prohibitions (real negation)
    "我们不会给你家停水。",
    "我们绝不会停您家的电,请放心。",
    "物业公司无权停水停电催费。",
    "绝不以中断供水、供电的方式催费。",
    "禁止以停水、停电、停气的方式催交物业费。",
    "停水停电催费是违法的。",
    "请勿张贴欠费名单。",
    "不要向邻居透露业主欠费。",
    "绝不威胁业主。",
    "从不去业主单位找人。",
    "We will never cut off your water.",
    "We do not switch off anyone's heating to collect fees.",
    "Cutting off the water to collect a debt is illegal.",
    "Never threaten anyone.",
    "The provider may not use interruption of water supply to collect.",
    "Never post a list of debtors in a residents' group.",
    "We won't tell your neighbours anything about your account.",
    "No one will disable your access card over fees.",
    # ordinary notices
    "计划停水检修:本周六上午9点到12点,请提前储水。",
    "因供电局线路检修,3号楼明天停电半天。",
    "燃气公司通知:下周二暂停供气,恢复时间另行通知。",
    "台风期间如遇停电,请拨打服务中心电话。",
    "谨防电信诈骗,不要向陌生账户转账。",
    "电梯维保通知贴在一楼大堂。",
    "小区门禁系统升级,请到服务中心更新门禁卡。",
    "Scheduled maintenance: water will be off on Tuesday from 9 to 12.",
    "The power company reports an outage in building 3; power will be restored by 6 pm.",
    "Beware of phone scams asking you to transfer money.",
    "A notice about the lift repair is on the board in the lobby.",
    "If you lose your access card, the service centre can replace it.",
    # plain collection talk and notes
    "王先生您好,打扰您一分钟,给您送物业费账单。",
    "您看周六上午还是下午方便?",
    "楼里水压低,我登记维修。",
    "业主说下周出差回来就交。",
    "业主经济困难,想申请分期,我报经理。",
    "租户说会转告业主给服务中心回电话。",
    "请邻居转告业主回个电话,没说其他事。",
    "业主很生气,我礼貌告辞,改天再来。",
    "天气冷了,提醒业主注意水管防冻。",
    "业主家电话关机,明天换个时间再打。",
    "停车位的划线问题已登记。",
    "业主反映楼上深夜装修太吵,已登记投诉。",
    "业主问公摊水电怎么算,我解释了分摊方法。",
    "业主说电梯经常停,已转工程部。",
    "保洁不到位的投诉已经转给主管。",
    "春节快乐,祝您全家幸福安康。",
    "按合同,空置房是否有优惠以合同和本地规定为准。",
    "Good evening, Mr Wang; is now a good time to talk?",
    "The owner is out of town until the 20th.",
    "I'm out of town this month.",
    "Would Saturday morning or afternoon suit you better?",
    "The tenant promised to ask the owner to call us back.",
    "If it's low pressure in the building, I'll log it.",
    "She asked whether the shared electricity charge is fair.",
    "The owner said money is tight; I will ask the manager about instalments.",
    "Leave a notice on the door asking for a call back, with no amount on the outside.",
    "The lift was stopped for an hour for its yearly inspection.",
    "We can send the payment link by text if that is easier.",
    "Happy Mid-Autumn Festival from the service centre!",
    "The owner complained about noise late at night from the flat above.",
    "He said he would pay on Friday afternoon.",
    "Please keep your receipt; it is your proof of payment.",
    "停电确实耽误事,给您添麻烦了。",
    "这个月停了好几次电,还好意思收物业费?",
    "Power cuts are a real nuisance; I'm sorry for the trouble.",
    "We'll find out why the power went off and let everyone know.",
    "Contact a household at most three times a day.",
    "和楼长、热心业主沟通,只解释,绝不施压。",
]


def test_the_corpus_is_big_enough_and_bilingual() -> None:
    assert len(POSITIVE) >= 60 and len(NEGATIVE) >= 60
    zh = lambda s: any("\u4e00" <= ch <= "\u9fff" for ch in s)  # noqa: E731
    assert sum(zh(s) for s, _ in POSITIVE) >= 25 and sum(not zh(s) for s, _ in POSITIVE) >= 25
    assert sum(zh(s) for s in NEGATIVE) >= 25 and sum(not zh(s) for s in NEGATIVE) >= 25
    assert {c for _, c in POSITIVE} == {"utilities", "lockout", "shaming", "threat", "third_party_pressure", "deception", "harassment"}


@pytest.mark.parametrize(("sentence", "category"), POSITIVE)
def test_a_forbidden_sentence_is_caught_in_its_category(sentence: str, category: str) -> None:
    assert category in categories(sentence), scan_text(sentence)


@pytest.mark.parametrize("sentence", NEGATIVE)
def test_a_prohibition_reassurance_notice_or_plain_remark_passes(sentence: str) -> None:
    assert scan_text(sentence) == []


def test_the_whole_corpus_at_once() -> None:
    """One figure for the note: every positive caught, no negative flagged."""
    missed = [s for s, c in POSITIVE if c not in categories(s)]
    false_alarms = [s for s in NEGATIVE if scan_text(s)]
    assert (missed, false_alarms) == ([], [])


@pytest.mark.parametrize(
    ("threat", "reassurance"),
    [
        ("不得不给你家停水", "我们不会给你家停水"),
        ("Never forget we can cut off your water", "We will never cut off your water"),
        ("不交就停你家的电", "不管交没交,都不会停你家的电"),
        ("别逼我们把你家暖气停了", "我们绝不会把你家暖气停了"),
    ],
)
def test_negation_is_real_negation(threat: str, reassurance: str) -> None:
    assert "utilities" in categories(threat)
    assert scan_text(reassurance) == []


def test_a_violation_names_the_pattern_and_the_words() -> None:
    [hit] = [v for v in scan_text("断掉你家的电") if v.category == "utilities"]
    assert hit.pattern == "zh.stop_supply" and "电" in hit.match and hit.text == "断掉你家的电"


def test_empty_and_hostile_text_is_handled() -> None:
    assert scan_text("") == []
    assert scan_text("\x00\x1b[31m" * 1000) == []
    assert scan_text("停" * 5000) == []
