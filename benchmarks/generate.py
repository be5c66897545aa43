"""Seeded generator of realistic submissions for the benchmarks.

    python benchmarks/generate.py N OUTDIR [--seed S] [--yaml-share F] [--jobs J]

writes N files ``OUTDIR/dNNN/NNNNNN-<unit>.json`` (1,000 per folder, so that 100,000 files do not
sit in one folder). Each file is one unit's report in ``kl21rules/submission/v1``:

* every unit kind: chi bộ cơ sở, đảng bộ cơ sở, chi bộ trực thuộc and the bloc's departments
  (all five), in roughly the proportions of a provincial agencies' bloc;
* 20–80 activities, over 2022 up to the report's year (2022, 2023 or 2024);
* a realistic mix: units that do everything on time, units that do things late, units that miss
  things (meetings, annual reviews, "5 rõ" in their plan, make-up sessions), units with signals
  (biểu hiện, vụ việc) and their follow-ups; a few files with day-first dates, a byte-order mark
  and CRLF line ends (Notepad) or decomposed Vietnamese (NFD, as Word on macOS writes it);
* Vietnamese names, notes and document numbers (fictitious).

File ``i`` depends only on ``(seed, i)``: the same N and seed give byte-identical files, a larger N
with the same seed extends a smaller one, and the work can be split over processes. Every file
is valid (``tests/test_generate.py`` checks a sample through kl21rules' own validation).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import random
import sys
import unicodedata
from pathlib import Path
from typing import Any

SCHEMA = "kl21rules/submission/v1"
PER_FOLDER = 1000

date = _dt.date
DAY = _dt.timedelta(days=1)

# --------------------------------------------------------------------------- names

AGENCIES = (
    ("STC", "Sở Tài chính"), ("SYT", "Sở Y tế"), ("SGDDT", "Sở Giáo dục và Đào tạo"),
    ("SKHDT", "Sở Kế hoạch và Đầu tư"), ("STP", "Sở Tư pháp"), ("SNV", "Sở Nội vụ"),
    ("SXD", "Sở Xây dựng"), ("SCT", "Sở Công Thương"),
    ("SNN", "Sở Nông nghiệp và Phát triển nông thôn"), ("STNMT", "Sở Tài nguyên và Môi trường"),
    ("SGTVT", "Sở Giao thông vận tải"), ("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch"),
    ("SLDTBXH", "Sở Lao động - Thương binh và Xã hội"), ("STTTT", "Sở Thông tin và Truyền thông"),
    ("SKHCN", "Sở Khoa học và Công nghệ"), ("TTT", "Thanh tra tỉnh"),
    ("KBNN", "Kho bạc Nhà nước tỉnh"), ("CT", "Cục Thuế tỉnh"), ("BHXH", "Bảo hiểm xã hội tỉnh"),
    ("BQLKCN", "Ban Quản lý các khu công nghiệp tỉnh"), ("PTTH", "Đài Phát thanh và Truyền hình tỉnh"),
    ("BAO", "Báo tỉnh"), ("BVDK", "Bệnh viện Đa khoa tỉnh"), ("BVYHCT", "Bệnh viện Y học cổ truyền"),
    ("TCT", "Trường Chính trị tỉnh"), ("CDYT", "Trường Cao đẳng Y tế"),
    ("THPTNT", "Trường THPT Nguyễn Trãi"), ("THPTCVA", "Trường THPT Chu Văn An"),
    ("THPTLQD", "Trường THPT chuyên Lê Quý Đôn"), ("QDTPT", "Quỹ Đầu tư phát triển tỉnh"),
    ("VPUB", "Văn phòng Ủy ban nhân dân tỉnh"), ("VPDDBQH", "Văn phòng Đoàn đại biểu Quốc hội"),
    ("LMHTX", "Liên minh Hợp tác xã tỉnh"), ("CCTK", "Cục Thống kê tỉnh"),
)
DIVISIONS = (
    "Văn phòng", "Phòng Kế hoạch - Tài chính", "Phòng Tổ chức cán bộ", "Phòng Thanh tra",
    "Phòng Kế toán", "Phòng Pháp chế", "Phòng Quản lý ngân sách", "Phòng Nghiệp vụ",
    "Phòng Tổng hợp", "Khoa Nội", "Khoa Ngoại", "Tổ Ngữ văn", "Tổ Toán - Tin",
)
DEPARTMENTS = (
    ("tochuc", "BTC", "Ban Tổ chức Đảng ủy Khối các cơ quan tỉnh"),
    ("ubkt", "UBKT", "Ủy ban Kiểm tra Đảng ủy Khối các cơ quan tỉnh"),
    ("tuyengiao", "BTG", "Ban Tuyên giáo Đảng ủy Khối các cơ quan tỉnh"),
    ("vanphong", "VP", "Văn phòng Đảng ủy Khối các cơ quan tỉnh"),
    ("doanthe", "DTN", "Đoàn Thanh niên Khối các cơ quan tỉnh"),
    ("doanthe", "CDVC", "Công đoàn Viên chức tỉnh"),
    ("doanthe", "HCCB", "Hội Cựu chiến binh Khối các cơ quan tỉnh"),
)
# Deliverables of part B of the catalogue: (code, due date, what it is).
DELIVERABLES = {
    "tochuc": (("cadre_regulation", date(2022, 12, 31), "Quy định về công tác quản lý, bổ nhiệm cán bộ"),
               ("nq18_qd205_review", date(2022, 12, 31), "Báo cáo đánh giá NQ 18-NQ/TW và 02 năm QĐ 205-QĐ/TW"),
               ("delta_conference", date(2022, 12, 31), "Hội nghị giao ban cụm Đồng bằng sông Hồng")),
    "ubkt": (("inspection_programme_kl21", None, "Chương trình kiểm tra, giám sát năm có nội dung Kết luận 21"),),
    "tuyengiao": (("combined_conference_list", date(2022, 3, 31), "Danh sách đăng ký hội nghị quán triệt ghép"),
                  ("central_speaker_talk", date(2022, 12, 31), "Buổi nói chuyện của báo cáo viên Trung ương")),
    "vanphong": (("btv_work_programme", date(2022, 12, 31), "Chương trình kiểm tra của Ban Thường vụ"),),
    "doanthe": (("mass_org_plan", date(2022, 6, 30), "Kế hoạch thực hiện Kết luận 21 của đoàn thể"),
                ("qd217_218_review", date(2023, 12, 31), "Tổng kết 10 năm QĐ 217, 218")),
}
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi",
            "Đỗ", "Hồ", "Ngô", "Dương", "Lý")
MIDDLE = ("Văn", "Thị", "Đức", "Minh", "Thanh", "Quốc", "Ngọc", "Hữu", "Thu", "Hồng", "Xuân", "Bảo")
GIVEN = ("An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hằng", "Hiếu", "Hoa", "Hùng",
         "Hương", "Khánh", "Lan", "Linh", "Long", "Mai", "Nam", "Nga", "Phong", "Phúc", "Quân",
         "Quang", "Sơn", "Tâm", "Thảo", "Thắng", "Trang", "Trung", "Tú", "Tuấn", "Vân", "Việt", "Yến")
AREAS = ("finance", "budget", "procurement", "licensing", "land", "construction", "enrolment",
         "recruitment", "tax", "insurance", "public_investment")
SIGNAL_KINDS = ("violation", "violation", "violation", "degradation", "degradation", "public_outcry",
                "corruption", "group_interest", "disunity")
SIGNAL_TEXT = {
    "violation": "Đảng viên {who} vi phạm quy định về {what}.",
    "degradation": "Đảng viên {who} có biểu hiện suy thoái về tư tưởng chính trị, đạo đức, lối sống.",
    "public_outcry": "Báo chí, mạng xã hội phản ánh việc {what} gây bức xúc trong nhân dân.",
    "corruption": "Phát hiện dấu hiệu tham nhũng, tiêu cực trong {what}.",
    "group_interest": "Có biểu hiện lợi ích nhóm trong {what}.",
    "disunity": "Nội bộ chi bộ mất đoàn kết, có đơn thư nặc danh liên quan đến {what}.",
}
SIGNAL_WHAT = ("đấu thầu mua sắm thiết bị", "thẩm định hồ sơ cấp phép", "quản lý, sử dụng ngân sách",
               "tuyển dụng viên chức", "thu chi tài chính nội bộ", "giải quyết thủ tục hành chính",
               "quản lý đất đai", "sử dụng xe công")
THEMES = ("Nêu gương của cán bộ, đảng viên, trước hết là người đứng đầu",
          "Phòng, chống suy thoái về tư tưởng chính trị, đạo đức, lối sống",
          "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
          "Nâng cao chất lượng sinh hoạt chi bộ",
          "Phòng, chống tham nhũng, tiêu cực trong thực thi công vụ",
          "Cải cách hành chính, nâng cao chất lượng phục vụ người dân")
TASKS = (("Quán triệt Kết luận số 21-KL/TW đến toàn thể đảng viên", "Ban Tuyên giáo", "100% đảng viên được quán triệt"),
         ("Kiểm tra việc thực hiện Quy định về trách nhiệm nêu gương", "Ủy ban Kiểm tra", "Thông báo kết luận kiểm tra"),
         ("Rà soát quy trình giải quyết thủ tục hành chính, công khai tại bộ phận một cửa", "Văn phòng", "Quy trình được công khai"),
         ("Tổ chức sinh hoạt chuyên đề về phòng, chống suy thoái", "Các chi bộ", "Mỗi quý một chuyên đề"),
         ("Kiểm điểm tự phê bình và phê bình cuối năm gắn với Kết luận 21", "Văn phòng cấp ủy", "Biên bản kiểm điểm tập thể, cá nhân"),
         ("Thẩm định tiêu chuẩn chính trị trước khi bổ nhiệm cán bộ", "Ban Tổ chức", "Không có trường hợp bổ nhiệm khi chưa thẩm định"),
         ("Tuyên truyền trên trang thông tin điện tử của cơ quan", "Ban Tuyên giáo", "Chuyên mục xây dựng Đảng cập nhật hằng tháng"))
ACCOUNTABLE = ("Đồng chí Bí thư", "Đồng chí Phó Bí thư", "Đồng chí Chủ nhiệm Ủy ban Kiểm tra",
               "Đồng chí Phó Giám đốc phụ trách", "Đồng chí Chánh Văn phòng")
OUTREACH = ("meeting", "website", "fanpage", "zalo", "newsletter")
TOPICS_EXTRA = ("qd37", "assets", "qd08", "qd144")


def _person(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def _initials(name: str) -> str:
    return ".".join(part[0] for part in name.split()) + "."


# --------------------------------------------------------------------------- one unit


class _Unit:
    """Builds one submission; ``profile`` decides how well the unit did."""

    def __init__(self, rng: random.Random, index: int) -> None:
        self.rng = rng
        self.index = index
        self.acts: list[dict[str, Any]] = []
        self.fillers: list[dict[str, Any]] = []
        self.signals: list[dict[str, Any]] = []
        self.seq = 0
        r = rng.random()
        self.kind = ("chi_bo_co_so" if r < 0.40 else "dang_bo_co_so" if r < 0.67
                     else "chi_bo_truc_thuoc" if r < 0.92 else "department")
        r = rng.random()
        # compliant: everything on time; late: done but after due dates; missing: things not done.
        self.profile = "compliant" if r < 0.5 else "late" if r < 0.75 else "missing"
        self.signalled = self.kind != "department" and rng.random() < 0.2
        self.year = rng.choice((2022, 2023, 2023, 2024, 2024))
        self.report_date = date(self.year, 12, rng.randint(10, 28))
        if self.kind == "department" and rng.random() < 0.5:
            self.report_date = date(self.year + 1, 1, rng.randint(8, 25))

    # --- helpers

    def p(self, compliant: float, late: float, missing: float) -> float:
        return {"compliant": compliant, "late": late, "missing": missing}[self.profile]

    def chance(self, compliant: float, late: float, missing: float) -> bool:
        return self.rng.random() < self.p(compliant, late, missing)

    def day_in(self, lo: date, hi: date) -> date:
        hi = min(hi, self.report_date)
        if hi < lo:
            return lo
        return lo + DAY * self.rng.randint(0, (hi - lo).days)

    def new_id(self, tag: str) -> str:
        self.seq += 1
        return f"{self.code}-{tag}-{self.seq:02d}"

    def add(self, act: dict[str, Any], *, filler: bool = False) -> dict[str, Any] | None:
        """Record an activity unless it lies after the report date (it has not happened yet)."""
        day = act.get("date")
        if isinstance(day, date) and day > self.report_date:
            return None
        (self.fillers if filler else self.acts).append(act)
        return act

    def ref(self, kind: str, day: date) -> str:
        return f"{kind} số {self.rng.randint(1, 99):02d}-{self.suffix}"

    # --- the unit

    def build(self) -> dict[str, Any]:
        rng = self.rng
        if self.kind == "department":
            dept, code, name = rng.choice(DEPARTMENTS)
            self.dept = dept
            self.code = f"KCQ.{code}"
            unit: dict[str, Any] = {"id": f"{self.code}.{self.index:06d}", "name": name, "kind": "department",
                                    "department": dept, "parent": "KCQ", "members": rng.randint(5, 18)}
            self.suffix = "BC/ĐUK"
        else:
            code, agency = rng.choice(AGENCIES)
            if self.kind == "dang_bo_co_so":
                name, members = f"Đảng bộ {agency}", rng.randint(35, 260)
                self.suffix = "BC/ĐU"
            elif self.kind == "chi_bo_co_so":
                name, members = f"Chi bộ {agency}", rng.randint(7, 45)
                self.suffix = "BC/CB"
            else:
                division = rng.choice(DIVISIONS)
                name, members = f"Chi bộ {division} thuộc Đảng bộ {agency}", rng.randint(4, 30)
                self.suffix = "BC/CB"
            self.code = code
            unit = {"id": f"KCQ.{code}.{self.index:06d}", "name": name, "kind": self.kind, "parent": f"KCQ.{code}",
                    "members": members}
            if not (self.profile == "missing" and rng.random() < 0.05):
                start = date(2020, rng.randint(4, 7), rng.randint(1, 28))
                unit["term"] = {"start": start, "end": date(2025, rng.randint(5, 8), 30)}
            if rng.random() < 0.4:
                unit["sensitive_areas"] = sorted(rng.sample(AREAS, rng.randint(1, 2)))
        self.unit = unit
        self.members = unit["members"]
        self.areas = unit.get("sensitive_areas", [])

        target = rng.randint(20, 80)
        if self.kind == "department":
            self.department_activities()
        else:
            self.grassroots_activities()
        self.fill(target)

        acts = self.acts
        acts.sort(key=lambda a: (a.get("date") or date(a["year"], 12, 31)))
        if rng.random() < 0.1:  # some units list activities in the order they typed them in
            rng.shuffle(acts)
        return {
            "schema": SCHEMA,
            "report": {
                "number": f"{rng.randint(10, 180)}-{self.suffix}",
                "date": self.report_date,
                "period": {"start": date(self.year, 1, 1), "end": date(self.year, 12, 31)},
            },
            "unit": unit,
            "signals": self.signals,
            "activities": acts,
        }

    def fill(self, target: int) -> None:
        """Bring the activity count to ``target`` (20–80) with everyday activities."""
        rng = self.rng
        room = max(0, min(80, target) - len(self.acts))
        extra = self.fillers
        rng.shuffle(extra)
        self.acts.extend(extra[:room])
        years = range(2022, self.year + 1)
        for _ in range(400):  # bounded: an activity dated after the report date is not added
            if len(self.acts) >= max(20, target):
                break
            y = rng.choice(years)
            kind = rng.random()
            if kind < 0.4:
                act = {"id": self.new_id("TT"), "type": "outreach", "date": self.day_in(date(y, 1, 5), date(y, 12, 20)),
                       "channel": rng.choice(OUTREACH)}
            elif kind < 0.6:
                act = {"id": self.new_id("BD"), "type": "theory_training",
                       "date": self.day_in(date(y, 3, 1), date(y, 11, 30)), "participants": rng.randint(2, max(2, self.members // 2))}
            elif kind < 0.8:
                act = {"id": self.new_id("GS"), "type": "supervision", "date": self.day_in(date(y, 2, 1), date(y, 11, 30)),
                       "topics": [rng.choice(TOPICS_EXTRA)], "target": rng.choice(DIVISIONS),
                       "ref": f"Thông báo kết quả giám sát số {rng.randint(1, 40):02d}-TB/UBKT"}
            else:
                act = {"id": self.new_id("KT"), "type": "commendation", "date": self.day_in(date(y, 1, 20), date(y, 12, 20)),
                       "recipients": rng.randint(1, 12)}
            self.add(act)

    # --- grassroots units

    def grassroots_activities(self) -> None:
        rng = self.rng
        co_so = self.kind != "chi_bo_truc_thuoc"
        self.study_sessions()
        if co_so:
            self.implementation_plan()
        for y in range(2022, self.year + 1):
            self.year_of(y, co_so)
        self.branch_meetings()
        if co_so and self.year >= 2023 and "term" in self.unit:
            self.confidence_vote()
        if co_so and rng.random() < 0.35:
            for _ in range(rng.randint(1, 2)):
                self.appointment()
        if self.signalled:
            for _ in range(rng.randint(1, 3)):
                self.signal()

    def study_sessions(self) -> None:
        rng = self.rng
        if self.profile == "missing" and rng.random() < 0.3:
            return
        if self.profile == "late" and rng.random() < 0.6:
            main = self.day_in(date(2022, 4, 2), date(2022, 6, 15))
        else:
            main = self.day_in(date(2022, 3, 1), date(2022, 3, 31))
        absent = 0 if rng.random() < 0.5 else rng.randint(1, min(6, max(1, self.members - 1)))
        mode = rng.choice(("in_person", "in_person", "in_person", "online", "combined", "combined"))
        self.add({"id": self.new_id("QT"), "type": "study_session", "date": main, "mode": mode,
                  "expected": self.members, "attendees": self.members - absent, "makeup": False,
                  "ref": f"Biên bản số {rng.randint(1, 30):02d}-BB/CB",
                  "note": "Hội nghị nghiên cứu, quán triệt Kết luận số 21-KL/TW của Ban Chấp hành Trung ương."})
        if absent and not (self.profile == "missing" and rng.random() < 0.7):
            gap = rng.randint(5, 28) if self.profile != "late" else rng.randint(32, 60)
            self.add({"id": self.new_id("QT"), "type": "study_session", "date": main + DAY * gap, "mode": "in_person",
                      "expected": absent, "attendees": absent, "makeup": True,
                      "note": f"Quán triệt bù cho {absent:02d} đảng viên vắng do cách ly y tế (COVID-19)."})

    def implementation_plan(self) -> None:
        rng = self.rng
        if self.profile == "missing" and rng.random() < 0.25:
            return
        day = (self.day_in(date(2022, 4, 5), date(2022, 5, 30)) if self.profile == "late" and rng.random() < 0.6
               else self.day_in(date(2022, 3, 5), date(2022, 3, 31)))
        tasks = []
        for task, owner, outcome in rng.sample(TASKS, rng.randint(2, 5)):
            item: dict[str, Any] = {"task": task, "owner": owner, "due": date(2022, rng.randint(4, 12), rng.randint(1, 28)),
                                    "outcome": outcome, "accountable": rng.choice(ACCOUNTABLE)}
            if self.profile == "missing" and rng.random() < 0.3:  # not "5 rõ"
                for name in rng.sample(("owner", "due", "outcome", "accountable"), rng.randint(1, 2)):
                    del item[name]
            tasks.append(item)
        number = f"{rng.randint(1, 30):02d}-KH/{'ĐU' if self.kind == 'dang_bo_co_so' else 'CB'}"
        self.add({"id": self.new_id("KH"), "type": "implementation_plan", "date": day, "number": number,
                  "ref": f"Kế hoạch số {number}", "tasks": tasks})

    def year_of(self, y: int, co_so: bool) -> None:
        rng = self.rng
        kind = self.kind
        last_year = y == self.year
        if kind == "dang_bo_co_so" and not self.chance(0.0, 0.0, 0.2):
            day = (self.day_in(date(y, 4, 2), date(y, 5, 20)) if self.chance(0.0, 0.4, 0.1)
                   else self.day_in(date(y, 1, 5), date(y, 3, 31)))
            self.add({"id": self.new_id("CTKT"), "type": "inspection_programme", "year": y, "date": day,
                      "includes_kl21": not self.chance(0.0, 0.0, 0.15), "ref": f"Chương trình số 0{rng.randint(1, 9)}-CTr/ĐU"})
        if co_so and not self.chance(0.0, 0.0, 0.25):
            for _ in range(rng.randint(1, 2)):
                act = {"id": self.new_id("KT"), "type": rng.choice(("inspection", "supervision")),
                       "date": self.day_in(date(y, 3, 1), date(y, 11, 30)), "topics": ["kl21"], "target": rng.choice(DIVISIONS)}
                if rng.random() < 0.4:
                    act["topics"].append(rng.choice(TOPICS_EXTRA))
                if self.areas and not self.chance(0.0, 0.1, 0.3):
                    act["areas"] = [rng.choice(self.areas)]
                act["ref"] = f"Thông báo kết luận số {rng.randint(1, 40):02d}-TB/UBKT"
                self.add(act)
        if not self.chance(0.0, 0.0, 0.25):
            self.add({"id": self.new_id("BD"), "type": "theory_training", "date": self.day_in(date(y, 3, 1), date(y, 11, 30)),
                      "participants": rng.randint(1, max(1, self.members // 3))})
        # Annual self-criticism and rating, at the end of the year (late: early next year).
        late = self.chance(0.0, 0.35, 0.0) and not last_year
        if not self.chance(0.0, 0.0, 0.25):
            day = date(y + 1, 1, rng.randint(5, 25)) if late else self.day_in(date(y, 12, 1), date(y, 12, 28))
            if rng.random() < 0.8:
                self.add({"id": self.new_id("KD"), "type": "self_criticism", "year": y, "date": day,
                          "collective": True, "members": True, "ref": f"Biên bản số {rng.randint(1, 40):02d}-BB/CB"})
            else:
                self.add({"id": self.new_id("KD"), "type": "self_criticism", "year": y, "date": day, "collective": True})
                self.add({"id": self.new_id("KD"), "type": "self_criticism", "year": y, "date": day + DAY * rng.randint(0, 3),
                          "members": True})
        if not self.chance(0.0, 0.0, 0.2):
            day = date(y + 1, 1, rng.randint(5, 25)) if late else self.day_in(date(y, 12, 1), date(y, 12, 28))
            rated = self.members - rng.randint(0, min(3, self.members))
            good = rng.randint(rated // 2, rated)
            cap = good // 5
            excellent = rng.randint(0, cap) if not self.chance(0.0, 0.1, 0.3) else min(rated - good, cap + rng.randint(1, 3))
            excellent = max(0, min(excellent, rated - good))
            rest = rated - good - excellent
            incomplete = rng.randint(0, min(2, rest))
            self.add({"id": self.new_id("XL"), "type": "quality_rating", "year": y, "date": day,
                      "organisation": rng.choice(("excellent", "good", "good", "complete")),
                      "members": {"excellent": excellent, "good": good, "complete": rest - incomplete,
                                  "incomplete": incomplete},
                      "ref": f"Quyết định số {rng.randint(1, 60):02d}-QĐ/ĐU"})
        if kind == "dang_bo_co_so" or (kind == "chi_bo_co_so" and rng.random() < 0.5):
            obligated = rng.randint(3, 25)
            declared = obligated if not self.chance(0.0, 0.0, 0.4) else obligated - rng.randint(1, min(3, obligated))
            self.add({"id": self.new_id("TS"), "type": "asset_declaration", "year": y,
                      "date": self.day_in(date(y, 11, 15), date(y, 12, 28)), "obligated": obligated, "declared": declared})
        if co_so and not self.chance(0.0, 0.0, 0.3):
            day = date(y + 1, 1, rng.randint(3, 15)) if late else self.day_in(date(y, 11, 20), date(y, 12, 28))
            self.add({"id": self.new_id("BC"), "type": "report", "date": day, "subject": "kl21", "sent_to": "btv_duk",
                      "kind": "annual", "ref": f"Báo cáo số {rng.randint(10, 99)}-{self.suffix}"})
        for _ in range(0 if self.chance(0.0, 0.0, 0.3) else rng.randint(1, 3)):
            self.add({"id": self.new_id("TT"), "type": "outreach", "date": self.day_in(date(y, 1, 10), date(y, 12, 20)),
                      "channel": rng.choice(OUTREACH)})
        if not self.chance(0.0, 0.0, 0.35):
            self.add({"id": self.new_id("KT"), "type": "commendation", "date": self.day_in(date(y, 1, 15), date(y, 12, 20)),
                      "recipients": rng.randint(1, 10), "note": "Biểu dương đảng viên tiêu biểu trong học tập và làm theo Bác."})
        # Meetings of earlier years: optional, used to bring the count up.
        if not last_year:
            for m in range(1, 13):
                self.add({"type": "branch_meeting", "date": date(y, m, rng.randint(5, 20)),
                          "thematic": m % 3 == 2, "attendees": self.members - rng.randint(0, 3)}, filler=True)

    def branch_meetings(self) -> None:
        rng = self.rng
        y = self.year
        skipped = set(rng.sample(range(1, 13), rng.randint(1, 3))) if self.profile == "missing" else set()
        themed = {q: rng.randint(0, 2) for q in range(4)}
        if self.profile == "missing" and rng.random() < 0.5:
            themed[rng.randint(0, 3)] = -1  # a quarter without a thematic meeting
        for m in range(1, 13):
            if m in skipped:
                continue
            thematic = (m - 1) % 3 == themed[(m - 1) // 3]
            act: dict[str, Any] = {"type": "branch_meeting", "date": date(y, m, rng.randint(3, 12)), "thematic": thematic,
                                   "attendees": self.members - rng.randint(0, min(4, self.members))}
            if thematic:
                act["note"] = f"Sinh hoạt chuyên đề quý {('I', 'II', 'III', 'IV')[(m - 1) // 3]}: {rng.choice(THEMES)}."
            if rng.random() < 0.3:
                act["id"] = self.new_id("SH")
            self.add(act)

    def confidence_vote(self) -> None:
        rng = self.rng
        if self.profile == "missing" and rng.random() < 0.4:
            return
        year = self.unit["term"]["start"].year + 3
        if self.profile == "late" and rng.random() < 0.5:
            year += 1
        persons = rng.randint(3, 15)
        self.add({"id": self.new_id("PTN"), "type": "confidence_vote", "date": self.day_in(date(year, 3, 1), date(year, 11, 30)),
                  "persons": persons, "low_confidence": rng.randint(0, 1),
                  "ref": f"Biên bản kiểm phiếu số {rng.randint(1, 9):02d}-BB/ĐU"})

    def appointment(self) -> None:
        rng = self.rng
        person = _person(rng)
        day = self.day_in(date(2022, 2, 1), date(self.year, 11, 30))
        self.add({"id": self.new_id("BN"), "type": "appointment", "date": day, "person": person,
                  "ref": f"Quyết định số {rng.randint(100, 2000)}/QĐ-{self.code}"})
        if self.profile == "missing" and rng.random() < 0.5:
            return
        vetted = day + DAY * rng.randint(3, 20) if self.profile == "late" and rng.random() < 0.6 else day - DAY * rng.randint(5, 40)
        self.add({"id": self.new_id("TD"), "type": "political_vetting", "date": vetted, "person": person,
                  "ref": f"Kết luận tiêu chuẩn chính trị số {rng.randint(1, 30):02d}-KL/ĐU"})

    def signal(self) -> None:
        rng = self.rng
        sid = f"S-{len(self.signals) + 1:02d}"
        kind = rng.choice(SIGNAL_KINDS)
        day = self.day_in(date(2022, 2, 1), date(self.year, 11, 30))
        who = _initials(_person(rng))
        text = SIGNAL_TEXT[kind].format(who=f"(đồng chí {who})", what=rng.choice(SIGNAL_WHAT))
        self.signals.append({"id": sid, "kind": kind, "date": day, "summary": text})
        late = self.profile == "late"

        def after(on_time: tuple[int, int], overdue: tuple[int, int]) -> date:
            return day + DAY * rng.randint(*(overdue if late and rng.random() < 0.5 else on_time))

        if not (self.profile == "missing" and rng.random() < 0.3):
            self.add({"id": self.new_id("KD"), "type": "responsibility_review", "date": after((5, 25), (35, 60)),
                      "signal": sid, "ref": f"Biên bản số {rng.randint(1, 40):02d}-BB/CB"})
        plan = None
        if not (self.profile == "missing" and rng.random() < 0.4):
            plan = self.add({"id": f"RP-{self.index:06d}-{sid}", "type": "remediation_plan", "date": after((8, 30), (35, 70)),
                             "signal": sid, "ref": f"Kế hoạch khắc phục số {rng.randint(1, 40):02d}-KH/CB"})
        if kind == "violation" and not (self.profile == "missing" and rng.random() < 0.5):
            act: dict[str, Any] = {"id": self.new_id("XLKL"), "type": "discipline", "date": after((20, 85), (95, 150)),
                                   "signal": sid}
            if rng.random() < 0.15:
                act.update(outcome="no_action", reason="Vi phạm chưa đến mức phải xử lý kỷ luật; đã kiểm điểm, rút kinh nghiệm.")
            else:
                act.update(outcome=rng.choice(("reprimand", "reprimand", "warning", "dismissal")),
                           ref=f"Quyết định số {rng.randint(1, 30):02d}-QĐ/UBKT")
            self.add(act)
        if plan is not None and not (self.profile == "missing" and rng.random() < 0.5):
            self.add({"id": self.new_id("GS"), "type": "supervision", "date": plan["date"] + DAY * rng.randint(40, 170),
                      "topics": ["kl21"], "remediation": plan["id"],
                      "note": "Giám sát việc thực hiện kế hoạch sửa chữa, khắc phục."})

    # --- departments

    def department_activities(self) -> None:
        rng = self.rng
        for code, due, title in DELIVERABLES[self.dept]:
            years = range(2022, self.year + 1) if due is None else (due.year,)
            for y in years:
                deadline = due or date(y, 3, 31)
                if y > self.report_date.year or self.chance(0.0, 0.0, 0.35):
                    continue
                if self.chance(0.0, 0.6, 0.2):
                    day = deadline + DAY * rng.randint(5, 60)
                else:
                    day = deadline - DAY * rng.randint(10, 80)
                self.add({"id": self.new_id("SP"), "type": "deliverable", "date": day, "code": code,
                          "ref": f"Văn bản số {rng.randint(1, 150):02d}-{self.suffix}", "note": f"{title}."})
        self.add({"id": self.new_id("QT"), "type": "study_session", "date": self.day_in(date(2022, 3, 1), date(2022, 3, 31)),
                  "mode": "combined", "expected": self.members, "attendees": self.members, "makeup": False})
        for y in range(2022, self.year + 1):
            self.add({"id": self.new_id("BC"), "type": "report", "date": self.day_in(date(y, 11, 20), date(y, 12, 28)),
                      "subject": "kl21", "sent_to": "btv_duk", "kind": "annual"})
            for m in range(1, 13):
                self.add({"type": "branch_meeting", "date": date(y, m, rng.randint(3, 20)), "thematic": m % 3 == 0,
                          "attendees": self.members - rng.randint(0, 2)}, filler=y != self.year)


# --------------------------------------------------------------------------- writing


def _iso(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def _dayfirst(data: Any, zero_pad: bool) -> Any:
    """The same data with every date written day first (18/3/2022), as Vietnamese documents do."""
    if isinstance(data, dict):
        return {k: _dayfirst(v, zero_pad) for k, v in data.items()}
    if isinstance(data, list):
        return [_dayfirst(v, zero_pad) for v in data]
    if isinstance(data, date):
        return f"{data.day:02d}/{data.month:02d}/{data.year}" if zero_pad else f"{data.day}/{data.month}/{data.year}"
    return data


def submission(seed: int, index: int) -> tuple[str, bytes]:
    """File name (without folder) and bytes of submission ``index`` for ``seed`` (JSON)."""
    return render(seed, index, yaml_share=0.0)


def render(seed: int, index: int, yaml_share: float = 0.0) -> tuple[str, bytes]:
    """File name and bytes of submission ``index``: a pure function of its arguments."""
    rng = random.Random(f"kl21rules-bench:{seed}:{index}")
    data = _Unit(rng, index).build()
    style = rng.random()
    if style < 0.15:
        data = _dayfirst(data, zero_pad=rng.random() < 0.5)
    as_yaml = rng.random() < yaml_share
    name = f"{index:06d}-{data['unit']['id'].split('.')[1].lower()}.{'yaml' if as_yaml else 'json'}"
    if as_yaml:
        import yaml

        text = yaml.safe_dump(json.loads(json.dumps(data, default=_iso)), allow_unicode=True, sort_keys=False,
                              width=120)
    else:
        text = json.dumps(data, ensure_ascii=False, indent=2, default=_iso) + "\n"
    quirk = rng.random()
    if quirk < 0.02:  # written by Word on macOS: decomposed Vietnamese
        text = unicodedata.normalize("NFD", text)
    raw = text.encode("utf-8")
    if 0.02 <= quirk < 0.05:  # saved by Windows Notepad: BOM and CRLF
        raw = b"\xef\xbb\xbf" + raw.replace(b"\n", b"\r\n")
    return name, raw


def folder_of(index: int) -> str:
    return f"d{index // PER_FOLDER:03d}"


def write_range(seed: int, outdir: str, start: int, stop: int, yaml_share: float = 0.0) -> int:
    """Write submissions ``start`` .. ``stop - 1``; returns the bytes written."""
    total = 0
    made: set[str] = set()
    for i in range(start, stop):
        sub = folder_of(i)
        if sub not in made:
            os.makedirs(os.path.join(outdir, sub), exist_ok=True)
            made.add(sub)
        name, raw = render(seed, i, yaml_share)
        with open(os.path.join(outdir, sub, name), "wb") as fh:
            fh.write(raw)
        total += len(raw)
    return total


def generate(n: int, outdir: str | os.PathLike[str], seed: int = 0, yaml_share: float = 0.0, jobs: int = 1) -> int:
    """Write ``n`` submissions under ``outdir``; returns the bytes written."""
    out = os.fspath(outdir)
    os.makedirs(out, exist_ok=True)
    if jobs <= 1 or n < 2000:
        return write_range(seed, out, 0, n, yaml_share)
    from concurrent.futures import ProcessPoolExecutor

    step = max(PER_FOLDER, -(-n // (jobs * 4)))
    with ProcessPoolExecutor(jobs) as pool:
        futures = [pool.submit(write_range, seed, out, lo, min(n, lo + step), yaml_share) for lo in range(0, n, step)]
        return sum(f.result() for f in futures)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write N seeded, realistic kl21rules submissions.")
    parser.add_argument("n", type=int, help="number of submissions")
    parser.add_argument("outdir", type=Path, help="folder to write into (created if needed)")
    parser.add_argument("--seed", type=int, default=0, help="seed (default 0): same N and seed, same bytes")
    parser.add_argument("--yaml-share", type=float, default=0.0,
                        help="fraction of files written as YAML instead of JSON (default 0)")
    parser.add_argument("--jobs", type=int, default=1, help="processes to write with (output is the same)")
    args = parser.parse_args(argv)
    if args.n < 0 or not 0.0 <= args.yaml_share <= 1.0:
        parser.error("N must be ≥ 0 and --yaml-share between 0 and 1")
    size = generate(args.n, args.outdir, args.seed, args.yaml_share, max(1, args.jobs))
    print(f"{args.n} submissions, {size / 1e6:.1f} MB, in {args.outdir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
