"""The starter submission written by ``kl21rules init``: every section, Vietnamese comments."""

from typing import Any

STARTER = """\
# Báo cáo thực hiện Kế hoạch 40-KH/ĐUK (Kết luận 21-KL/TW) — mẫu khởi đầu.
# Starter submission for kl21rules. Kiểm tra bằng / check with: kl21rules check <tệp này>
# Ngày viết theo dạng 2022-03-18, 18/3/2022 hoặc 18.3.2022 (ngày trước, tháng sau).
# Giá trị có danh sách (kind, mode, organisation, ...) ghi mã hoặc nhãn tiếng Việt, có dấu hay
# không dấu đều được: xem docs/glossary.md.
schema: kl21rules/submission/v1

report:
  number: "01-BC/ĐU"                  # Số hiệu báo cáo
  date: 2022-12-15                    # Ngày báo cáo (ngày xét mặc định)
  period: {start: 2022-01-01, end: 2022-12-31}   # Kỳ báo cáo

unit:
  id: "KCQ.XXX"                       # Mã đơn vị
  name: "Đảng bộ Sở ..."              # Tên đơn vị
  kind: dang_bo_co_so                 # hoặc ghi: Chi bộ cơ sở, Đảng bộ cơ sở, Chi bộ trực thuộc, Ban của Đảng ủy Khối
  parent: "KCQ"                       # Đơn vị cấp trên
  members: 40                         # Số đảng viên
  term: {start: 2020-06-18, end: 2025-06-30}     # Nhiệm kỳ đại hội
  sensitive_areas: []                 # Lĩnh vực dễ xảy ra tham nhũng, tiêu cực (vd. finance, budget)

# Biểu hiện, vụ việc (suy thoái, mất đoàn kết, vi phạm, ...). Để trống nếu không có.
signals: []
#  - id: S-2022-01
#    kind: violation                  # hoặc ghi: Suy thoái, Mất đoàn kết, Vi phạm, Lợi ích nhóm, Tham nhũng, tiêu cực, Dư luận bức xúc
#    date: 2022-06-02
#    summary: "..."

# Những việc đơn vị đã làm, theo thứ tự bất kỳ.
activities:
  - id: HN-01
    type: study_session               # Hội nghị nghiên cứu, quán triệt Kết luận 21
    date: 2022-03-18
    mode: in_person                   # hoặc ghi: Trực tiếp, Trực tuyến, Kết hợp (dự hội nghị ghép)
    expected: 40                      # Số người phải dự
    attendees: 40                     # Số người dự
    ref: "Biên bản số 03-BB/ĐU"
  - id: KH-01
    type: implementation_plan         # Kế hoạch thực hiện Kết luận 21
    date: 2022-03-25
    number: "05-KH/ĐU"
    tasks:                            # "5 rõ": rõ người, rõ việc, rõ tiến độ, rõ hiệu quả, rõ trách nhiệm
      - task: "Quán triệt Kết luận 21 tới toàn thể đảng viên"
        owner: "Ban Tuyên giáo"
        due: 2022-03-31                 # một ngày, hoặc "Quý I/2022", "Tháng 5/2022", "Hằng năm", "Thường xuyên"
        outcome: "100% đảng viên được quán triệt"
        accountable: "Đồng chí Bí thư"
  - type: inspection                  # Kiểm tra (hoặc supervision: giám sát)
    date: 2022-09-15
    topics: [kl21]                    # kl21 = có nội dung thực hiện Kết luận 21
    areas: []
  - type: theory_training             # Bồi dưỡng lý luận chính trị
    date: 2022-07-10
    participants: 12
  - type: self_criticism              # Kiểm điểm tự phê bình và phê bình
    date: 2022-12-10
    year: 2022
    collective: true
    members: true
  - type: quality_rating              # Đánh giá, xếp loại chất lượng
    date: 2022-12-12
    year: 2022
    organisation: good                # hoặc ghi: Xuất sắc, Tốt, Hoàn thành, Không hoàn thành
    members: {excellent: 5, good: 30, complete: 5, incomplete: 0}
  - type: branch_meeting              # Sinh hoạt chi bộ (thematic: true = chuyên đề)
    date: 2022-01-10
    thematic: true
"""


def _is_placeholder(text: str) -> bool:
    stripped = text.strip()
    return "XXX" in stripped or stripped in ("...", "…") or stripped.endswith((" ...", " …"))


def placeholders(data: object, pointer: str = "") -> list[tuple[str, str]]:
    """The values in a parsed submission that are still the starter's placeholders — text with
    ``XXX`` in it (``KCQ.XXX``) or that is or ends with ``...`` (``Đảng bộ Sở ...``) — as
    (JSON pointer, value), in document order."""
    found: list[tuple[tuple[Any, ...], str]] = []
    _walk(data, [], found)
    return [(pointer + "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path), value)
            for path, value in found]


def _walk(data: object, path: list[Any], found: list[tuple[tuple[Any, ...], str]]) -> None:
    """Every placeholder under ``data`` as (path of keys and indexes, value); the pointer is built
    only for what is found (this runs on every file checked)."""
    if isinstance(data, dict):
        items: Any = data.items()
    elif isinstance(data, list):
        items = enumerate(data)
    else:
        if isinstance(data, str) and _is_placeholder(data):
            found.append((tuple(path), data))
        return
    for key, value in items:
        if isinstance(value, str):
            # every placeholder has one of these in it; most values have none
            if ("XXX" in value or "..." in value or "…" in value) and _is_placeholder(value):
                found.append(((*path, key), value))
        elif isinstance(value, (dict, list)):
            path.append(key)
            _walk(value, path, found)
            path.pop()
