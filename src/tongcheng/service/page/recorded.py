"""The words of decision records on the page: the printed decision letter
(``templates/letter.html``), the record id, and reopening a case from it (the recorded
situation goes back in the form through ``FormState.from_situation``)."""

from __future__ import annotations

# The decision letter's words (templates/letter.html), in both languages.
LETTER_WORDS = {
    "zh": {"title": "同城待遇决定书", "date": "评估日期", "record": "记录编号", "pack": "规则包",
           "rule": "事项", "status": "决定", "firmness": "确定程度", "outcome": "结果",
           "basis": "政策依据", "missing": "尚缺事实", "in_force": "已施行", "pilot": "试点(探索)",
           "promise": "承诺(推动)",
           "foot": "本决定依据上列政策原文作出;“试点”“承诺”事项尚未全面施行。"
                   "凭记录编号可查询、复核本决定。",
           "reopen": "按记录编号重新打开", "token": "查询令牌", "open": "打开",
           "print": "打印决定书", "recorded": "已记录,编号",
           "recording_off": "本部署未开启决定记录", "no_token": "查询令牌不正确:记录含个人信息",
           "no_record": "没有这个记录编号", "not_recorded": "未能记录本决定,未作答复:请重试",
           "unreadable": "决定记录库暂时无法读取;已记入服务日志,请告知本部署的运维人员",
           "reopened": "已按记录重新打开(按现行规则包重新判断)"},
    "en": {"title": "Decision letter: same-city treatment", "date": "Decided as of",
           "record": "Record id", "pack": "Rule pack", "rule": "Treatment", "status": "Decision",
           "firmness": "Firmness", "outcome": "Outcome", "basis": "Basis",
           "missing": "Missing facts", "in_force": "in force", "pilot": "pilot (to explore)",
           "promise": "promise",
           "foot": "Decided on the policy sentences quoted above; pilot and promised treatments "
                   "are not yet in force everywhere. The record id lets this decision be "
                   "looked up and checked.",
           "reopen": "Reopen from a record id", "token": "Access token", "open": "Open",
           "print": "Print the decision letter", "recorded": "Recorded as",
           "recording_off": "decision records are off in this deployment",
           "no_token": "not the access token: records hold personal data",
           "no_record": "no record with this id",
           "unreadable": "the record store cannot be read right now; the deployment's "
                         "operators are told (see the service log)",
           "not_recorded": "the decision could not be recorded, so it is not shown: try again",
           "reopened": "reopened from its record (decided again under the current rule pack)"},
}

